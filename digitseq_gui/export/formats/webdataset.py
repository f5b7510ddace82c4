"""``webdataset``: tar shards ``shard-000000.tar`` ... of ``shard_size`` samples each (the last
may hold fewer); a sample is ``{key}.png``, ``{key}.txt`` (the label) and ``{key}.json``
(index, label, text, boxes, source indices), key = the image's number. ``webdataset.WebDataset``
reads them as they are.

The workers write sample pieces as they go; ``finish_part`` copies them into the shards."""
from __future__ import annotations

from pathlib import Path

from ..disk import finish_temp, temp_path
from .base import Format, PartContext, own_numbered
from .samples import json_of, read_samples, write_sample_piece
from .tarstream import TarWriter


class WebDatasetFormat(Format):
    name = "webdataset"
    description = "tar shards of {key}.png/.txt/.json"
    piece_suffix = ".tar"

    def shard_names(self, ctx: PartContext) -> list[str]:
        return [f"shard-{j:06d}.tar" for j in range(-(-ctx.count // ctx.shard_size))]

    def is_own(self, ctx: PartContext, relative: str) -> bool:
        number = own_numbered(relative, "shard-", 6, ".tar")
        return super().is_own(ctx, relative) or (number is not None and number * ctx.shard_size < ctx.count)

    def write_chunk(self, ctx: PartContext, chunk: int, rendered) -> dict:
        return write_sample_piece(ctx, self.piece_path(ctx, chunk), chunk, rendered)

    def finish_part(self, ctx: PartContext, chunks: list[int]) -> None:
        pieces = [self.piece_path(ctx, k) for k in chunks]
        names = iter(self.shard_names(ctx))
        tar, handle, tmp, target, in_shard = None, None, None, None, 0
        for key, sample in read_samples(pieces):
            if tar is None:
                target = ctx.folder / next(names)
                tmp = temp_path(target)
                handle = open(tmp, "wb")
                tar = TarWriter(handle)
            for extension, data in sample.items():
                tar.add(f"{key}.{extension}", data)
            in_shard += 1
            if in_shard == ctx.shard_size:
                tar.close()
                handle.close()
                finish_temp(tmp, target)
                tar, in_shard = None, 0
        if tar is not None:
            tar.close()
            handle.close()
            finish_temp(tmp, target)

    def read_part(self, folder: Path, part: dict) -> dict:
        shards = sorted(p for p in folder.glob("shard-*.tar"))
        labels, texts, images, indices = [], [], [], []
        for key, sample in read_samples(shards):
            row = json_of(sample)
            labels.append(sample["txt"].decode())
            texts.append(row["text"])
            images.append(sample.get("png", sample.get("jpg")))
            indices.append(row["index"])
        return {"labels": labels, "texts": texts, "image_bytes": images, "indices": indices, "shards": shards}
