"""`digitseq generate` as a person runs it: the real console script, in a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image


def digitseq_command() -> list[str]:
    beside = Path(sys.executable).parent / "digitseq"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("digitseq")
    return [found] if found else [sys.executable, "-m", "digitseq_gui.cli"]


def run(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        digitseq_command() + [str(a) for a in args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=dict(os.environ),
    )


def assert_usage_error(done: subprocess.CompletedProcess, *fragments: str):
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got: {done.stderr!r}"
    for fragment in fragments:
        assert fragment.lower() in lines[0].lower(), (fragment, lines[0])
    assert done.stdout == ""


def test_generate_writes_the_image_and_prints_its_path(tmp_path):
    done = run(
        "generate",
        "0123",
        "--min-spacing",
        2,
        "--max-spacing",
        8,
        "--width",
        200,
        "--seed",
        3,
        "--output",
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    path = Path(done.stdout.strip())
    assert path == tmp_path / "seq_0123.png" and path.exists()
    with Image.open(path) as image:
        assert image.mode == "L" and image.size == (200, 28)
        pixels = np.asarray(image)
    assert pixels.max() == 255 and pixels.min() < 30  # white background, dark ink


def test_the_same_seed_gives_the_same_bytes(tmp_path):
    paths = []
    for folder in ("a", "b", "c"):
        (tmp_path / folder).mkdir()
        seed = 3 if folder != "c" else 4
        done = run("generate", "0123", "--seed", seed, "--output", tmp_path / folder)
        assert done.returncode == 0, done.stderr
        paths.append(Path(done.stdout.strip()))
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert paths[0].read_bytes() != paths[2].read_bytes()


def test_a_second_run_does_not_overwrite(tmp_path):
    first = run("generate", "77", "--seed", 1, "--output", tmp_path)
    second = run("generate", "77", "--seed", 2, "--output", tmp_path)
    assert first.returncode == second.returncode == 0
    assert first.stdout.strip() != second.stdout.strip()
    assert len(list(tmp_path.iterdir())) == 2


def test_output_file_path_and_config(tmp_path):
    config = tmp_path / "seed.json"
    config.write_text(
        json.dumps(
            {
                "image": {"transform": True},
                "spacing": {"type": "fixed", "subtype": "edge"},
                "output_format": "png",
            }
        )
    )
    target = tmp_path / "one.png"
    done = run("generate", "0123", "--config", config, "--width", 140, "--seed", 0, "--output", target)
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == target
    with Image.open(target) as image:
        assert image.size == (140, 28)
    again = run("generate", "0123", "--config", config, "--width", 140, "--seed", 0, "--output", target)
    assert_usage_error(again, "exists")


def test_help_mentions_the_options():
    done = run("generate", "--help")
    assert done.returncode == 0
    for option in (
        "--min-spacing",
        "--max-spacing",
        "--width",
        "--seed",
        "--output",
        "--config",
        "--height",
        "--fit",
    ):
        assert option in done.stdout
    top = run("--help")
    assert top.returncode == 0 and "generate" in top.stdout


@pytest.mark.parametrize(
    "args,fragments",
    [
        (["generate", "12a"], ["'a'"]),
        (["generate", "0123", "--min-spacing", "-9"], ["-8", "no longer read as two digits"]),
        (["generate", "0123", "--min-spacing", "x"], ["--min-spacing"]),
        (["generate", "0123", "--height", "15"], ["image.height", "16 and 128"]),
        (["generate", "0123", "--height", "129"], ["image.height", "16 and 128"]),
        (["generate", "0123", "--fit", "crop"], ["--fit"]),
        (["generate", "0123", "--min-spacing", "9", "--max-spacing", "3"], ["9", "3"]),
        (["generate", "0123", "--width", "0"], ["--width"]),
        (["generate", "0123", "--width", "wide"], ["--width"]),
        (["generate", "0123", "--spacing-type", "fixed", "--width", "300"], ["118 to 136"]),
        (["generate", "0123", "--spacing-type", "random"], ["--spacing-type"]),
        (["generate", "0123", "--seed", "-4"], ["--seed"]),
        (["generate"], ["digits"]),
        (["frobnicate"], ["frobnicate"]),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(tmp_path, args, fragments):
    assert_usage_error(run(*args, "--output", tmp_path) if args[0] == "generate" else run(*args), *fragments)
    assert list(tmp_path.iterdir()) == []


def test_missing_config_file(tmp_path):
    assert_usage_error(
        run("generate", "0123", "--config", tmp_path / "none.json", "--output", tmp_path),
        "none.json",
        "does not exist",
    )


def test_broken_json_config(tmp_path):
    config = tmp_path / "broken.json"
    config.write_text('{"image": {"transform": tru}}')
    assert_usage_error(
        run("generate", "0123", "--config", config, "--output", tmp_path), "broken.json", "json"
    )
    config.write_text('{"image": {"tranform": true}}')
    assert_usage_error(run("generate", "0123", "--config", config, "--output", tmp_path), "image.tranform")


def test_output_folder_that_does_not_exist(tmp_path):
    missing = tmp_path / "missing" / "deeper"
    assert_usage_error(run("generate", "0123", "--output", missing / "x.png"), "does not exist")
    assert_usage_error(run("generate", "0123", "--output", tmp_path / "nope"), "nope")
    assert not (tmp_path / "missing").exists() and not (tmp_path / "nope").exists()


def test_bad_data_set(tmp_path):
    assert_usage_error(
        run("generate", "0123", "--dataset", tmp_path / "nothing", "--output", tmp_path), "nothing"
    )
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "train-images-idx3-ubyte.gz").write_bytes(b"\x1f\x8b broken")
    (tmp_path / "bad" / "train-labels-idx1-ubyte.gz").write_bytes(b"\x1f\x8b broken")
    assert_usage_error(run("generate", "0123", "--dataset", tmp_path / "bad", "--output", tmp_path), "gzip")


def test_module_entry_point_works_too(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "digitseq_gui.cli",
            "generate",
            "5",
            "--width",
            "40",
            "--seed",
            "1",
            "--output",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()).name == "seq_5.png"


def test_output_folder_with_a_trailing_slash_is_created(tmp_path):
    """``--output out/`` names a folder, as in the README's first example: it is made."""
    done = subprocess.run(
        digitseq_command() + ["generate", "0123", "--seed", "1", "--output", str(tmp_path / "out") + "/"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == tmp_path / "out" / "seq_0123.png"
    assert (tmp_path / "out" / "seq_0123.png").is_file()


def test_output_folder_without_a_slash_that_does_not_exist(tmp_path):
    done = subprocess.run(
        digitseq_command() + ["generate", "0123", "--output", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert_usage_error(done, "does not exist")


def test_height_fit_and_negative_spacing_reach_the_image(tmp_path):
    """--height 64 --fit keep-aspect: a 64-high image whose four digits keep their shape (each
    digit's box about as wide as it is high, not stretched to fill 300 px), centred with white
    margins; -6 spacing is accepted."""
    done = run(
        "generate",
        "0123",
        "--height",
        64,
        "--fit",
        "keep-aspect",
        "--width",
        300,
        "--min-spacing",
        -6,
        "--max-spacing",
        -6,
        "--seed",
        4,
        "--output",
        tmp_path / "a.png",
    )
    assert done.returncode == 0, done.stderr
    with Image.open(tmp_path / "a.png") as image:
        assert image.size == (300, 64)
        pixels = np.asarray(image)
    columns = np.flatnonzero(pixels.min(axis=0) < 128)
    # 4 cells of 28 px with 3 overlaps of 6 px: 94 px at 28 high, 215 px at 64 high, centred.
    assert 20 < columns[0] and columns[-1] < 280
    assert abs((columns[0] - 0) - (299 - columns[-1])) < 40, "the strip is centred"
    assert pixels[:, :20].min() == 255 and pixels[:, -20:].min() == 255
