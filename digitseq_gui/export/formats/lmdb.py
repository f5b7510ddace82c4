"""``lmdb``: the layout deep-text-recognition-benchmark (and the many OCR trainers that copied
its ``LmdbDataset``) reads unchanged: in each part folder ``data.mdb`` with keys
``image-%09d`` (the encoded image), ``label-%09d`` (the digits, leading zeros kept), numbered
from 1, and ``num-samples``; since issue 17 also ``writer-%09d`` (the image's one writer when
sampling.writer is same, else -1) and ``writers-%09d`` (its digits' writers, comma-separated,
-1 where unknown), as ASCII text. Open it as they do: ``lmdb.open(folder, readonly=True, lock=False)``.

The workers write sample pieces as they go; ``finish_part`` puts them into a fresh database in
one pass, in index order and in transactions of a fixed number of samples, so the file's bytes
depend neither on workers, chunk size nor interruptions.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

from ...engine.durable import replace_durably
from ..disk import human_size, remove_tree, temp_path
from ..rendering import Rendered
from .base import Format, PartContext
from .samples import write_sample_piece
from .tarstream import members, read_piece

SAMPLES_PER_TRANSACTION = 4096


class LmdbFormat(Format):
    name = "lmdb"
    title = "LMDB (deep-text-recognition-benchmark)"
    description = "data.mdb per part, deep-text-recognition-benchmark's keys"
    piece_suffix = ".tar"

    def final_files(self, ctx: PartContext) -> list[str]:
        return ["data.mdb", "lock.mdb"]  # lock.mdb appears when a reader opens it with locking

    def write_chunk(self, ctx: PartContext, chunk: int, rendered: Rendered) -> dict:
        return write_sample_piece(ctx, self.piece_path(ctx, chunk), chunk, rendered, with_json=False)

    def finish_part(self, ctx: PartContext, records: list[dict]) -> None:
        import lmdb

        pieces = [self.piece_path(ctx, r["chunk"]) for r in records]
        # The map size is stored in the file, so it is a function of what the database holds,
        # never of the chunk size.
        stored = stored_bytes(records, pieces)
        map_size = ((2 * stored) >> 20) * (1 << 20) + (64 << 20)
        target = ctx.folder / "data.mdb"
        tmp = temp_path(target)
        remove_tree(tmp)
        # LMDB reports a full disk only as an I/O error: say it first when even a rough estimate
        # does not fit (small values share pages, large ones take whole pages: a disk that fills
        # anyway is recognised below).
        free = shutil.disk_usage(ctx.folder).free
        if free < 2 * stored:
            raise OSError(
                errno.ENOSPC,
                f"cannot write {target}: it needs about {human_size(2 * stored)}, "
                f"{human_size(free)} are free",
                str(target),
            )
        env = lmdb.open(str(tmp), subdir=False, lock=False, map_size=map_size, meminit=True, sync=False)
        try:
            count = 0
            txn = env.begin(write=True)
            for path in pieces:
                for image, label, writers in _images_and_labels(path):
                    count += 1
                    txn.put(b"image-%09d" % count, image)
                    txn.put(b"label-%09d" % count, label)
                    for name, value in writers.items():  # writer, writers (exports since issue 17)
                        txn.put(b"%s-%09d" % (name.encode(), count), value)
                    if count % SAMPLES_PER_TRANSACTION == 0:
                        txn.commit()
                        txn = env.begin(write=True)
            txn.put(b"num-samples", str(count).encode())
            txn.commit()
            env.sync(True)
        except lmdb.Error as exc:
            # Judged while the half-written database still takes its room on the disk.
            full = isinstance(exc, lmdb.DiskError) or shutil.disk_usage(ctx.folder).free < (1 << 20)
            env.close()
            remove_tree(tmp)
            raise OSError(
                errno.ENOSPC if full else errno.EIO, f"cannot write {target}: {exc}", str(target)
            ) from None
        finally:
            env.close()  # a second close is a no-op
        replace_durably(tmp, target)

    def read_part(self, folder: Path, part: dict) -> dict:
        import lmdb

        env = lmdb.open(str(folder), readonly=True, lock=False)
        try:
            with env.begin() as txn:
                # txn.get is None for a missing key; these are keys the export itself wrote
                count = int(txn.get(b"num-samples"))  # type: ignore[arg-type]
                images = [bytes(txn.get(b"image-%09d" % i)) for i in range(1, count + 1)]  # type: ignore[arg-type]
                labels = [txn.get(b"label-%09d" % i).decode() for i in range(1, count + 1)]  # type: ignore[union-attr]
                found = {"labels": labels, "image_bytes": images, "indices": list(range(count))}
                if count and txn.get(b"writer-%09d" % 1) is not None:
                    found["writer"] = [int(txn.get(b"writer-%09d" % i)) for i in range(1, count + 1)]  # type: ignore[arg-type]
                    found["writer_list"] = [
                        [int(w) for w in txn.get(b"writers-%09d" % i).split(b",")]  # type: ignore[union-attr]
                        for i in range(1, count + 1)
                    ]
        finally:
            env.close()
        return found


def stored_bytes(records: list[dict], pieces: list[Path]) -> int:
    """The image and label bytes the database will hold, as each piece's record says; a record
    written before records said it leaves its piece to be read."""
    return sum(
        r["payload"]
        if "payload" in r
        else sum(len(i) + len(t) + sum(map(len, w.values())) for i, t, w in _images_and_labels(p))
        for r, p in zip(records, pieces)
    )


def _images_and_labels(path: Path):
    """(image, label, {"writer": ..., "writers": ...}) bytes of each sample of a piece: its image
    member, its .txt, and since issue 17 its .writer and .writers (pieces from before commit
    2090d0f also hold a .json, which lmdb never stores)."""
    piece = read_piece(path)
    image = label = None
    writers: dict[str, bytes] = {}
    for name, start, size in members(path, piece, piece=True):
        extension = name.rpartition(".")[2]
        if extension in ("txt", "writer", "writers", "json"):
            if extension == "txt":
                label = piece[start : start + size]
            elif extension != "json":
                writers[extension] = piece[start : start + size]
            continue
        if image is not None:
            yield image, label, writers
        image, label, writers = piece[start : start + size], None, {}
    if image is not None:
        yield image, label, writers
