"""Sample pieces shared by lmdb and webdataset: a chunk as a small tar of ``{key}.png``,
``{key}.txt`` (the label) and ``{key}.json`` (index, label, text, boxes, source indices), with
fixed metadata (owner 0, time 0, mode 0644) so the same samples give the same bytes."""
from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path
from typing import Iterator

from ..disk import finish_temp, temp_path
from ..rendering import Rendered
from .base import PartContext, annotations, compact_json
from .encoding import encode_image


def tar_member(name: str, data: bytes) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode, info.uid, info.gid, info.uname, info.gname = len(data), 0, 0o644, 0, 0, "", ""
    return info


def write_sample_piece(ctx: PartContext, path: Path, chunk: int, rendered: Rendered) -> dict:
    tmp = temp_path(path)
    with tarfile.open(tmp, "w", format=tarfile.USTAR_FORMAT) as tar:
        for i, image in enumerate(rendered.images):
            key = ctx.key(rendered.start + i)
            row = annotations(rendered, i)
            for name, data in ((f"{key}{ctx.extension}", encode_image(image, ctx.image_format, ctx.compression)),
                               (f"{key}.txt", row["label"].encode()),
                               (f"{key}.json", compact_json(row).encode())):
                tar.addfile(tar_member(name, data), io.BytesIO(data))
    finish_temp(tmp, path)
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
    return {"chunk": chunk, "start": rendered.start, "count": len(rendered), "bytes": size, "sha256": digest.hexdigest()}


def read_samples(paths: list[Path]) -> Iterator[tuple[str, dict[str, bytes]]]:
    """(key, {extension: bytes}) for every sample of the pieces, in order."""
    for path in paths:
        with tarfile.open(path, "r") as tar:
            key, sample = None, {}
            for member in tar:
                if not member.isfile():
                    raise ValueError(f"{path} holds {member.name!r}, which is not a plain file")
                stem, _, extension = member.name.partition(".")
                if stem != key and sample:
                    yield key, sample
                    sample = {}
                key = stem
                sample[extension] = tar.extractfile(member).read()
            if sample:
                yield key, sample


def json_of(sample: dict[str, bytes]) -> dict:
    return json.loads(sample["json"])
