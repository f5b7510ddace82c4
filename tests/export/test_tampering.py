"""Resume and merge trust nothing they find (issue 21): links inside an export are refused before
anything is written; committed chunks are checked against the ledger and a tampered one is made
again, so the finished export is byte-identical to an uninterrupted run; a finished export whose
files changed is not called complete; a shard that lost its records is refused in one line."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest
from test_export_helpers import cancel_after, folder_hashes, request

from digitseq_gui import export
from digitseq_gui.export.errors import DAMAGED, LINKED, ExportFolderError

FORMATS = ["png", "jsonl", "npz", "lmdb", "webdataset"]
if importlib.util.find_spec("pyarrow") is not None:  # the parquet extra
    FORMATS.append("parquet")
COUNT = 300  # 5 chunks of 64


def _cancelled(folder: Path, fmt: str, chunks: int = 3) -> None:
    progress, cancel = cancel_after(chunks)
    result = export.run_export(request(folder, count=COUNT, fmt=fmt, shard_size=100), progress, cancel)
    assert result.status == "cancelled"


def _resume(folder: Path, fmt: str):
    return export.run_export(request(folder, count=COUNT, fmt=fmt, shard_size=100, resume=True), None)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    """The reference bytes of each format, made once."""
    out = {}
    for fmt in FORMATS:
        folder = tmp_path_factory.mktemp(fmt)
        export.run_export(request(folder / "whole", count=COUNT, fmt=fmt, shard_size=100), None)
        out[fmt] = folder_hashes(folder / "whole")
    return out


def _flip_a_byte(path: Path, at: int = 40) -> None:
    data = bytearray(path.read_bytes())
    data[min(at, len(data) - 1)] ^= 0xFF
    path.write_bytes(bytes(data))


def _committed_files(folder: Path, fmt: str) -> list[Path]:
    if fmt in ("png", "jsonl"):
        return sorted((folder / "images").iterdir())
    return sorted((folder / ".digitseq" / "chunks" / "all").iterdir())


TAMPERINGS = {
    "first committed file removed": lambda folder, fmt: _committed_files(folder, fmt)[0].unlink(),
    "a committed file corrupted": lambda folder, fmt: _flip_a_byte(_committed_files(folder, fmt)[1]),
    "a committed file cut short": lambda folder, fmt: os.truncate(_committed_files(folder, fmt)[-1], 10),
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("how", sorted(TAMPERINGS))
def test_a_tampered_committed_chunk_is_made_again(tmp_path, uninterrupted, fmt, how):
    folder = tmp_path / "out"
    _cancelled(folder, fmt)
    TAMPERINGS[how](folder, fmt)
    assert _resume(folder, fmt).status == "complete"
    assert folder_hashes(folder) == uninterrupted[fmt]


@pytest.mark.parametrize("fmt", ["png", "jsonl"])
@pytest.mark.parametrize("how", ["cut", "lengthened", "a label edited"])
def test_a_tampered_label_file_is_repaired(tmp_path, uninterrupted, fmt, how):
    folder = tmp_path / "out"
    _cancelled(folder, fmt)
    labels = folder / ("labels.csv" if fmt == "png" else "labels.jsonl")
    data = labels.read_bytes()
    if how == "cut":
        labels.write_bytes(data[: len(data) // 2])
    elif how == "lengthened":
        labels.write_bytes(data + b"999999,extra\n")
    else:  # same size: only the recorded sha256 of the rows can tell
        i = data.index(b"\n") + 12
        labels.write_bytes(data[:i] + (b"7" if data[i : i + 1] != b"7" else b"8") + data[i + 1 :])
    assert _resume(folder, fmt).status == "complete"
    assert folder_hashes(folder) == uninterrupted[fmt]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_partial_export_marked_complete_by_hand_is_resumed_as_partial(tmp_path, uninterrupted, fmt):
    folder = tmp_path / "out"
    _cancelled(folder, fmt)
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps(dict(manifest, status="complete"), indent=2) + "\n")
    assert _resume(folder, fmt).status == "complete"
    assert folder_hashes(folder) == uninterrupted[fmt]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_finished_export_whose_files_changed_is_not_called_complete(tmp_path, fmt):
    folder = tmp_path / "out"
    export.run_export(request(folder, count=COUNT, fmt=fmt, shard_size=100), None)
    recorded = json.loads((folder / "manifest.json").read_text())["files"]
    victim = folder / sorted(recorded)[0]
    _flip_a_byte(victim)
    with pytest.raises(ExportFolderError, match="is not as the export wrote it") as caught:
        _resume(folder, fmt)
    assert caught.value.kind == DAMAGED and "overwrite" in str(caught.value)


# -- links ---------------------------------------------------------------------------------------


def _link_case(folder: Path, outside: Path, fmt: str, which: str) -> Path:
    """Replace ``which`` inside the export by a link to ``outside``; return what must stay intact."""
    if which == "label file":
        target = outside / "my-rows.csv"
        target.write_text("my own rows, not DigitSeq's\n")
        (folder / "labels.csv").unlink()
        (folder / "labels.csv").symlink_to(target)
        return target
    if which == "images folder":
        (outside / "images").mkdir()
        target = outside / "images" / "000299.png"  # an index-named file the user keeps there
        target.write_bytes(b"mine")
        for path in (folder / "images").iterdir():
            path.rename(outside / "images" / path.name)
        (folder / "images").rmdir()
        (folder / "images").symlink_to(outside / "images")
        return target
    # the pieces folder
    (outside / "pieces").mkdir()
    target = outside / "pieces" / "unrelated.txt"
    target.write_text("keep me")
    pieces = folder / ".digitseq" / "chunks" / "all"
    for path in pieces.iterdir():
        path.rename(outside / "pieces" / path.name)
    pieces.rmdir()
    pieces.symlink_to(outside / "pieces")
    return target


@pytest.mark.parametrize(
    "fmt, which", [("png", "label file"), ("png", "images folder"), ("webdataset", "pieces folder")]
)
def test_resume_and_overwrite_refuse_a_link_inside_the_export(tmp_path, fmt, which):
    folder, outside = tmp_path / "out", tmp_path / "elsewhere"
    outside.mkdir()
    _cancelled(folder, fmt)
    kept = _link_case(folder, outside, fmt, which)
    before = {p: p.read_bytes() for p in outside.rglob("*") if p.is_file()}
    for kwargs in ({"resume": True}, {"overwrite": True}):
        with pytest.raises(ExportFolderError, match="is a link") as caught:
            export.run_export(request(folder, count=COUNT, fmt=fmt, shard_size=100, **kwargs), None)
        assert caught.value.kind == LINKED
        assert "link the whole export folder instead" in str(caught.value)
    assert {p: p.read_bytes() for p in outside.rglob("*") if p.is_file()} == before
    assert kept.exists()


def test_a_whole_export_folder_behind_a_link_resumes(tmp_path, uninterrupted):
    real = tmp_path / "bigdisk" / "out"
    real.parent.mkdir()
    _cancelled(real, "png")
    (tmp_path / "out").symlink_to(real)
    assert _resume(tmp_path / "out", "png").status == "complete"
    assert folder_hashes(real) == uninterrupted["png"]


# -- merge ---------------------------------------------------------------------------------------


def _shards(tmp_path: Path, fmt: str = "png") -> list[Path]:
    folders = []
    for i in (1, 2):
        folder = tmp_path / f"shard-{i}"
        export.run_export(request(folder, count=COUNT, fmt=fmt, shard=(i, 2)), None)
        folders.append(folder)
    return folders


@pytest.mark.parametrize("records", ["missing", [1], {"labels.csv": "x"}, {}])
def test_merge_refuses_a_shard_whose_records_are_missing_or_malformed(tmp_path, records):
    shards = _shards(tmp_path)
    path = shards[1] / "manifest.json"
    manifest = json.loads(path.read_text())
    if records == "missing":
        del manifest["shard_files"]
    else:
        manifest["shard_files"] = records
    path.write_text(json.dumps(manifest, indent=2) + "\n")
    with pytest.raises(ExportFolderError, match="does not record its label files") as caught:
        export.merge_exports(shards, tmp_path / "merged")
    assert caught.value.kind == DAMAGED
    assert not (tmp_path / "merged").exists() or not any((tmp_path / "merged").iterdir())


def test_merge_refuses_a_shard_label_file_that_is_a_link(tmp_path):
    shards = _shards(tmp_path)
    outside = tmp_path / "mine.csv"
    outside.write_bytes((shards[1] / "labels.csv").read_bytes())
    (shards[1] / "labels.csv").unlink()
    (shards[1] / "labels.csv").symlink_to(outside)
    with pytest.raises(ExportFolderError, match="is a link") as caught:
        export.merge_exports(shards, tmp_path / "merged")
    assert caught.value.kind == LINKED


def test_merge_refuses_an_edited_label_in_a_shard(tmp_path):
    shards = _shards(tmp_path)
    labels = shards[0] / "labels.csv"
    data = labels.read_bytes()
    i = data.index(b"\n") + 12
    labels.write_bytes(data[:i] + (b"7" if data[i : i + 1] != b"7" else b"8") + data[i + 1 :])
    with pytest.raises(ExportFolderError, match="labels.csv is not as written"):
        export.merge_exports(shards, tmp_path / "merged")
