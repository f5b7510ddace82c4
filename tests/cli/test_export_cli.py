"""``digitseq export``, ``digitseq merge`` and ``generate-phone-numbers`` from the command line."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from digitseq_gui import export
from digitseq_gui.cli import main
from digitseq_gui.cli.phone_numbers import main as phone_main

SMALL = ["--dataset-split", "test", "--workers", "1", "--chunk-size", "64", "--quiet"]


def hashes(folder: Path) -> dict:
    import hashlib

    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_export_writes_a_data_set(tmp_path, capsys):
    code = main(
        [
            "export",
            "--count",
            "130",
            "--length",
            "4-8",
            "-o",
            str(tmp_path / "out"),
            "--format",
            "jsonl",
            *SMALL,
        ]
    )
    assert code == 0
    assert "wrote 130 images" in capsys.readouterr().out
    data = export.load_export(tmp_path / "out")
    assert len(data["all"]["labels"]) == 130 and all(4 <= len(x) <= 8 for x in data["all"]["labels"])


def test_export_from_a_file_keeps_leading_zeros(tmp_path):
    listing = tmp_path / "numbers.txt"
    listing.write_text("0213\n007\n090-1234-5678\n", encoding="utf-8")
    assert main(["export", "--sequences", str(listing), "-o", str(tmp_path / "out"), *SMALL]) == 0
    assert export.load_export(tmp_path / "out")["all"]["labels"] == ["0213", "007", "09012345678"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--count", "10", "--pattern", "0x#"], "'x' at position 2"),
        (["--count", "200", "--pattern", "##", "--unique"], "cannot make 200 unique"),
        (["--length", "4-8"], "--count is required"),
        (["--count", "10", "--length", "8-4"], "length range 8-4"),
        (["--count", "10", "--length", "4", "--split", "train=0.9"], "add up to 1"),
        (["--count", "10", "--length", "4", "--chunk-size", "100"], "multiple of 64"),
        (["--count", "10", "--length", "4", "--format", "tiff"], "invalid choice"),
        (["--count", "10", "--length", "4", "--shard", "5/4"], "shard 5/4"),
        (["--count", "10", "--length", "4", "--min-spacing", "9", "--max-spacing", "2"], "swap them"),
        (["--count", "10"], "one of the arguments"),
        (["--sequences", "/nonexistent/numbers.txt"], "does not exist"),
        (["--count", "10", "--length", "4", "--workers", "64"], "workers must be between 1 and"),
        (["--count", "10", "--length", "4", "--compression", "zip"], "invalid choice"),
        (["--count", "10", "--length", "4", "--shard-size", "0"], "0 is not allowed; use 1 or more"),
        (["--count", "-3", "--length", "4"], "-3 is not allowed; use 1 or more"),  # not "use 0 or more"
        (["--count", "10", "--length", "4", "--width", "-5"], "-5 is not allowed; use 1 or more"),
        (["--count", "100000000000", "--length", "4"], "count must be between"),
        (["--count", "10", "--length", "4", "--seed", "99999999999999999999999"], "seed must be between"),
    ],
)
def test_export_errors_are_one_line_and_exit_2(tmp_path, capsys, args, message):
    argparse_errors = ("invalid choice", "one of the arguments", "is not allowed")
    with pytest.raises(SystemExit) if any(e in message for e in argparse_errors) else _nothing() as caught:
        code = main(["export", *args, "-o", str(tmp_path / "out"), "--quiet"])
    code = caught.value.code if caught else code
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "out").exists()


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def test_existing_output_needs_overwrite_and_foreign_files_stop_it(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["export", "--count", "64", "--length", "3", "-o", str(out), *SMALL]) == 0
    capsys.readouterr()
    assert main(["export", "--count", "64", "--length", "3", "-o", str(out), *SMALL]) == 2
    err = capsys.readouterr().err
    assert "holds an earlier export; pass --overwrite to replace it, or --resume to finish it" in err
    assert len(err.strip().splitlines()) == 1
    (out / "notes.txt").write_text("mine")
    assert main(["export", "--count", "64", "--length", "4", "-o", str(out), "--overwrite", *SMALL]) == 2
    err = capsys.readouterr().err
    assert "files no DigitSeq export wrote (notes.txt)" in err and len(err.strip().splitlines()) == 1
    assert (out / "notes.txt").read_text() == "mine"
    (out / "notes.txt").unlink()
    assert main(["export", "--count", "64", "--length", "4", "-o", str(out), "--overwrite", *SMALL]) == 0
    assert len(export.load_export(out)["all"]["labels"][0]) == 4


def test_overwrite_never_touches_a_folder_that_holds_no_export(tmp_path, capsys):
    out = tmp_path / "project"
    (out / "train").mkdir(parents=True)
    (out / "train" / "mydata.csv").write_text("precious")
    (out / "images").mkdir()
    (out / "images" / "photo.jpg").write_bytes(b"jpeg")
    assert main(["export", "--count", "64", "--length", "3", "-o", str(out), "--overwrite", *SMALL]) == 2
    err = capsys.readouterr().err
    assert "holds no DigitSeq export" in err and len(err.strip().splitlines()) == 1
    assert (out / "train" / "mydata.csv").read_text() == "precious"
    assert (out / "images" / "photo.jpg").read_bytes() == b"jpeg"


def test_shards_and_merge(tmp_path, capsys):
    common = ["--count", "200", "--pattern", "0##-##", "--format", "npz", *SMALL]
    assert main(["export", *common, "-o", str(tmp_path / "whole")]) == 0
    for i in (1, 2):
        assert main(["export", *common, "--shard", f"{i}/2", "-o", str(tmp_path / f"s{i}")]) == 0
    assert main(["merge", str(tmp_path / "s2"), str(tmp_path / "s1"), "-o", str(tmp_path / "merged")]) == 0
    assert hashes(tmp_path / "merged") == hashes(tmp_path / "whole")
    assert main(["merge", str(tmp_path / "s1"), "-o", str(tmp_path / "m2")]) == 2
    err = capsys.readouterr().err
    assert (
        "shard 2/2 is missing" in err
        and len(err.strip().splitlines()) == 1
        and not (tmp_path / "m2").exists()
    )
    assert main(["merge", str(tmp_path / "s2"), str(tmp_path / "s1"), "-o", str(tmp_path / "merged")]) == 2
    assert "holds an earlier export; pass --overwrite" in capsys.readouterr().err
    piece = sorted((tmp_path / "s2" / ".digitseq" / "chunks" / "all").iterdir())[0]
    piece.write_bytes(piece.read_bytes()[:-10])
    assert main(["merge", str(tmp_path / "s2"), str(tmp_path / "s1"), "-o", str(tmp_path / "m3")]) == 2
    err = capsys.readouterr().err
    assert (
        "s2: chunk" in err and "does not hold what was written" in err and len(err.strip().splitlines()) == 1
    )


def test_phone_numbers(tmp_path):
    code = phone_main(
        [
            "--min-spacing",
            "2",
            "--max-spacing",
            "8",
            "--image-width",
            "220",
            "--num-images",
            "100",
            "--output",
            str(tmp_path / "phones"),
            *SMALL,
        ]
    )
    assert code == 0
    data = export.load_export(tmp_path / "phones")
    texts = data["all"]["texts"]
    assert len(set(texts)) == 100
    assert all(re.fullmatch(r"0[789]0-\d{4}-\d{4}", t) for t in texts)
    assert (
        data["manifest"]["config"]["spacing"]["min"] == 2
        and data["manifest"]["config"]["image"]["width"] == 220
    )
    assert data["manifest"]["sequences"]["unique"] is True


def test_phone_numbers_errors(tmp_path, capsys):
    code = phone_main(
        [
            "--min-spacing",
            "9",
            "--max-spacing",
            "2",
            "--num-images",
            "10",
            "--output",
            str(tmp_path / "p"),
            "--quiet",
        ]
    )
    err = capsys.readouterr().err
    assert (
        code == 2 and err.startswith("generate-phone-numbers: error:") and len(err.strip().splitlines()) == 1
    )


def test_ctrl_c_leaves_a_consistent_data_set_and_resume_finishes_it(tmp_path):
    out = tmp_path / "out"
    args = ["export", "--count", "3000", "--length", "4-8", "-o", str(out), "--seed", "5", *SMALL]
    script = "import sys; from digitseq_gui.cli import main; sys.exit(main(sys.argv[1:]))"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-c", script, *args], stderr=subprocess.PIPE, stdout=subprocess.PIPE, env=env
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                manifest = json.loads((out / "manifest.json").read_text())
                if manifest.get("progress", {}).get("chunks_committed", 0) >= 2:
                    break
            except (OSError, ValueError):
                pass
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err.decode()
    assert b"--resume" in err and b"Traceback" not in err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "partial"
    rows = (out / "labels.csv").read_text().splitlines()[1:]
    files = sorted(p.name for p in (out / "images").iterdir())
    assert len(files) == len(rows) == 64 * manifest["progress"]["chunks_committed"] < 3000
    assert files == sorted(r.split(",")[1].split("/")[1] for r in rows)
    assert main([*args, "--resume"]) == 0
    whole = tmp_path / "whole"
    assert main([*args[:6], str(whole), *args[7:]]) == 0
    assert hashes(out) == hashes(whole)


def test_cli_errors_about_folders(tmp_path, capsys):
    from digitseq_gui.export.lock import folder_lock

    out = tmp_path / "out"
    base = ["export", "--count", "128", "--length", "3", "-o", str(out), *SMALL]
    assert main(base) == 0
    with folder_lock(out):
        assert main([*base, "--overwrite"]) == 2
    err = capsys.readouterr().err
    assert (
        f"{out} is in use by another DigitSeq export or merge" in err and len(err.strip().splitlines()) == 1
    )
    manifest = json.loads((out / "manifest.json").read_text())
    manifest.update(status="partial", progress={"chunks_committed": "two"})
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert main([*base, "--resume"]) == 2
    err = capsys.readouterr().err
    assert "'progress' is not" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    manifest.update(status="complete")
    del manifest["progress"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert main(["export", "--count", "128", "--length", "4", "-o", str(out), "--resume", *SMALL]) == 2
    err = capsys.readouterr().err
    assert "different settings" in err and "pass --overwrite to start again" in err


def _start_export(out, *extra, count="200000"):
    args = [
        "export",
        "--count",
        count,
        "--length",
        "4-8",
        "-o",
        str(out),
        "--seed",
        "5",
        "--dataset-split",
        "test",
        "--chunk-size",
        "64",
        "--quiet",
        *extra,
    ]
    script = "import sys; from digitseq_gui.cli import main; sys.exit(main(sys.argv[1:]))"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-c", script, *args], stderr=subprocess.PIPE, stdout=subprocess.PIPE, env=env
    )


def _wait_for_commits(out, chunks, process, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            manifest = json.loads((out / "manifest.json").read_text())
            if manifest.get("progress", {}).get("chunks_committed", 0) >= chunks:
                return True
        except (OSError, ValueError):
            pass
        time.sleep(0.02)
    return False


def test_a_second_ctrl_c_stops_at_once_without_a_traceback_and_resume_finishes(tmp_path):
    out = tmp_path / "out"
    process = _start_export(out, "--workers", "2", count="3000")
    try:
        assert _wait_for_commits(out, 1, process)
        process.send_signal(signal.SIGINT)
        time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    text = err.decode()
    assert process.returncode == 130 and "Traceback" not in text, text
    assert len(text.strip().splitlines()) == 1
    # stopped before the export began (nothing written), or after: then it says how to finish it
    assert "--resume" in text if (out / "manifest.json").exists() else "interrupted" in text
    assert (
        main(
            [
                "export",
                "--count",
                "3000",
                "--length",
                "4-8",
                "-o",
                str(out),
                "--seed",
                "5",
                *SMALL,
                "--resume",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "export",
                "--count",
                "3000",
                "--length",
                "4-8",
                "-o",
                str(tmp_path / "whole"),
                "--seed",
                "5",
                *SMALL,
            ]
        )
        == 0
    )
    assert hashes(out) == hashes(tmp_path / "whole")


@pytest.mark.parametrize("delay", [0.0, 0.3])
def test_ctrl_c_during_start_up_is_one_line(tmp_path, delay):
    """Ctrl+C while the export starts (folder locked, manifest being written, workers spawning)."""
    out = tmp_path / "out"
    process = _start_export(out, "--workers", "2")
    try:
        deadline = time.monotonic() + 60
        while (
            not (out / ".digitseq" / "lock").exists()
            and time.monotonic() < deadline
            and process.poll() is None
        ):
            time.sleep(0.005)
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    text = err.decode()
    assert process.returncode == 130 and "Traceback" not in text, text
    assert len(text.strip().splitlines()) == 1 and "--resume" in text


def _children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(c) for c in handle.read().split()]
    except OSError:
        return []


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_exit_when_the_parent_is_killed(tmp_path):
    out = tmp_path / "out"
    process = _start_export(out, "--workers", "2")
    try:
        assert _wait_for_commits(out, 1, process)
        workers = _children(process.pid)
        assert len(workers) >= 2
        process.kill()
        process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.05)
        assert not any(_alive(w) for w in workers)
    finally:
        if process.poll() is None:
            process.kill()
    from digitseq_gui.export.manifest import read_manifest

    manifest = read_manifest(out)  # the killed export is still a readable, resumable one
    assert manifest["status"] == "partial" and manifest["progress"]["chunks_committed"] >= 1


def test_export_takes_height_fit_and_negative_spacing_and_inspect_reads_the_files(tmp_path, capsys):
    from PIL import Image

    out = tmp_path / "out"
    assert (
        main(
            [
                "export",
                "--count",
                "6",
                "--length",
                "3-5",
                "--output",
                str(out),
                "--seed",
                "4",
                "--height",
                "32",
                "--fit",
                "keep-aspect",
                "--min-spacing",
                "-5",
                "--max-spacing",
                "0",
                "--quiet",
            ]
        )
        == 0
    )
    with Image.open(out / "images" / "000002.png") as image:
        assert image.size == (200, 32)
    capsys.readouterr()
    assert main(["inspect", str(out / "images" / "000002.png")]) == 0
    shown = dict(line.split(": ", 1) for line in capsys.readouterr().out.strip().splitlines())
    assert shown["seed"] == "4" and shown["index"] == "2" and 3 <= len(shown["label"]) <= 5
    assert json.loads(shown["settings"])["spacing"]["min"] == -5
    assert (
        main(
            ["export", "--count", "6", "--length", "3", "--output", str(tmp_path / "bad"), "--height", "200"]
        )
        == 2
    )
    assert "image.height" in capsys.readouterr().err
