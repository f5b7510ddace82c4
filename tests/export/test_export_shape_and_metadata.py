"""Exports honour image.height, image.fit and negative spacing, carry each image's label, text,
seed, index and settings in PNG text chunks (png, webdataset, lmdb), and check every length of a
range before writing anything (issue 11 items 2, 3, 4 and 6)."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from PIL import Image

from digitseq_gui import Config, DigitSequence, LayoutError, read_image_info
from digitseq_gui.engine import sequences
from digitseq_gui.export import ExportRequest, run_export
from digitseq_gui.export.read import load_export


def shaped_config() -> Config:
    config = Config()
    config.image.height, config.image.fit, config.image.width = 40, "keep-aspect", 240
    config.spacing.min, config.spacing.max = -6, 2
    return config.validated()


def test_png_export_has_the_height_the_fit_and_self_describing_files(tmp_path):
    config = shaped_config()
    run_export(
        ExportRequest(
            tmp_path / "out",
            sequences.pattern("0[789]0-####"),
            count=70,
            config=config,
            seed=11,
            format="png",
        )
    )
    rows = list(csv.DictReader(open(tmp_path / "out" / "labels.csv")))
    assert len(rows) == 70
    for index in (0, 1, 69):
        path = tmp_path / "out" / "images" / f"{index:06d}.png"
        with Image.open(path) as image:
            assert image.size == (240, 40)
            assert image.text["label"] == rows[index]["label"]
        info = read_image_info(path)
        assert info.text == rows[index]["text"] and "-" in info.text
        assert (info.seed, info.index, info.part) == (11, index, "")
        assert Config.from_dict(info.settings) == config


def test_export_pixels_are_the_generators_at_that_height_and_fit(tmp_path):
    config = shaped_config()
    texts = ["0123", "98765432", "5", "404"] * 20
    run_export(
        ExportRequest(tmp_path / "out", sequences.explicit(texts), config=config, seed=3, format="png")
    )
    expected = DigitSequence(config).generate_batch(texts, seed=3, as_uint8=True)
    for index in (0, 5, 79):
        with Image.open(tmp_path / "out" / "images" / f"{index:06d}.png") as image:
            assert np.array_equal(np.asarray(image), expected.images[index])


@pytest.mark.parametrize("fmt", ["webdataset", "lmdb"])
def test_sample_formats_carry_the_text_chunks_too(tmp_path, fmt):
    run_export(
        ExportRequest(
            tmp_path / "out",
            sequences.random_lengths(3, 6),
            count=20,
            config=shaped_config(),
            seed=5,
            format=fmt,
            splits="train=0.5,test=0.5",
        )
    )
    loaded = load_export(tmp_path / "out")
    for part in ("train", "test"):
        for i, data in enumerate(loaded[part]["image_bytes"][:3]):
            with Image.open(io.BytesIO(data)) as image:
                assert image.size == (240, 40)
                assert image.text["label"] == loaded[part]["labels"][i]
                assert image.text["part"] == part and image.text["seed"] == "5"
                assert json.loads(image.text["settings"])["image"]["height"] == 40


@pytest.mark.parametrize("seed", range(3))
def test_a_length_range_is_refused_up_front_whatever_the_seed_draws(tmp_path, seed):
    """Fixed spacing filling 131 px fits 4 digits only: lengths 3-6 are refused before any file
    is written, even for a count of one whose one text may well have 4 digits."""
    config = Config()
    config.spacing.type, config.image.width = "fixed", 131
    with pytest.raises(LayoutError, match="every length 3-6"):
        run_export(
            ExportRequest(tmp_path / "out", sequences.random_lengths(3, 6), count=1, config=config, seed=seed)
        )
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
