"""--preset with a realistic preset (issue 18 item 7) on `digitseq generate` and `digitseq export`."""

from __future__ import annotations

import re

import numpy as np
from PIL import Image
from test_generate_cli import run

from digitseq_gui import DigitSequence, export, read_image_info
from digitseq_gui.engine.compose import compose
from digitseq_gui.engine.presets import preset_config, preset_texts


def test_generate_an_amount_on_a_cheque(tmp_path):
    done = run("generate", "--preset", "amount-cheque", "--seed", 8, "-o", tmp_path / "a.png")
    assert done.returncode == 0, done.stderr
    with Image.open(tmp_path / "a.png") as png:
        assert png.mode == "RGB"  # PNG colour type 2
        pixels = np.asarray(png)
    label = read_image_info(tmp_path / "a.png").label
    assert label == preset_texts("amount-cheque", 1, 8)[0] and re.fullmatch(r"[\d,]+\.\d\d", label)
    expected = compose(DigitSequence(preset_config("amount-cheque")), [label], 8, 10).images[0]
    np.testing.assert_array_equal(pixels, expected)  # the engine's one route, byte for byte


def test_export_zip_codes_in_boxes_and_meter_photos(tmp_path):
    for name, pattern in (("zip-boxes", r"\d{5}"), ("meter-photo", r"\d{6}")):
        out = tmp_path / name
        done = run("export", "--preset", name, "--count", 70, "--format", "npz", "--output", out, "-q")
        assert done.returncode == 0, done.stderr
        data = export.load_export(out)
        assert data["manifest"]["config"]["image"]["color"] == "rgb"
        images = data["all"]["images"]
        assert images.shape == (70, 28, 200, 3) and images.dtype == np.uint8
        assert all(re.fullmatch(pattern, str(label)) for label in data["all"]["labels"])
