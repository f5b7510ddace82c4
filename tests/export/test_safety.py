"""One writer per folder, merge refuses anything but a whole, consistent set of shards, and every
bad input is one clear error (a DigitSeqError or OSError) that leaves the files as they were."""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest
from small_disk import fill, small_tmpfs
from test_export_helpers import cancel_after, folder_hashes, request

from digitseq_gui import export
from digitseq_gui.engine.errors import DigitSeqError
from digitseq_gui.export.disk import is_temp
from digitseq_gui.export.errors import ExportFolderError
from digitseq_gui.export.lock import folder_lock

# -- one writer per folder ---------------------------------------------------------------------


@pytest.mark.parametrize("how", ["fresh", "resume", "overwrite", "merge"])
def test_a_second_writer_of_a_folder_fails_at_once_naming_it(tmp_path, how):
    out = tmp_path / "out"
    if how != "fresh":
        export.run_export(request(out, count=64))
    shards = []
    if how == "merge":
        for i in (1, 2):
            shards.append(tmp_path / f"s{i}")
            export.run_export(request(shards[-1], count=128, shard=(i, 2)))
    before = folder_hashes(out) if out.exists() else None
    with folder_lock(out):  # another process's export, as far as this one can tell
        with pytest.raises(ExportFolderError, match="in use by another DigitSeq export") as caught:
            if how == "merge":
                export.merge_exports(shards, out, overwrite=True)
            else:
                export.run_export(
                    request(out, count=64, resume=how == "resume", overwrite=how == "overwrite")
                )
    assert caught.value.kind == "busy" and str(out) in str(caught.value)
    assert len(str(caught.value).splitlines()) == 1
    if before is not None:
        assert folder_hashes(out) == before


def test_a_merge_waits_for_no_shard_being_written(tmp_path):
    shards = [tmp_path / f"s{i}" for i in (1, 2)]
    for i, folder in enumerate(shards, 1):
        export.run_export(request(folder, count=128, shard=(i, 2)))
    with folder_lock(shards[1]):
        with pytest.raises(ExportFolderError, match="s2 is in use"):
            export.merge_exports(shards, tmp_path / "merged")
    assert not (tmp_path / "merged").exists()


# -- merge checks --------------------------------------------------------------------------------


def _shards(tmp_path, fmt="png", n=3, count=300, **kwargs):
    folders = []
    for i in range(1, n + 1):
        folders.append(tmp_path / f"{fmt}-{i}-of-{n}{kwargs.get('seed', '')}")
        export.run_export(request(folders[-1], count=count, fmt=fmt, shard=(i, n), **kwargs))
    return folders


def _break_png_shard(folder, how):
    image = folder / "images" / "000130.png"  # shard 2 of 3 owns images 128-191 at chunk size 64
    if how == "missing image":
        image.unlink()
    elif how == "changed image":
        image.write_bytes(image.read_bytes()[:-1] + b"x")
    elif how == "truncated labels":
        labels = folder / "labels.csv"
        labels.write_bytes(labels.read_bytes()[:-40])
    elif how == "link out of the shard":
        outside = folder.parent / "outside.png"
        shutil.copyfile(image, outside)
        image.unlink()
        image.symlink_to(outside)  # same bytes, but a link: never followed
    elif how == "missing ledger line":
        ledger = folder / ".digitseq" / "ledger.jsonl"
        ledger.write_text("".join(ledger.read_text().splitlines(keepends=True)[:-1]))
    elif how == "ledger link":
        ledger = folder / ".digitseq" / "ledger.jsonl"
        shutil.copyfile(ledger, folder.parent / "ledger-copy")
        ledger.unlink()
        ledger.symlink_to(folder.parent / "ledger-copy")


@pytest.mark.parametrize(
    "how, words",
    [
        ("missing image", "images/000130.png is missing"),
        ("changed image", "does not hold what was written"),
        ("truncated labels", "labels.csv is not as written"),
        ("link out of the shard", "is a link"),
        ("missing ledger line", "is incomplete"),
        ("ledger link", "is a link"),
    ],
)
def test_merge_refuses_a_damaged_shard_naming_it_and_writes_nothing(tmp_path, how, words):
    shards = _shards(tmp_path)
    _break_png_shard(shards[1], how)
    with pytest.raises(ExportFolderError, match=words) as caught:
        export.merge_exports(shards, tmp_path / "merged")
    assert str(shards[1]) in str(caught.value) and len(str(caught.value).splitlines()) == 1
    assert not (tmp_path / "merged").exists()


