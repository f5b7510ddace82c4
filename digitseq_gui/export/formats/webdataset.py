"""``webdataset``: tar shards ``shard-000000.tar`` ... of ``shard_size`` samples each (the last
may hold fewer); a sample is ``{key}.png``, ``{key}.txt`` (the label) and ``{key}.json``
(index, label, text, boxes, source indices; since issue 17 writer and writers), key = the image's number. ``webdataset.WebDataset``
reads them as they are.

The workers write sample pieces as they go; ``finish_part`` copies them into the shards."""

from __future__ import annotations

from pathlib import Path

from ...engine.durable import replace_durably
from ..disk import temp_path
from .base import Format, PartContext, own_numbered
from .samples import json_of, read_samples, write_sample_piece
from .tarstream import TarWriter, read_piece, sample_spans


class WebDatasetFormat(Format):
    name = "webdataset"
    title = "WebDataset tar shards"
    description = "tar shards of {key}.png/.txt/.json"
    piece_suffix = ".tar"

    def shard_names(self, ctx: PartContext) -> list[str]:
        return [f"shard-{j:06d}.tar" for j in range(-(-ctx.count // ctx.shard_size))]

    def final_files(self, ctx: PartContext) -> list[str]:
        return self.shard_names(ctx)

    def is_own(self, ctx: PartContext, relative: str) -> bool:
        number = own_numbered(relative, "shard-", 6, ".tar")
        return super().is_own(ctx, relative) or (number is not None and number * ctx.shard_size < ctx.count)

    def write_chunk(self, ctx: PartContext, chunk: int, rendered) -> dict:
        return write_sample_piece(ctx, self.piece_path(ctx, chunk), chunk, rendered)

    def finish_part(self, ctx: PartContext, records: list[dict]) -> None:
        """The pieces' samples, in order, copied byte for byte into shards of ``shard_size``
        samples: a piece's members are already what a shard holds. A piece that fits in the
        shard being written is copied whole; one that a shard ends in is cut after the last
        sample that fits, found by its samples' headers."""
        names = iter(self.shard_names(ctx))
        shard: _Shard | None = None
        try:
            for record in records:
                path = self.piece_path(ctx, record["chunk"])
                piece, at, left, ends = read_piece(path), 0, record["count"], None
                while left:
                    if shard is None:
                        shard = _Shard(ctx.folder / next(names))
                    take = min(left, ctx.shard_size - shard.samples)
                    if take < left or at:  # the piece is cut: where its samples end
                        ends = ends or [stop for _, _, stop in sample_spans(path, piece, piece=True)]
                        stop = ends[record["count"] - left + take - 1]
                    else:
                        stop = len(piece)
                    shard.add(piece[at:stop], take)
                    at, left = stop, left - take
                    if shard.samples == ctx.shard_size:
                        shard.close()
                        shard = None
            if shard is not None:
                shard.close()
        except BaseException:
            if shard is not None:  # a full disk, say: no open file or half shard left behind
                shard.abandon()
            raise

    def read_part(self, folder: Path, part: dict) -> dict:
        shards = sorted(p for p in folder.glob("shard-*.tar"))
        labels, texts, images, indices = [], [], [], []
        writer, writer_list = [], []
        for _key, sample in read_samples(shards):
            row = json_of(sample)
            if "writer" in row:
                writer.append(row["writer"])
                writer_list.append(row["writers"])
            labels.append(sample["txt"].decode())
            texts.append(row["text"])
            images.append(sample.get("png", sample.get("jpg")))
            indices.append(row["index"])
        found = {
            "labels": labels,
            "texts": texts,
            "image_bytes": images,
            "indices": indices,
            "shards": shards,
        }
        return {**found, "writer": writer, "writer_list": writer_list} if writer else found


class _Shard:
    """A shard being written under a temporary name; ``close`` gives it its own."""

    def __init__(self, target: Path):
        self.target, self.tmp, self.samples = target, temp_path(target), 0
        self.handle = open(self.tmp, "wb")
        self.tar = TarWriter(self.handle)

    def add(self, members: bytes, samples: int) -> None:
        self.tar.add_members(members)
        self.samples += samples

    def close(self) -> None:
        self.tar.close()
        self.handle.close()
        replace_durably(self.tmp, self.target)

    def abandon(self) -> None:
        try:
            self.handle.close()
        except OSError:
            pass  # the data it still buffered cannot be written: the file goes anyway
        self.tmp.unlink(missing_ok=True)
