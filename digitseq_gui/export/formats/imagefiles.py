"""Formats of one image file per sample plus a label file: ``images/000000.png`` ... named by
index (never by label), and the label rows appended, in order, as chunks commit."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ...engine.durable import append_durably, make_folders, sync_written, write_in_place, write_unsynced
from ..rendering import Rendered
from .base import Format, PartContext, own_numbered, record
from .encoding import encode_image, image_info


class ImageFilesFormat(Format):
    def image_name(self, ctx: PartContext, index: int) -> str:
        return f"images/{ctx.key(index)}{ctx.extension}"

    def start_part(self, ctx: PartContext) -> None:
        super().start_part(ctx)
        make_folders(ctx.folder / "images")
        labels = ctx.folder / self.label_file
        if not labels.exists():
            write_in_place(labels, self.header_of(ctx))

    def write_chunk(self, ctx: PartContext, chunk: int, rendered: Rendered) -> dict:
        """Straight to the final names: an image counts only once its label row is committed, and
        recovery deletes any image without one. All reach the disk before this returns."""
        digest, size = hashlib.sha256(), 0
        paths: list[str | Path] = []
        folder = os.fspath(ctx.folder)  # names joined as strings: pathlib costs more than the write
        for i, image in enumerate(rendered.images):
            data = encode_image(image, ctx.image_format, ctx.compression, image_info(ctx, rendered, i))
            path = f"{folder}/{self.image_name(ctx, rendered.start + i)}"
            write_unsynced(path, data)
            digest.update(data)
            size += len(data)
            paths.append(path)
        sync_written(ctx.folder / "images", paths)
        return record(rendered, chunk, digest, size)

    def commit_chunk(self, ctx: PartContext, rows: bytes) -> None:
        append_durably(ctx.folder / self.label_file, rows)

    def label_rows(self, ctx: PartContext, rendered: Rendered) -> bytes:
        raise NotImplementedError

    def image_index(self, ctx: PartContext, relative: str) -> int | None:
        if not relative.startswith("images/") or "/" in relative[7:]:
            return None
        return own_numbered(relative[7:], "", ctx.name_digits, ctx.extension)

    def is_own(self, ctx: PartContext, relative: str) -> bool:
        index = self.image_index(ctx, relative)
        return super().is_own(ctx, relative) or (index is not None and index < ctx.count)

    def recover(self, ctx: PartContext, indices: range, chunks: range) -> None:
        super().recover(ctx, indices, chunks)
        images = ctx.folder / "images"
        if images.is_dir():
            with os.scandir(images) as entries:
                for entry in entries:
                    index = self.image_index(ctx, "images/" + entry.name)
                    if index is not None and index not in indices and entry.is_file(follow_symlinks=False):
                        os.unlink(entry.path)

    def image_files(self, ctx: PartContext, start: int, count: int) -> list[Path]:
        return [ctx.folder / self.image_name(ctx, i) for i in range(start, start + count)]