@pytest.mark.parametrize("fmt", ["npz", "lmdb", "webdataset"])
def test_merge_refuses_a_corrupt_or_missing_piece(tmp_path, fmt):
    shards = _shards(tmp_path, fmt=fmt)
    pieces = sorted((shards[2] / ".digitseq" / "chunks" / "all").iterdir())
    original = pieces[0].read_bytes()
    data = bytearray(original)
    data[len(data) // 2] ^= 0xFF
    pieces[0].write_bytes(bytes(data))
    with pytest.raises(ExportFolderError, match="does not hold what was written"):
        export.merge_exports(shards, tmp_path / "merged")
    pieces[0].write_bytes(original)
    pieces[-1].unlink()
    with pytest.raises(ExportFolderError, match="missing"):
        export.merge_exports(shards, tmp_path / "merged")
    assert not (tmp_path / "merged").exists()


def test_merge_refuses_shards_of_other_runs_duplicates_and_gaps(tmp_path):
    thirds = _shards(tmp_path, n=3)
    halves = _shards(tmp_path, n=2)
    other_seed = _shards(tmp_path, n=3, seed=99)
    with pytest.raises(ExportFolderError, match="differs in shard.count"):
        export.merge_exports([thirds[0], halves[1], thirds[2]], tmp_path / "m")
    with pytest.raises(ExportFolderError, match=r"differs in .*seed"):
        export.merge_exports([thirds[0], other_seed[1], thirds[2]], tmp_path / "m")
    copy = tmp_path / "copy-of-1"
    shutil.copytree(thirds[0], copy, symlinks=True)
    with pytest.raises(ExportFolderError, match="both shard 1/3"):
        export.merge_exports([thirds[0], copy, thirds[2]], tmp_path / "m")
    with pytest.raises(ExportFolderError, match="shard 2/3 is missing"):
        export.merge_exports([thirds[0], thirds[2]], tmp_path / "m")
    manifest = json.loads((thirds[1] / "manifest.json").read_text())
    manifest["shard"]["chunks"] = [2, 4]  # claims other chunks than 2/3 of 5 owns
    (thirds[1] / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ExportFolderError, match="instead of"):
        export.merge_exports(thirds, tmp_path / "m")
    assert not (tmp_path / "m").exists()


def test_merge_refuses_an_unfinished_shard(tmp_path):
    progress, cancel = cancel_after(1)
    out = tmp_path / "s1"
    export.run_export(request(out, count=640, shard=(1, 2)), progress, cancel)
    export.run_export(request(tmp_path / "s2", count=640, shard=(2, 2)))
    with pytest.raises(ExportFolderError, match="s1 is not complete"):
        export.merge_exports([out, tmp_path / "s2"], tmp_path / "m")


def test_an_interrupted_merge_can_be_overwritten(tmp_path):
    shards = _shards(tmp_path, fmt="npz")
    export.run_export(request(tmp_path / "whole", count=300, fmt="npz"))
    merged = tmp_path / "merged"
    export.merge_exports(shards, merged)
    # what a merge killed half-way leaves: its manifest (partial), some of the output
    manifest = json.loads((merged / "manifest.json").read_text())
    (merged / "manifest.json").write_text(
        json.dumps(dict(manifest, status="partial", progress={"chunks_committed": 0, "sizes": {}}))
    )
    (merged / "data.npz").write_bytes(b"half")
    with pytest.raises(ExportFolderError, match="holds an earlier export"):
        export.merge_exports(shards, merged)
    export.merge_exports(shards, merged, overwrite=True)
    assert folder_hashes(merged, ignore_chunk_size=False) == folder_hashes(
        tmp_path / "whole", ignore_chunk_size=False
    )


# -- bad inputs: one clear error each ----------------------------------------------------------


def _partial(tmp_path):
    out = tmp_path / "partial"
    progress, cancel = cancel_after(1)
    export.run_export(request(out, count=256), progress, cancel)
    return out


def _edit_manifest(folder, **changes):
    manifest = json.loads((folder / "manifest.json").read_text())
    for key, value in changes.items():
        if key == "progress_value":
            manifest["progress"] = value
        else:
            manifest[key] = value
    (folder / "manifest.json").write_text(json.dumps(manifest))


BAD_REQUESTS = [
    ({"workers": 64}, "at most|between 1 and"),
    ({"workers": 0}, "between 1 and"),
    ({"workers": 2.5}, "whole number"),
    ({"compression": "zip"}, "compression 'zip'"),
    ({"shard_size": 0}, "shard size"),
    ({"fmt": 5}, "unknown export format"),
    ({"fmt": "tfrecord"}, "unknown export format"),
    ({"chunk_size": 10**9}, "chunk size"),
    ({"chunk_size": "64"}, "chunk size must be a whole number"),
    ({"count": 10**9}, "count must be between"),
    ({"count": "100"}, "count must be a whole number"),
    ({"seed": -1}, "seed"),
    ({"separator_width": -3}, "separator width"),
    ({"shard": "1/0"}, "shard"),
    ({"splits": "train=2"}, "fraction"),
]


@pytest.mark.parametrize("kwargs, words", BAD_REQUESTS)
def test_bad_requests_are_one_clear_error_before_writing(tmp_path, kwargs, words):
    kwargs = dict(kwargs)
    fmt = kwargs.pop("fmt", "png")
    with pytest.raises(DigitSeqError, match=words) as caught:
        export.run_export(request(tmp_path / "out", fmt=fmt, **kwargs))
    assert len(str(caught.value).splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_too_many_workers_names_the_limit_and_why(tmp_path):
    with pytest.raises(DigitSeqError) as caught:
        export.run_export(request(tmp_path / "out", workers=64))
    message = str(caught.value)
    assert "core" in message and "memory" in message and "64" in message


@pytest.mark.parametrize(
    "progress, words",
    [
        ("lots", "'progress' is not"),
        ({"chunks_committed": "3", "sizes": {}}, "'progress' is not"),
        ({"chunks_committed": -1, "sizes": {}}, "'progress' is not"),
        ({"chunks_committed": 1, "sizes": {"labels.csv": "big"}}, "'progress' is not"),
        ({"chunks_committed": 99, "sizes": {}}, "progress counts 99 chunks"),
        ({"chunks_committed": 1, "sizes": {"labels.csv": 10**9}}, "shorter than the manifest records"),
        ({"chunks_committed": 1, "sizes": {"../../etc/passwd": 1}}, "shorter than the manifest records"),
    ],
)
def test_a_damaged_manifest_is_a_clear_error_on_resume(tmp_path, progress, words):
    out = _partial(tmp_path)
    _edit_manifest(out, progress_value=progress)
    before = folder_hashes(out)
    with pytest.raises(ExportFolderError, match=words) as caught:
        export.run_export(request(out, count=256, resume=True))
    assert caught.value.kind == "damaged" and len(str(caught.value).splitlines()) == 1
    assert folder_hashes(out) == before


@pytest.mark.parametrize(
    "content, words",
    [
        (b"{not json", "not a valid manifest"),
        (b"[" * 100_000 + b"]" * 100_000, "not a valid manifest"),
        (b'{"schema": "something else"}', "not a DigitSeq export manifest"),
        (b'{"schema": "digitseq-export/2", "status": "partial", "parts": "all"}', "'parts' is not"),
        (b"\xff\xfe", "not a valid manifest"),
    ],
)
def test_broken_manifests_are_clear_errors(tmp_path, content, words):
    out = _partial(tmp_path)
    (out / "manifest.json").write_bytes(content)
    with pytest.raises(ExportFolderError, match=words):
        export.run_export(request(out, count=256, resume=True))
    with pytest.raises(ExportFolderError, match=words):
        export.load_export(out)


def test_a_corrupt_data_file_is_a_clear_error_when_read(tmp_path):
    out = tmp_path / "out"
    export.run_export(request(out, count=64, fmt="npz"))
    (out / "data.npz").write_bytes((out / "data.npz").read_bytes()[:1000])
    with pytest.raises(ExportFolderError, match="npz data in .* cannot be read"):
        export.load_export(out)


def test_output_that_is_a_file_or_cannot_fit_is_refused(tmp_path, monkeypatch):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(NotADirectoryError):
        export.run_export(request(target, count=64))
    assert target.read_text() == "x"
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**9, 10**9 - 50_000, 50_000))
    with pytest.raises(ExportFolderError, match=r"needs about .* but only 50.0 kB is free") as caught:
        export.run_export(request(tmp_path / "out", count=10_000))
    assert caught.value.kind == "no_room" and not (tmp_path / "out").exists()


