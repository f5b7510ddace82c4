"""Sample pieces (the chunks of lmdb and webdataset exports): tar members only, copied whole into
shards where they fit and cut where a shard ends; pieces and ledger records written by earlier
versions (pieces ended in tar's end marker, records did not say the payload) still finish to the
same files, alone or mixed with new ones. A finished shard cut short is refused."""

from __future__ import annotations

import hashlib
import tarfile

import lmdb
import pytest
from test_export_helpers import cancel_after, folder_hashes, request

from digitseq_gui import export
from digitseq_gui.export.errors import ExportFolderError
from digitseq_gui.export.formats import FORMATS
from digitseq_gui.export.formats import lmdb as lmdb_format
from digitseq_gui.export.formats.tarstream import BLOCK, end, member_parts, members, read_archive

COUNT, CHUNK, SHARD = 300, 64, 100  # shards end inside chunks 1 (64-127) and 3 (192-255)


def member(name: str, data: bytes) -> bytes:
    return b"".join(member_parts(name, data))


def write_pieces(folder, fmt):
    """The part's pieces, written as the workers write them; (format, context, records, labels)."""
    plan = export.plan_export(request(folder, count=COUNT, fmt=fmt, chunk_size=CHUNK, shard_size=SHARD))
    ctx = plan.parts[0].context
    fmt_ = FORMATS[fmt]
    fmt_.start_part(ctx)
    records, labels = [], []
    for chunk in range(-(-COUNT // CHUNK)):
        rendered = export.render_range(plan, ctx.name, chunk * CHUNK, min(COUNT, (chunk + 1) * CHUNK))
        records.append(fmt_.write_chunk(ctx, chunk, rendered))
        labels += rendered.labels
    return fmt_, ctx, records, labels


def finished_files(fmt_, ctx, records) -> dict[str, str]:
    fmt_.finish_part(ctx, records)
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in ctx.folder.iterdir() if p.is_file()}
    for p in ctx.folder.iterdir():
        if p.is_file():
            p.unlink()
    return files


def add_end_markers(fmt_, ctx, records, json_too: bool = False) -> None:
    """Make these pieces as earlier versions wrote them: the members (``json_too``: each sample's
    .json after its .txt, as lmdb pieces held before 2090d0f), then tar's end marker."""
    for record in records:
        path = fmt_.piece_path(ctx, record["chunk"])
        data = path.read_bytes()
        if json_too:
            data = b"".join(
                member(name, body)
                + (member(name[:-4] + ".json", b'{"old":1}') if name.endswith(".txt") else b"")
                for name, body in read_members_of_piece(path)
            )
        path.write_bytes(data + end(len(data)))


def read_members_of_piece(path):
    piece = read_archive(path)
    return [(name, piece[start : start + size]) for name, start, size in members(path, piece, piece=True)]


def test_webdataset_shards_hold_every_sample_in_order_however_the_pieces_end(tmp_path):
    fmt_, ctx, records, labels = write_pieces(tmp_path / "out", "webdataset")
    pieces = [read_archive(fmt_.piece_path(ctx, r["chunk"])) for r in records]
    assert all(p[-BLOCK:].count(0) < BLOCK and len(p) % BLOCK == 0 for p in pieces)  # no end marker

    fmt_.finish_part(ctx, records)
    shards = sorted(ctx.folder.glob("shard-*.tar"))
    assert [s.name for s in shards] == ["shard-000000.tar", "shard-000001.tar", "shard-000002.tar"]
    read = []
    for shard in shards:
        with tarfile.open(shard) as tar:
            names = tar.getnames()
            assert len(names) == 3 * SHARD  # .png, .txt, .json of each sample
            read += [(name, tar.extractfile(name).read().decode()) for name in names if name.endswith(".txt")]
    assert read == [(f"{i:06d}.txt", label) for i, label in enumerate(labels)]
    written = {s.name: hashlib.sha256(s.read_bytes()).hexdigest() for s in shards}
    for shard in shards:
        shard.unlink()

    add_end_markers(fmt_, ctx, records[1::2])  # a resume across versions: old and new pieces mixed
    assert finished_files(fmt_, ctx, records) == written
    add_end_markers(fmt_, ctx, records[0::2])
    assert finished_files(fmt_, ctx, records) == written


def test_lmdb_from_old_or_new_pieces_and_records_is_the_same_file(tmp_path, monkeypatch):
    monkeypatch.setattr(lmdb_format, "SAMPLES_PER_TRANSACTION", 64)  # several transactions, as at scale
    fmt_, ctx, records, labels = write_pieces(tmp_path / "out", "lmdb")
    # The record's payload sizes the database's map, as reading the piece would (its image and label bytes).
    paths = [fmt_.piece_path(ctx, r["chunk"]) for r in records]
    assert [r["payload"] for r in records] == [
        sum(size for _, _, size in members(p, read_archive(p), piece=True)) for p in paths
    ]
    assert all(r["payload"] < r["bytes"] for r in records)
    written = finished_files(fmt_, ctx, records)
    add_end_markers(fmt_, ctx, records[1::2], json_too=True)
    for record in records[1::2]:  # what lmdb stores of an older piece: its images and labels, never the .json
        samples = list(lmdb_format._images_and_labels(fmt_.piece_path(ctx, record["chunk"])))
        assert (
            len(samples) == record["count"]
            and sum(len(i) + len(t) + sum(map(len, w.values())) for i, t, w in samples) == record["payload"]
        )
    old_records = [
        {k: v for k, v in r.items() if k != "payload"} if i % 2 else r for i, r in enumerate(records)
    ]
    # The database's map is sized by the same number whether records say their payload or not.
    assert (
        lmdb_format.stored_bytes(old_records, paths)
        == lmdb_format.stored_bytes(records, paths)
        == sum(r["payload"] for r in records)
    )
    assert finished_files(fmt_, ctx, old_records) == written

    fmt_.finish_part(ctx, records)
    env = lmdb.open(str(ctx.folder), readonly=True, lock=False)
    with env.begin() as txn:
        assert int(txn.get(b"num-samples")) == COUNT
        assert [txn.get(b"label-%09d" % i).decode() for i in range(1, COUNT + 1)] == labels
        assert all(txn.get(b"image-%09d" % i)[:8] == b"\x89PNG\r\n\x1a\n" for i in range(1, COUNT + 1))
    env.close()


@pytest.mark.parametrize("shard_size", [1, 64, 65, 299, 300, 10_000])
def test_webdataset_shard_sizes_around_the_chunks(tmp_path, shard_size):
    """Shards that end on, just after, inside or beyond a chunk all hold their samples in order."""
    plan = export.plan_export(
        request(tmp_path / "out", count=130, fmt="webdataset", chunk_size=CHUNK, shard_size=shard_size)
    )
    export.run_export(plan.request, None)
    shards = sorted((tmp_path / "out").glob("shard-*.tar"))
    assert len(shards) == -(-130 // shard_size)
    keys = []
    for number, shard in enumerate(shards):
        with tarfile.open(shard) as tar:
            stems = [name.split(".")[0] for name in tar.getnames()][::3]
        assert len(stems) == min(shard_size, 130 - number * shard_size)
        keys += stems
    assert keys == [f"{i:06d}" for i in range(130)]


def test_a_shard_cut_short_is_refused_not_read_in_part(tmp_path):
    export.run_export(request(tmp_path / "out", count=20, fmt="webdataset", chunk_size=CHUNK), None)
    shard = tmp_path / "out" / "shard-000000.tar"
    data = shard.read_bytes()
    cut = next(at for at in range(BLOCK, len(data), BLOCK) if data[at : at + 10] == b"000010.png")
    shard.write_bytes(data[:cut])  # ten whole samples, then nothing: a copy stopped short
    with pytest.raises(
        ExportFolderError, match="shard-000000.tar ends without tar's end marker: it was cut short"
    ):
        export.load_export(tmp_path / "out")


@pytest.mark.parametrize("fmt", ["webdataset", "lmdb"])
def test_each_part_holds_its_own_samples(tmp_path, fmt):
    """With splits, chunk numbers repeat from part to part: each part is built from its own
    pieces, the same images as the png format writes for that part."""
    kwargs = dict(count=300, splits="train=0.5,val=0.25,test=0.25", shard_size=50)
    export.run_export(request(tmp_path / "png", fmt="png", **kwargs))
    export.run_export(request(tmp_path / fmt, fmt=fmt, **kwargs))
    png, other = export.load_export(tmp_path / "png"), export.load_export(tmp_path / fmt)
    for part in ("train", "val", "test"):
        images = [(tmp_path / "png" / part / name).read_bytes() for name in png[part]["files"]]
        assert other[part]["labels"] == png[part]["labels"]
        assert [bytes(b) for b in other[part]["image_bytes"]] == images
        if fmt == "webdataset":  # and its shards hold 50 samples each, the last the rest
            sizes = []
            for shard in sorted((tmp_path / fmt / part).glob("shard-*.tar")):
                with tarfile.open(shard) as tar:
                    sizes.append(len(tar.getnames()) // 3)
            count = len(images)
            assert sizes == [min(50, count - start) for start in range(0, count, 50)]


def _cancelled_after_two_chunks(folder, fmt="webdataset"):
    progress, cancel = cancel_after(2)
    assert export.run_export(request(folder, count=300, fmt=fmt), progress, cancel).status == "cancelled"


def _resumed_is_uninterrupted(tmp_path):
    result = export.run_export(request(tmp_path / "out", count=300, fmt="webdataset", resume=True), None)
    assert result.status == "complete"
    export.run_export(request(tmp_path / "whole", count=300, fmt="webdataset"), None)
    assert folder_hashes(tmp_path / "out") == folder_hashes(tmp_path / "whole")


def test_a_damaged_ledger_is_repaired_by_making_its_chunks_again(tmp_path):
    _cancelled_after_two_chunks(tmp_path / "out")
    ledger = tmp_path / "out" / ".digitseq" / "ledger.jsonl"
    data = ledger.read_bytes()
    ledger.write_bytes(b"?" + data[1:])  # same size: only checking its lines can tell
    _resumed_is_uninterrupted(tmp_path)


def test_a_ledger_recording_another_chunk_is_repaired(tmp_path):
    _cancelled_after_two_chunks(tmp_path / "out")
    ledger = tmp_path / "out" / ".digitseq" / "ledger.jsonl"
    data = ledger.read_bytes()
    assert b'"chunk":0,' in data
    ledger.write_bytes(data.replace(b'"chunk":0,', b'"chunk":9,', 1))
    _resumed_is_uninterrupted(tmp_path)
