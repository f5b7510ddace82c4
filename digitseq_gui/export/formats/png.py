"""``png``: ``images/000000.png`` ... and ``labels.csv`` (index, file, label, text, boxes,
source_indices, and since issue 17 writer and writers: the image's writer, -1 unless
sampling.writer is same, and its digits' writers, -1 where the data set does not say; boxes,
source indices and writers as JSON lists in the cell). Plain CSV: labels keep
their leading zeros as text.

A finished part also has ``metadata.csv``: the same rows with ``file_name`` first, the column
Hugging Face's ImageFolder (``datasets.load_dataset("imagefolder", data_dir=...)``) joins the
images by. It is made from labels.csv when the part is complete (an export, or a merge), never
while chunks commit, so resume and merge only ever deal with labels.csv."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np

from ...engine.durable import replace_durably
from ..disk import temp_path
from ..rendering import Rendered
from .base import PartContext, compact_json, writer_fields
from .imagefiles import ImageFilesFormat

CSV_FIELDS = ("index", "file", "label", "text", "boxes", "source_indices")
WRITER_FIELDS = ("writer", "writers")  # since issue 17: the image's writer (-1: any) and its digits'
METADATA_FILE = "metadata.csv"
METADATA_FIELDS = ("file_name", "label", "text", "boxes", "source_indices", "index")


class PngFormat(ImageFilesFormat):
    name = "png"
    title = "PNG images + labels.csv"
    description = "images + labels.csv"
    label_file = "labels.csv"
    header = (",".join(CSV_FIELDS) + "\n").encode()

    def header_of(self, ctx: PartContext) -> bytes:
        return (",".join(CSV_FIELDS + WRITER_FIELDS) + "\n").encode() if ctx.writers else self.header

    def label_rows(self, ctx: PartContext, rendered: Rendered) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for i in range(len(rendered)):
            index = rendered.start + i
            row = [
                index,
                self.image_name(ctx, index),
                rendered.labels[i],
                rendered.texts[i],
                compact_json(rendered.boxes[i].tolist()),
                compact_json(rendered.sources[i].tolist()),
            ]
            if ctx.writers:
                image_writer, digit_writers = writer_fields(rendered, i)
                row += [image_writer, compact_json(digit_writers)]
            writer.writerow(row)
        return buffer.getvalue().encode()

    def final_files(self, ctx: PartContext) -> list[str]:
        return [METADATA_FILE]

    def finish_labels(self, ctx: PartContext) -> None:
        """metadata.csv from the complete labels.csv (through a temporary file: redone whole)."""
        target = ctx.folder / METADATA_FILE
        tmp = temp_path(target)
        with open(ctx.folder / self.label_file, newline="", encoding="utf-8") as source:
            with open(tmp, "w", newline="", encoding="utf-8") as out:
                writer = csv.writer(out, lineterminator="\n")
                rows = csv.DictReader(source)
                fields = METADATA_FIELDS + tuple(f for f in WRITER_FIELDS if f in (rows.fieldnames or ()))
                writer.writerow(fields)
                for row in rows:
                    writer.writerow([row["file"] if f == "file_name" else row[f] for f in fields])
        replace_durably(tmp, target)

    def read_part(self, folder: Path, part: dict) -> dict:
        with open(folder / self.label_file, newline="", encoding="utf-8") as handle:
            rows = [
                dict(
                    r,
                    index=int(r["index"]),
                    boxes=json.loads(r["boxes"]),
                    source_indices=json.loads(r["source_indices"]),
                    **(
                        {"writer": int(r["writer"]), "writers": json.loads(r["writers"])}
                        if "writer" in r
                        else {}
                    ),
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
        **(
            {
                "writer": np.array([r["writer"] for r in rows], dtype=np.int32),
                "writer_list": [np.array(r["writers"], dtype=np.int32) for r in rows],
            }
            if rows and "writer" in rows[0]
            else {}
        ),
    }