def test_images_reach_the_disk_before_the_manifest_counts_them(tmp_path, monkeypatch):
    """Every image of a committed chunk was synced (syncfs or fsync) before its commit."""
    from digitseq_gui.engine import durable
    from digitseq_gui.export.formats import imagefiles

    synced: set[str] = set()
    real = durable.sync_written

    def recording(folder, files):
        real(folder, files)
        synced.update(str(f) for f in files)

    monkeypatch.setattr(imagefiles, "sync_written", recording)
    out = tmp_path / "out"
    progress_seen = []

    def progress(done, total):
        if not (out / "manifest.json").exists():  # the first report comes before the folder is prepared
            assert done == 0
            progress_seen.append(0)
            return
        manifest = json.loads((out / "manifest.json").read_text())
        committed = manifest.get("progress", {}).get("chunks_committed", 0)
        files = [str(out / "images" / f"{i:06d}.png") for i in range(committed * 64)]
        assert all(f in synced for f in files)
        progress_seen.append(committed)

    export.run_export(request(out, count=256), progress)
    assert progress_seen == [0, 1, 2, 3, 4]
    # (the room check's measurement writes a few images into a scratch folder, since removed)
    assert np.all([os.path.getsize(p) > 0 for p in synced if p.startswith(str(out))])


# -- a disk that fills up during the export ------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    with small_tmpfs(tmp_path, "4m") as mount:
        yield mount


