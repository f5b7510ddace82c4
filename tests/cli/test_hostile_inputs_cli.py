"""Issue 8, item 4, on the command line: the API's table of hostile data and config files, through
``digitseq generate``, ``generate-numbers-sequence`` and ``generate-phone-numbers`` as a person runs
them (real console scripts, in subprocesses with a deadline): one line on stderr, exit 2, no
traceback, nothing written, and never a hang."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "engine"))  # the shared case table
from hostile_inputs import CONFIG_CASES, DATA_CASES  # noqa: E402
from small_disk import fill, small_tmpfs  # noqa: E402


def script(name: str) -> list[str]:
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return [str(beside)]
    found = shutil.which(name)
    if found:
        return [found]
    module = {
        "digitseq": "digitseq_gui.cli",
        "generate-numbers-sequence": "digitseq_gui.cli.numbers_sequence",
        "generate-phone-numbers": "digitseq_gui.cli.phone_numbers",
    }[name]
    return [sys.executable, "-m", module]


def run(name: str, *args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        script(name) + [str(a) for a in args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env=dict(os.environ),
    )


def assert_one_line_error(done: subprocess.CompletedProcess, prog: str, fragments) -> None:
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got: {done.stderr!r}"
    if prog == "digitseq":  # named with its subcommand, as argparse's own errors are
        prog += " " + next(a for a in done.args if a in ("generate", "export", "merge", "inspect", "gui"))
    assert lines[0].startswith(f"{prog}: error: ")
    for fragment in fragments:
        assert fragment.lower() in lines[0].lower(), (fragment, lines[0])
    assert done.stdout == ""


COMMANDS = {
    # (script, arguments before the bad file, option naming it)
    "generate": ("digitseq", ["generate", "0123", "--seed", "1"]),
    "generate-numbers-sequence": (
        "generate-numbers-sequence",
        ["--sequence", "0123", "--min-spacing", "2", "--max-spacing", "8", "--image-width", "200"],
    ),
    "generate-phone-numbers": (
        "generate-phone-numbers",
        ["--min-spacing", "2", "--max-spacing", "8", "--num-images", "10", "--workers", "1", "--quiet"],
    ),
}


def _output_args(command: str, out: Path) -> list:
    return (
        ["--output", out]
        if command == "generate-phone-numbers"
        else ["--output-path" if command == "generate-numbers-sequence" else "--output", str(out) + "/"]
    )


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("case", DATA_CASES, ids=[c.id for c in DATA_CASES])
def test_bad_data_file(tmp_path, case, command):
    work = tmp_path / "work"
    work.mkdir()
    source = case.build(work)
    prog, args = COMMANDS[command]
    out = tmp_path / "out"
    if command == "generate-numbers-sequence":  # it has no --dataset: the config names the data set
        config = tmp_path / "uses-data.json"
        config.write_text(json.dumps({"dataset": {"source": source}}))
        args = args + ["--config", config]
    else:
        args = args + ["--dataset", source]
    done = run(prog, *args, *_output_args(command, out))
    assert_one_line_error(done, prog, case.fragments)
    assert not out.exists() or list(out.iterdir()) == []


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("case", CONFIG_CASES, ids=[c.id for c in CONFIG_CASES])
def test_bad_config_file(tmp_path, case, command):
    work = tmp_path / "work"
    work.mkdir()
    config = case.build(work)
    prog, args = COMMANDS[command]
    out = tmp_path / "out"
    done = run(prog, *args, "--config", config, *_output_args(command, out))
    assert_one_line_error(done, prog, case.fragments)
    assert not out.exists() or list(out.iterdir()) == []


def test_a_very_long_sequence_is_written_under_a_shortened_name(tmp_path):
    digits = "0123456789" * 100
    done = run(
        "digitseq",
        "generate",
        digits,
        "--min-spacing",
        0,
        "--max-spacing",
        0,
        "--width",
        28000,
        "--seed",
        1,
        "--output",
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    path = Path(done.stdout.strip())
    assert path.parent == tmp_path and path.exists() and path.name.startswith("seq_0123456789")
    assert len(path.name) <= 255
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_an_output_name_too_long(tmp_path):
    done = run("digitseq", "generate", "0123", "--output", tmp_path / ("y" * 300 + ".png"))
    assert_one_line_error(done, "digitseq", ["y" * 300, "file name is 304 bytes long", "shorter name"])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "target,fragments",
    [("/dev/null", ["/dev/null", "device"]), ("pipe.png", ["pipe.png", "fifo"]), ("folder.npy", [])],
)
def test_an_output_that_is_not_a_file_is_never_replaced(tmp_path, target, fragments):
    os.mkfifo(tmp_path / "pipe.png")
    (tmp_path / "folder.npy").mkdir()
    (tmp_path / "folder.npy" / "seq_0123.png").write_bytes(b"keep")
    done = run(
        "digitseq",
        "generate",
        "0123",
        "--output",
        target if target.startswith("/") else tmp_path / target,
        "--force",
        "--seed",
        1,
    )
    if target == "folder.npy":  # an existing folder is where the image goes, beside what is there
        assert done.returncode == 0, done.stderr
        assert (tmp_path / "folder.npy" / "seq_0123.png").read_bytes() == b"keep"
        assert Path(done.stdout.strip()).name == "seq_0123_2.png"
        return
    assert_one_line_error(done, "digitseq", fragments)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.npy", "pipe.png"]


def test_a_full_disk_names_the_output(tmp_path):
    with small_tmpfs(tmp_path, "64k") as mount:
        fill(mount / "filler")
        for prog, args in (
            ("digitseq", ["generate", "0123", "--output", mount / "one.png"]),
            (
                "generate-numbers-sequence",
                [
                    "--sequence",
                    "0123",
                    "--min-spacing",
                    2,
                    "--max-spacing",
                    8,
                    "--image-width",
                    200,
                    "--output-path",
                    mount,
                ],
            ),
        ):
            done = run(prog, *args)
            assert_one_line_error(done, prog, [str(mount), "disk is full"])
        assert [p.name for p in mount.iterdir()] == ["filler"]


def test_an_export_refused_for_its_folder_is_one_line_without_a_progress_bar(tmp_path):
    out = tmp_path / "out"
    assert run("digitseq", "export", "-o", out, "--length", 3, "--count", 64, "-q").returncode == 0
    done = run("digitseq", "export", "-o", out, "--length", 3, "--count", 64)
    assert_one_line_error(done, "digitseq", [str(out), "holds an earlier export", "--overwrite", "--resume"])
