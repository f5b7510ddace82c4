"""``jsonl``: the same images as png and ``labels.jsonl``, one JSON object per image (index,
file, label, text, boxes, source_indices, and since issue 17 writer and writers)."""

from __future__ import annotations

import json
from pathlib import Path

from ..rendering import Rendered
from .base import PartContext, annotation_json
from .imagefiles import ImageFilesFormat
from .png import rows_to_part


class JsonlFormat(ImageFilesFormat):
    name = "jsonl"
    title = "PNG images + labels.jsonl"
    description = "images + labels.jsonl"
    label_file = "labels.jsonl"

    def label_rows(self, ctx: PartContext, rendered: Rendered) -> bytes:
        lines = [
            annotation_json(rendered, i, self.image_name(ctx, rendered.start + i), ctx.writers)
            for i in range(len(rendered))
        ]
        return ("\n".join(lines) + "\n").encode() if lines else b""

    def read_part(self, folder: Path, part: dict) -> dict:
        text = (folder / self.label_file).read_text(encoding="utf-8")
        return rows_to_part([json.loads(line) for line in text.splitlines() if line.strip()])
