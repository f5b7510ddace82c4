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
    again = run(
        "generate",
        as_json["label"],
        "--seed",
        as_json["seed"],
        "--height",
        40,
        "--fit",
        "keep-aspect",
        "--output",
        tmp_path / "again.png",
    )
    assert again.returncode == 0, again.stderr
    assert Image.open(path).tobytes() == Image.open(tmp_path / "again.png").tobytes()


def test_inspect_refuses_other_files_in_one_line(tmp_path):
    (tmp_path / "notes.txt").write_text("not an image")
    Image.new("L", (10, 10)).save(tmp_path / "other.png")
    assert_usage_error(run("inspect", tmp_path / "notes.txt"), "not a PNG")
    assert_usage_error(run("inspect", tmp_path / "other.png"), "not one written by DigitSeq")
    assert_usage_error(run("inspect", tmp_path / "missing.png"), "does not exist")


def test_a_reader_that_goes_away_ends_inspect_quietly(tmp_path):
    """`digitseq inspect F --json | head -c 10`: no "Broken pipe" error, no traceback."""
    import subprocess
    import sys

    from digitseq_gui import DigitSequence

    generator = DigitSequence(seed=1)
    image = generator.generate_numbers_sequence("0123", (2, 8), 200)
    path = generator.save_image(image, "0123", tmp_path)
    script = (
        "import os, sys\n"
        "r, w = os.pipe(); os.close(r); os.dup2(w, 1)\n"  # stdout: a pipe nobody reads
        "from digitseq_gui.cli import main\n"
        f"sys.exit(main(['inspect', {str(path)!r}, '--json']))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 141, done.stderr
    assert done.stderr == ""
