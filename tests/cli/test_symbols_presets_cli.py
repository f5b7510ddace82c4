"""--separators and --preset on `digitseq generate` and `digitseq export`, as a person runs them."""

from __future__ import annotations

import datetime

import numpy as np
from PIL import Image
from test_generate_cli import assert_usage_error, run

from digitseq_gui import DigitSequence, export, read_image_info
from digitseq_gui.engine.compose import compose
from digitseq_gui.engine.config import Config


def test_generate_draws_separators_as_gaps_or_as_symbols(tmp_path):
    done = run("generate", "090-1234-5678", "--seed", 3, "-o", tmp_path / "gap.png")
    assert done.returncode == 0, done.stderr
    assert read_image_info(tmp_path / "gap.png").label == "09012345678"
    gap = np.asarray(Image.open(tmp_path / "gap.png"))
    # The window's sample 0 and the export's route: the digits at the width minus the gaps.
    expected = compose(DigitSequence(Config()), ["090-1234-5678"], 3, 10).images[0]
    np.testing.assert_array_equal(gap, expected)

    done = run("generate", "12:34", "--separators", "drawn", "--seed", 3, "-o", f"{tmp_path}/")
    assert done.returncode == 0, done.stderr
    path = tmp_path / "seq_12_34.png"  # ':' and '/' never reach a file name
    assert done.stdout.strip() == str(path)
    info = read_image_info(path)
    assert info.label == "12:34" and info.text == "12:34"
    drawn = DigitSequence(Config.from_dict({"separators": {"style": "drawn"}})).generate("12:34", seed=3)
    np.testing.assert_array_equal(np.asarray(Image.open(path)), np.rint(drawn.image * 255).astype(np.uint8))


def test_generate_a_preset_value(tmp_path):
    done = run("generate", "--preset", "date", "--seed", 8, "-o", tmp_path / "d.png")
    assert done.returncode == 0, done.stderr
    label = read_image_info(tmp_path / "d.png").label
    assert (
        datetime.datetime.strptime(label, "%d/%m/%Y") if "/" in label else datetime.date.fromisoformat(label)
    )
    done = run("generate", "--preset", "amount", "--seed", 8, "--separators", "gap", "-o", tmp_path / "a.png")
    assert read_image_info(tmp_path / "a.png").label.isdigit()  # the option wins over the preset's setting
    assert_usage_error(run("generate", "--preset", "cheque"), "unknown preset 'cheque'")
    assert_usage_error(run("generate", "12", "--preset", "zip"), "not both or neither")
    assert_usage_error(run("generate", "12", "--separators", "inked"), "invalid choice")


def test_export_a_preset(tmp_path):
    done = run("export", "--preset", "time", "--count", 70, "--format", "npz", "--output", tmp_path, "-q")
    assert done.returncode == 0, done.stderr
    data = export.load_export(tmp_path)
    assert data["manifest"]["alphabet"] == "0123456789-.,/:()+"
    assert data["manifest"]["config"]["separators"] == {"style": "drawn"}
    for label in data["all"]["labels"]:
        hours, minutes = str(label).split(":")
        assert 0 <= int(hours) < 24 and len(minutes) == 2
    assert_usage_error(run("export", "--preset", "time", "--output", tmp_path / "x"), "--count is required")
