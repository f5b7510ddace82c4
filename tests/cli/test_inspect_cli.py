"""``digitseq inspect FILE``: what a DigitSeq PNG carries; one line and exit 2 for anything else."""
from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from test_generate_cli import assert_usage_error, run


def test_inspect_prints_what_generate_wrote(tmp_path):
    done = run("generate", "0907", "--seed", 12, "--height", 40, "--fit", "keep-aspect", "--output", tmp_path)
    assert done.returncode == 0, done.stderr
    path = Path(done.stdout.strip())
    shown = run("inspect", path)
    assert shown.returncode == 0, shown.stderr
    lines = dict(line.split(": ", 1) for line in shown.stdout.strip().splitlines())
    assert lines["label"] == "0907" and lines["text"] == "0907" and lines["seed"] == "12"
    settings = json.loads(lines["settings"])
    assert settings["image"]["height"] == 40 and settings["image"]["fit"] == "keep-aspect"
    as_json = json.loads(run("inspect", path, "--json").stdout)
    assert as_json["label"] == "0907" and as_json["seed"] == 12 and as_json["settings"] == settings
    # the same image again from what the file says
    again = run("generate", as_json["label"], "--seed", as_json["seed"], "--height", 40, "--fit", "keep-aspect",
                "--output", tmp_path / "again.png")
    assert again.returncode == 0, again.stderr
    assert Image.open(path).tobytes() == Image.open(tmp_path / "again.png").tobytes()


def test_inspect_refuses_other_files_in_one_line(tmp_path):
    (tmp_path / "notes.txt").write_text("not an image")
    Image.new("L", (10, 10)).save(tmp_path / "other.png")
    assert_usage_error(run("inspect", tmp_path / "notes.txt"), "not a PNG")
    assert_usage_error(run("inspect", tmp_path / "other.png"), "not one written by DigitSeq")
    assert_usage_error(run("inspect", tmp_path / "missing.png"), "does not exist")
