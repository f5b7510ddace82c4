"""Exports are byte-identical across workers and chunk sizes, after a resume, and across shards."""

from __future__ import annotations

import json

import pytest
from test_export_helpers import cancel_after, folder_hashes, request

from digitseq_gui import export
from digitseq_gui.engine import sequences
from digitseq_gui.export.manifest import read_manifest


@pytest.mark.parametrize("fmt", ["png", "npz"])
def test_same_bytes_whatever_the_workers_and_chunk_size(tmp_path, fmt):
    export.run_export(request(tmp_path / "a", count=300, fmt=fmt, chunk_size=64, workers=1))
    export.run_export(request(tmp_path / "b", count=300, fmt=fmt, chunk_size=128, workers=2))
    export.run_export(request(tmp_path / "c", count=300, fmt=fmt, chunk_size=256, workers=1))
    a = folder_hashes(tmp_path / "a")
    assert len(a) == (304 if fmt == "png" else 3)  # + manifest, .digitseq/lock (and labels.csv, metadata.csv)
    assert ".digitseq/ledger.jsonl" not in a and not any(".digitseq/chunks" in name for name in a)
    assert a == folder_hashes(tmp_path / "b") == folder_hashes(tmp_path / "c")


def test_mixed_separators_are_reproducible_across_chunk_sizes(tmp_path):
    texts = ["01-23", "4567", "8-9-0", "123"] * 40
    for name, chunk in (("a", 64), ("b", 128)):
        export.run_export(
            request(
                tmp_path / name, count=None, fmt="npz", chunk_size=chunk, sequences=sequences.explicit(texts)
            )
        )
    assert folder_hashes(tmp_path / "a") == folder_hashes(tmp_path / "b")


def test_different_seeds_differ(tmp_path):
    export.run_export(request(tmp_path / "a", count=64, fmt="npz", seed=1))
    export.run_export(request(tmp_path / "b", count=64, fmt="npz", seed=2))
    assert folder_hashes(tmp_path / "a")["data.npz"] != folder_hashes(tmp_path / "b")["data.npz"]


def _consistent(folder, fmt):
    """Labels list exactly the images on disk, and the manifest counts them."""
    manifest = read_manifest(folder)
    assert manifest["status"] == "partial"
    committed = manifest["progress"]["chunks_committed"]
    ledger_lines = (folder / ".digitseq" / "ledger.jsonl").read_text().splitlines()
    assert len(ledger_lines) == committed
    if fmt == "npz":
        assert len(list((folder / ".digitseq" / "chunks" / "all").glob("*.npzpiece"))) == committed
        return committed
    rows = (folder / ("labels.csv" if fmt == "png" else "labels.jsonl")).read_text().splitlines()
    rows = rows[1:] if fmt == "png" else rows
    files = sorted(p.name for p in (folder / "images").iterdir())
    listed = sorted(
        (json.loads(r)["file"] if fmt == "jsonl" else r.split(",")[1]).split("/")[1] for r in rows
    )
    assert files == listed and len(files) == committed * 64
    assert not list(folder.rglob(".digitseq-tmp-*"))
    return committed


@pytest.mark.parametrize("fmt, workers", [("png", 1), ("jsonl", 2), ("npz", 1), ("npz", 2)])
def test_resume_after_cancel_gives_the_uninterrupted_bytes(tmp_path, fmt, workers):
    export.run_export(request(tmp_path / "whole", count=400, fmt=fmt))
    progress, cancel = cancel_after(2)
    result = export.run_export(
        request(tmp_path / "part", count=400, fmt=fmt, workers=workers), progress, cancel
    )
    assert result.status == "cancelled" and 0 < result.written < 400
    assert _consistent(tmp_path / "part", fmt) == result.written // 64
    again = export.run_export(request(tmp_path / "part", count=400, fmt=fmt, workers=workers, resume=True))
    assert again.status == "complete" and again.written == 400
    assert folder_hashes(tmp_path / "part") == folder_hashes(tmp_path / "whole")


def test_resume_cleans_what_an_abrupt_stop_left(tmp_path):
    export.run_export(request(tmp_path / "whole", count=256))
    progress, cancel = cancel_after(1)
    export.run_export(request(tmp_path / "part", count=256), progress, cancel)
    part = tmp_path / "part"
    # what a kill in the middle of the next chunk could leave: images, a label row, a temp file
    (part / "images" / "000100.png").write_bytes(b"half")
    (part / "images" / ".digitseq-tmp-000101.png").write_bytes(b"half")
    (part / "images" / ".mine.png.tmp").write_bytes(b"a user's file: resume leaves it alone")
    with open(part / "labels.csv", "a") as handle:
        handle.write('100,images/000100.png,12,12,"[]","[]"\n')
    export.run_export(request(part, count=256, resume=True))
    assert (part / "images" / ".mine.png.tmp").read_bytes().startswith(b"a user's")
    (part / "images" / ".mine.png.tmp").unlink()
    assert folder_hashes(part) == folder_hashes(tmp_path / "whole")


@pytest.mark.parametrize("fmt", ["png", "npz"])
def test_shards_merge_into_the_whole(tmp_path, fmt):
    kwargs = dict(
        count=300,
        fmt=fmt,
        splits="train=0.5,val=0.25,test=0.25",
        sequences=sequences.pattern("0[789]0-####-####"),
        unique=True,
    )
    export.run_export(request(tmp_path / "whole", **kwargs))
    shards = []
    for i in (1, 2, 3):
        shards.append(tmp_path / f"shard{i}")
        export.run_export(request(shards[-1], shard=f"{i}/3", **kwargs))
        assert read_manifest(shards[-1])["shard"]["index"] == i
    export.merge_exports(list(reversed(shards)), tmp_path / "merged")
    assert folder_hashes(tmp_path / "merged", ignore_chunk_size=False) == folder_hashes(
        tmp_path / "whole", ignore_chunk_size=False
    )


def test_merge_refuses_incomplete_or_foreign_shards(tmp_path):
    for i in (1, 2):
        export.run_export(request(tmp_path / f"s{i}", count=128, shard=f"{i}/2", seed=i))
    with pytest.raises(ValueError, match="another export"):
        export.merge_exports([tmp_path / "s1", tmp_path / "s2"], tmp_path / "m")
    with pytest.raises(ValueError, match="shard 2/2 is missing"):
        export.merge_exports([tmp_path / "s1"], tmp_path / "m")
