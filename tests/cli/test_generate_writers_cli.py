"""`digitseq generate` with separators and ``--writer``: the exported image of the text, and
the writers in the PNG's text chunks."""

from __future__ import annotations

import json

import numpy as np
from PIL import Image
from test_generate_cli import assert_usage_error, run

from digitseq_gui import Config, DigitSequence, read_image_info
from digitseq_gui.engine.data.writers import embedded_writers


def test_generate_draws_a_text_with_separators(tmp_path):
    done = run("generate", "090-1234-5678", "--seed", 7, "-o", tmp_path / "phone.png")
    assert done.returncode == 0, done.stderr
    pixels = np.asarray(Image.open(tmp_path / "phone.png"))
    expected = DigitSequence(seed=0).generate("090-1234-5678", seed=7)
    np.testing.assert_array_equal(pixels, np.rint(expected.image * 255).astype(np.uint8))
    info = read_image_info(tmp_path / "phone.png")
    assert (info.label, info.text, info.seed) == ("09012345678", "090-1234-5678", 7)
    assert info.writer == -1
    assert list(info.writers) == embedded_writers("train")[expected.source_indices].tolist()


def test_writer_same_draws_every_digit_from_one_writer(tmp_path):
    done = run("generate", "12/05/2024", "--writer", "same", "--seed", 3, "-o", tmp_path)
    assert done.returncode == 0, done.stderr
    info = read_image_info(tmp_path / "seq_12052024.png")
    assert info.writer >= 0 and set(info.writers) == {info.writer}
    assert info.settings["sampling"] == {"writer": "same"}
    again = DigitSequence(Config.from_dict({"sampling": {"writer": "same"}})).generate("12/05/2024", seed=3)
    assert again.writer == info.writer


def test_a_bad_writer_mode_is_one_line():
    assert_usage_error(run("generate", "0123", "--writer", "one"), "--writer", "any", "same")


def test_export_cli_takes_writer_same(tmp_path):
    done = run(
        "export",
        "-o",
        tmp_path / "out",
        "--count",
        64,
        "--length",
        "3-4",
        "--writer",
        "same",
        "--format",
        "jsonl",
    )
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in (tmp_path / "out" / "labels.jsonl").read_text().splitlines()]
    assert all(r["writer"] >= 0 and set(r["writers"]) == {r["writer"]} for r in rows)
