"""Sample pieces shared by lmdb and webdataset: a chunk as the tar members (tarstream) of
``{key}.png``, ``{key}.txt`` (the label) and, for webdataset, ``{key}.json`` (index, label, text,
boxes, source indices, writer, writers), for lmdb ``{key}.writer`` and ``{key}.writers``, with fixed metadata (owner 0, time 0, mode 0644) so the same samples
give the same bytes, and no end marker: pieces are joined into shards as they are."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from ..rendering import Rendered
from .base import PartContext, annotation_json, write_piece, writer_fields
from .encoding import encode_image, image_info
from .tarstream import member_parts, read_members


def write_sample_piece(
    ctx: PartContext, path: Path, chunk: int, rendered: Rendered, with_json: bool = True
) -> dict:
    """The chunk's piece; ``with_json=False`` leaves out the .json members (lmdb stores none).
    Its ledger record also says the members' data bytes (``payload``: lmdb sizes its map by it)."""
    blocks: list[bytes] = []
    payload = 0
    add, extension = blocks.extend, ctx.extension
    for i, image in enumerate(rendered.images):
        key = ctx.key(rendered.start + i)
        members = [
            (
                key + extension,
                encode_image(image, ctx.image_format, ctx.compression, image_info(ctx, rendered, i)),
            ),
            (key + ".txt", rendered.labels[i].encode()),
        ]
        if with_json:
            members.append((key + ".json", annotation_json(rendered, i, writers=ctx.writers).encode()))
        elif ctx.writers:  # lmdb: the writers as text members (writer_members)
            writer, digits = writer_fields(rendered, i)
            members += [
                (key + ".writer", str(writer).encode()),
                (key + ".writers", ",".join(map(str, digits)).encode()),
            ]
        for name, data in members:
            add(member_parts(name, data))
            payload += len(data)
    return write_piece(path, b"".join(blocks), rendered, chunk, payload=payload)


def read_samples(paths: list[Path]) -> Iterator[tuple[str, dict[str, bytes]]]:
    """(key, {extension: bytes}) for every sample of these tars (shards), in order."""
    for path in paths:
        key = ""  # no sample yet (a tar member name is never empty)
        sample: dict[str, bytes] = {}
        for name, data in read_members(path):
            stem, _, extension = name.partition(".")
            if stem != key and sample:
                yield key, sample
                sample = {}
            key = stem
            sample[extension] = data
        if sample:
            yield key, sample


def json_of(sample: dict[str, bytes]) -> dict:
    return json.loads(sample["json"])
