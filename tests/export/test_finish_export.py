"""RGB, ink, paper and capture through the export (issue 18): every format stores the colour
images (PNG colour type 2; (n, H, W, 3) in npz), the same bytes with any worker count and after a
kill and resume, and SequenceDataset gives the exported pixels."""

from __future__ import annotations

import io
import sys

import numpy as np
import pytest
from PIL import Image
from test_export_helpers import folder_hashes, request, small_config
from test_kill_resume import _run_in_child

from digitseq_gui import SequenceDataset, export
from digitseq_gui.engine import sequences
from digitseq_gui.engine.compose import compose
from digitseq_gui.engine.generator import DigitSequence

FORMATS = ["png", "jsonl", "npz", "lmdb", "webdataset"]
TEXTS = ["0213", "007", "090-1234-5678", "5", "0000"] * 26  # 130 images, separators too


def realistic_config():
    config = small_config(color="rgb")
    config.ink.color = ["black", "blue"]
    config.ink.pressure = 0.2
    config.paper.background, config.paper.lines = "grain", "ruled"
    config.capture.enabled = True
    return config.validated()


def _png(data: bytes) -> tuple[str, np.ndarray]:
    with Image.open(io.BytesIO(data)) as image:
        return image.mode, np.asarray(image)


def test_every_format_stores_the_rgb_images(tmp_path):
    config = realistic_config()
    source = sequences.explicit(TEXTS)
    for fmt in FORMATS:
        export.run_export(
            request(tmp_path / fmt, count=None, fmt=fmt, sequences=source, config=config, separator_width=6)
        )
    png_bytes = [(tmp_path / "png" / "images" / f"{i:06d}.png").read_bytes() for i in range(len(TEXTS))]
    decoded = [_png(b) for b in png_bytes]
    assert {mode for mode, _ in decoded} == {"RGB"}
    assert all(png_bytes[i][25] == 2 for i in range(3))  # IHDR colour type 2: truecolour
    pixels = np.stack([p for _, p in decoded])
    assert pixels.shape == (len(TEXTS), 28, 200, 3)
    # Colour, not grey in three channels: blue ink and tinted grain.
    assert (pixels[..., 2].astype(int) - pixels[..., 0]).max() > 40

    # The export's images are the engine's route's, with the same seed rules.
    npz = export.load_export(tmp_path / "npz")["all"]
    assert npz["images"].shape == (len(TEXTS), 28, 200, 3) and npz["images"].dtype == np.uint8
    assert np.array_equal(npz["images"], pixels)
    jsonl = export.load_export(tmp_path / "jsonl")["all"]
    assert [(tmp_path / "jsonl" / f).read_bytes() for f in jsonl["files"]] == png_bytes
    for fmt in ("lmdb", "webdataset"):
        loaded = export.load_export(tmp_path / fmt)["all"]
        assert [np.array_equal(_png(b)[1], p) for b, p in zip(loaded["image_bytes"], pixels)] == [True] * len(
            TEXTS
        )

    data = SequenceDataset(sequences=TEXTS, config=config, seed=11, separator_width=6)
    assert data[0]["image"].shape == (28, 200, 3)
    assert all(np.array_equal(data[i]["image"], pixels[i]) for i in (0, 63, 64, 129))
    floats = SequenceDataset(sequences=TEXTS, config=config, seed=11, separator_width=6, dtype="float32")
    assert np.array_equal(np.rint(floats[5]["image"] * 255).astype(np.uint8), pixels[5])


def test_parquet_stores_the_rgb_images(tmp_path):
    pytest.importorskip("pyarrow")
    config = realistic_config()
    export.run_export(request(tmp_path / "pq", count=70, fmt="parquet", config=config))
    export.run_export(request(tmp_path / "png", count=70, fmt="png", config=config))
    loaded = export.load_export(tmp_path / "pq")["all"]
    png = [(tmp_path / "png" / "images" / f"{i:06d}.png").read_bytes() for i in range(70)]
    assert [_png(b)[0] for b in loaded["image_bytes"]] == ["RGB"] * 70
    assert all(np.array_equal(_png(a)[1], _png(b)[1]) for a, b in zip(loaded["image_bytes"], png))


@pytest.mark.parametrize("fmt", ["png", "npz"])
def test_same_bytes_with_any_worker_count_and_chunk_size(tmp_path, fmt):
    config = realistic_config()
    one = tmp_path / "one"
    export.run_export(request(one, count=200, fmt=fmt, config=config, workers=1, chunk_size=64))
    two = tmp_path / "two"
    export.run_export(request(two, count=200, fmt=fmt, config=config, workers=2, chunk_size=128))
    assert folder_hashes(one) == folder_hashes(two)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork + SIGKILL: Linux")
@pytest.mark.parametrize("fmt", ["png", "npz"])
def test_a_killed_finished_export_resumes_to_the_same_bytes(tmp_path, fmt):
    config = realistic_config()
    reference = tmp_path / "reference"
    export.run_export(request(reference, count=256, fmt=fmt, config=config, workers=2))
    expected = folder_hashes(reference)
    for trial, delay in enumerate((0.8, 1.6, 2.4)):
        out = tmp_path / f"t{trial}"
        _run_in_child(request(out, count=256, fmt=fmt, config=config, workers=2), delay)
        resume = (out / "manifest.json").exists()
        final = export.run_export(
            request(out, count=256, fmt=fmt, config=config, workers=2, resume=resume, overwrite=not resume)
        )
        assert final.status == "complete"
        assert folder_hashes(out) == expected


def test_the_export_is_the_compose_route(tmp_path):
    config = realistic_config()
    export.run_export(
        request(
            tmp_path / "npz",
            count=64,
            fmt="npz",
            config=config,
            sequences=sequences.explicit(["1234"] * 64),
            separator_width=0,
        )
    )
    images = export.load_export(tmp_path / "npz")["all"]["images"]
    assert images.shape == (64, 28, 200, 3)
    assert len({images[i].tobytes() for i in range(64)}) == 64  # each image has its own paper and capture
    generator = DigitSequence(config)
    assert generator.config.capture.enabled
    composed = compose(generator, ["1234"] * 4, 5, 0)
    assert composed.images.shape == (4, 28, 200, 3)


def test_torchvision_v2_gets_rgb_images_channels_first():
    torch = pytest.importorskip("torch")
    v2 = pytest.importorskip("torchvision.transforms.v2")
    config = realistic_config()
    plain = SequenceDataset(64, lengths=(3, 6), seed=4, config=config)
    flipped = SequenceDataset(
        64, lengths=(3, 6), seed=4, config=config, transform=v2.RandomHorizontalFlip(p=1)
    )
    before, after = plain[3], flipped[3]
    assert before["image"].shape == (28, 200, 3)
    assert tuple(after["image"].shape) == (3, 28, 200) and after["image"].dtype == torch.uint8
    assert np.array_equal(after["image"].permute(1, 2, 0).numpy(), before["image"][:, ::-1])
    x0, y0, x1, y1 = before["boxes"].T
    assert np.array_equal(after["boxes"].numpy().astype(int), np.stack([200 - x1, y0, 200 - x0, y1], 1))
