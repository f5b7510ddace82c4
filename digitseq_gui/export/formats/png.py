"""``png``: ``images/000000.png`` ... and ``labels.csv`` (index, file, label, text, boxes,
source_indices; boxes and source indices as JSON lists in the cell). Plain CSV: labels keep
their leading zeros as text."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np

from ..rendering import Rendered
from .base import PartContext, compact_json
from .imagefiles import ImageFilesFormat

CSV_FIELDS = ("index", "file", "label", "text", "boxes", "source_indices")


class PngFormat(ImageFilesFormat):
    name = "png"
    title = "PNG images + labels.csv"
    description = "images + labels.csv"
    label_file = "labels.csv"
    header = (",".join(CSV_FIELDS) + "\n").encode()

    def label_rows(self, ctx: PartContext, rendered: Rendered) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for i in range(len(rendered)):
            index = rendered.start + i
            writer.writerow(
                [
                    index,
                    self.image_name(ctx, index),
                    rendered.labels[i],
                    rendered.texts[i],
                    compact_json(rendered.boxes[i].tolist()),
                    compact_json(rendered.sources[i].tolist()),
                ]
            )
        return buffer.getvalue().encode()

    def read_part(self, folder: Path, part: dict) -> dict:
        with open(folder / self.label_file, newline="", encoding="utf-8") as handle:
            rows = [
                dict(
                    r,
                    index=int(r["index"]),
                    boxes=json.loads(r["boxes"]),
                    source_indices=json.loads(r["source_indices"]),
                )
                for r in csv.DictReader(handle)
            ]
        return rows_to_part(rows)


def rows_to_part(rows: list[dict]) -> dict:
    return {
        "indices": np.array([r["index"] for r in rows], dtype=np.int64),
        "files": [r["file"] for r in rows],
        "labels": [r["label"] for r in rows],
        "texts": [r["text"] for r in rows],
        "box_list": [np.array(r["boxes"], dtype=np.int32).reshape(-1, 4) for r in rows],
        "source_list": [np.array(r["source_indices"], dtype=np.int64) for r in rows],
    }