@pytest.mark.parametrize(
    "fmt, when",
    [
        ("png", "chunks"),
        ("webdataset", "chunks"),
        ("lmdb", "chunks"),
        ("webdataset", "finish"),
        ("lmdb", "finish"),
        ("npz", "chunks"),
        ("npz", "finish"),
        ("jsonl", "chunks"),
    ],
)
def test_a_disk_that_fills_up_mid_export_is_one_clear_error_and_the_export_resumes(
    tmp_path, small_disk, fmt, when
):
    """Filled by another program after the first chunk, or once every chunk is written (while
    the shards or the database are assembled)."""
    out, filler = small_disk / "out", small_disk / "filler"

    def fill_during_export(done, total):
        if done and (when == "chunks" or done == total) and not filler.exists():
            fill(filler)

    with pytest.raises(ExportFolderError) as caught:
        export.run_export(request(out, count=256, fmt=fmt), fill_during_export)
    message = str(caught.value)
    assert caught.value.kind == "disk_filled"
    assert (
        str(out) in message
        and "filled up" in message
        and "free some space, then finish it with --resume" in message
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "partial"
    assert 0 < manifest["progress"]["chunks_committed"] <= 4  # what was finished was kept
    from digitseq_gui.gui.messages import window_message  # what the export dialog shows instead

    assert window_message(message).endswith("then finish it with “Finish an interrupted export”")
    left = [p.name for p in out.rglob("*") if is_temp(p.name)]
    assert left == []  # a failed finishing step takes its half-written container away

    filler.unlink()
    assert export.run_export(request(out, count=256, fmt=fmt, resume=True)).status == "complete"
    export.run_export(request(tmp_path / "whole", count=256, fmt=fmt))
    assert folder_hashes(out) == folder_hashes(tmp_path / "whole")


@pytest.mark.parametrize("fmt", ["npz", "lmdb", "webdataset"])
def test_an_export_whose_pieces_and_container_cannot_both_fit_is_refused_before_rendering(tmp_path, fmt):
    with small_tmpfs(tmp_path, "1m") as disk:
        out = disk / "out"
        with pytest.raises(ExportFolderError, match="needs about") as caught:
            export.run_export(request(out, count=3000, fmt=fmt))
        assert caught.value.kind == "no_room"
        assert not out.exists()


def test_the_room_check_counts_whole_blocks_for_one_file_per_image(tmp_path):
    """3,000 small PNGs are about 2 MB of bytes but take 3,000 blocks of 4 KiB: 12 MB."""
    with small_tmpfs(tmp_path, "12m") as disk:
        with pytest.raises(ExportFolderError, match="needs about") as caught:
            export.run_export(request(disk / "out", count=3000, fmt="png"))
        assert caught.value.kind == "no_room"
