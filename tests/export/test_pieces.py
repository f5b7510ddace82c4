"""Sample pieces (the chunks of lmdb and webdataset exports): tar members only, copied whole into
shards where they fit and cut where a shard ends; pieces written by earlier versions, which
ended in tar's end marker, still finish to the same files."""
from __future__ import annotations

import hashlib
import tarfile

import lmdb
import pytest

from digitseq_gui import export
from digitseq_gui.export.formats import FORMATS
from digitseq_gui.export.formats.tarstream import BLOCK, end, has_end_marker, read_archive

from test_export_helpers import request

COUNT, CHUNK, SHARD = 300, 64, 100  # shards end inside chunks 1 (64-127) and 3 (192-255)


def write_pieces(folder, fmt):
    """The part's pieces, written as the workers write them; (format, context, chunks, labels)."""
    plan = export.plan_export(request(folder, count=COUNT, fmt=fmt, chunk_size=CHUNK, shard_size=SHARD))
    ctx = plan.parts[0].context
    fmt_ = FORMATS[fmt]
    fmt_.start_part(ctx)
    chunks, labels = list(range(-(-COUNT // CHUNK))), []
    for chunk in chunks:
        rendered = export.render_range(plan, ctx.name, chunk * CHUNK, min(COUNT, (chunk + 1) * CHUNK))
        fmt_.write_chunk(ctx, chunk, rendered)
        labels += rendered.labels
    return fmt_, ctx, chunks, labels


def finished_files(fmt_, ctx, chunks) -> dict[str, str]:
    fmt_.finish_part(ctx, chunks)
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in ctx.folder.iterdir() if p.is_file()}
    for p in ctx.folder.iterdir():
        if p.is_file():
            p.unlink()
    return files


def add_end_markers(fmt_, ctx, chunks) -> None:
    """Make the pieces as earlier versions wrote them: the members, then tar's end marker."""
    for chunk in chunks:
        path = fmt_.piece_path(ctx, chunk)
        data = path.read_bytes()
        path.write_bytes(data + end(len(data)))


def test_webdataset_shards_hold_every_sample_in_order_however_the_pieces_end(tmp_path):
    fmt_, ctx, chunks, labels = write_pieces(tmp_path / "out", "webdataset")
    pieces = [read_archive(fmt_.piece_path(ctx, k)) for k in chunks]
    assert not any(has_end_marker(p) for p in pieces) and all(len(p) % BLOCK == 0 for p in pieces)

    fmt_.finish_part(ctx, chunks)
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

    add_end_markers(fmt_, ctx, chunks)
    assert finished_files(fmt_, ctx, chunks) == written


def test_lmdb_from_pieces_with_or_without_end_markers_is_the_same_file(tmp_path):
    fmt_, ctx, chunks, labels = write_pieces(tmp_path / "out", "lmdb")
    written = finished_files(fmt_, ctx, chunks)
    add_end_markers(fmt_, ctx, chunks)
    again = finished_files(fmt_, ctx, chunks)
    assert again == written

    fmt_.finish_part(ctx, chunks)
    env = lmdb.open(str(ctx.folder), readonly=True, lock=False)
    with env.begin() as txn:
        assert int(txn.get(b"num-samples")) == COUNT
        assert [txn.get(b"label-%09d" % i).decode() for i in range(1, COUNT + 1)] == labels
        assert all(txn.get(b"image-%09d" % i)[:8] == b"\x89PNG\r\n\x1a\n" for i in range(1, COUNT + 1))
    env.close()


@pytest.mark.parametrize("shard_size", [1, 64, 65, 299, 300, 10_000])
def test_webdataset_shard_sizes_around_the_chunks(tmp_path, shard_size):
    """Shards that end on, just after, inside or beyond a chunk all hold their samples in order."""
    plan = export.plan_export(request(tmp_path / "out", count=130, fmt="webdataset", chunk_size=CHUNK,
                                      shard_size=shard_size))
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
