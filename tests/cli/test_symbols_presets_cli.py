"""--separators and --preset on `digitseq generate` and `digitseq export`, as a person runs them."""

from __future__ import annotations

import csv
import datetime
import json

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


def test_generate_takes_numbers_that_begin_or_end_with_a_symbol(tmp_path):
    drawn = DigitSequence(Config.from_dict({"separators": {"style": "drawn"}}))
    for text in ("(03)1234-5678", "+81 90-1234-5678", "12.50-"):
        out = tmp_path / "n.png"
        done = run("generate", text, "--separators", "drawn", "--seed", 5, "-o", out, "--force")
        assert done.returncode == 0, done.stderr
        assert read_image_info(out).label == text.replace(" ", "")
        expected = np.rint(drawn.generate(text, seed=5).image * 255).astype(np.uint8)
        np.testing.assert_array_equal(np.asarray(Image.open(out)), expected)
    # a text that begins with '-' after --, as for any argument that begins with a dash
    done = run("generate", "--separators", "drawn", "--seed", 5, "-o", tmp_path / "m.png", "--", "-.5")
    assert done.returncode == 0, done.stderr
    assert read_image_info(tmp_path / "m.png").label == "-.5"
    done = run("generate", "(555) 123-4567", "--seed", 5, "-o", tmp_path / "gap.png")
    assert done.returncode == 0 and read_image_info(tmp_path / "gap.png").label == "5551234567"


def test_generate_refuses_a_text_of_separators_only_in_one_line(tmp_path):
    done = run("generate", "(.)", "--separators", "drawn", "-o", tmp_path / "x.png")
    assert done.returncode != 0 and "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "has no digit, only separators" in lines[0], done.stderr
    assert not (tmp_path / "x.png").exists()


def test_export_takes_edge_runs_in_a_pattern_and_a_file(tmp_path):
    listed = tmp_path / "numbers.txt"
    listed.write_text("(03)1234-5678\n12.50-\n+3\n")
    done = run("export", "--sequences", listed, "--count", 6, "--separators", "drawn", "-o", tmp_path / "a")
    assert done.returncode == 0, done.stderr
    loaded = export.load_export(tmp_path / "a")["all"]
    assert [str(x) for x in loaded["labels"]] == ["(03)1234-5678", "12.50-", "+3"] * 2
    with open(tmp_path / "a" / "labels.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["label"] for row in rows[:3]] == ["(03)1234-5678", "12.50-", "+3"]  # symbols kept
    for row in rows:
        boxes = json.loads(row["boxes"])
        image = np.asarray(Image.open(tmp_path / "a" / row["file"]))
        assert len(boxes) == len(row["label"])  # a box per character, the edge symbols' too
        assert all(image[y0:y1, x0:x1].min() < 160 for x0, y0, x1, y1 in boxes)
    done = run("export", "--pattern", "(0#)##-", "--count", 5, "--separators", "drawn", "-o", tmp_path / "b")
    assert done.returncode == 0, done.stderr
    labels = [str(x) for x in export.load_export(tmp_path / "b")["all"]["labels"]]
    assert all(label[0] == "(" and label[3] == ")" and label.endswith("-") for label in labels)
