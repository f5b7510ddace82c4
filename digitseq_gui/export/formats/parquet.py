"""``parquet``: Hugging Face's Parquet layout, ``data/{split}-00000-of-00003.parquet`` ... of
``shard_size`` rows each (the last may hold fewer; ``train`` names the data set without splits),
which ``datasets.load_dataset("parquet", data_dir=...)`` and ``load_dataset(folder)`` read with
no code: decoded images, typed columns, the parts as splits.

Columns: ``image`` (the ``Image`` feature: struct<bytes: binary, path: string>, the PNG bytes
every other format stores and ``{key}.png``), ``label``, ``text``, ``boxes`` (x0, y0, x1, y1 per
digit), ``source_indices`` and ``index``, and since issue 17 ``writer`` (the image's one writer
when sampling.writer is same, else -1) and ``writers`` (each digit's, -1 where unknown); the features are in the schema's ``huggingface``
metadata, as ``datasets`` writes them.

Like webdataset, the workers write sample pieces (samples.py) and ``finish_part`` reads them,
in order, into the shards: so the images are byte for byte the other formats', and resume,
shards and merge work as for every piece format. Needs pyarrow (``pip install 'digitseq[parquet]'``).
"""

from __future__ import annotations

import json
from pathlib import Path

from ...engine.durable import make_folders, replace_durably
from ...engine.errors import InvalidInputError
from ..disk import is_temp, temp_path
from .base import Format, PartContext
from .samples import write_sample_piece
from .tarstream import members, read_piece

INSTALL = "the parquet format needs pyarrow: pip install 'digitseq[parquet]' (or pip install pyarrow)"

# The columns' features as datasets.Features.to_dict() gives them (read by every datasets >= 2).
FEATURES = {
    "image": {"_type": "Image"},
    "label": {"dtype": "string", "_type": "Value"},
    "text": {"dtype": "string", "_type": "Value"},
    "boxes": {
        "feature": {"feature": {"dtype": "int32", "_type": "Value"}, "_type": "Sequence"},
        "_type": "Sequence",
    },
    "source_indices": {"feature": {"dtype": "int64", "_type": "Value"}, "_type": "Sequence"},
    "index": {"dtype": "int64", "_type": "Value"},
}
WRITER_FEATURES = {
    "writer": {"dtype": "int32", "_type": "Value"},
    "writers": {"feature": {"dtype": "int32", "_type": "Value"}, "_type": "Sequence"},
}


def pyarrow_modules():
    """(pyarrow, pyarrow.parquet), or an ImportError that says how to install them."""
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise ImportError(INSTALL) from None
    return pyarrow, pyarrow.parquet


class ParquetFormat(Format):
    name = "parquet"
    description = "Hugging Face Parquet shards data/{split}-NNNNN-of-NNNNN.parquet"
    title = "Hugging Face Parquet shards (needs pyarrow)"
    piece_suffix = ".tar"

    def check_installed(self) -> None:
        try:
            pyarrow_modules()
        except ImportError:
            raise InvalidInputError(INSTALL, field="format") from None

    def shard_names(self, ctx: PartContext) -> list[str]:
        n = -(-ctx.count // ctx.shard_size)
        split = ctx.name or "train"  # datasets reads val as its validation split
        return [f"data/{split}-{j:05d}-of-{n:05d}.parquet" for j in range(n)]

    def final_files(self, ctx: PartContext) -> list[str]:
        return self.shard_names(ctx)

    def is_own(self, ctx: PartContext, relative: str) -> bool:
        if relative.startswith("data/") and is_temp(relative[5:]):
            return True
        return super().is_own(ctx, relative)

    def start_part(self, ctx: PartContext) -> None:
        super().start_part(ctx)
        make_folders(ctx.folder / "data")

    def recover(self, ctx: PartContext, indices: range, chunks: range) -> None:
        super().recover(ctx, indices, chunks)
        data = ctx.folder / "data"
        if data.is_dir():  # a shard being written when the export stopped
            for path in data.iterdir():
                if is_temp(path.name):
                    path.unlink()

    def write_chunk(self, ctx: PartContext, chunk: int, rendered) -> dict:
        return write_sample_piece(ctx, self.piece_path(ctx, chunk), chunk, rendered)

    def finish_part(self, ctx: PartContext, records: list[dict]) -> None:
        """The pieces' samples, in order, into shards of ``shard_size`` rows."""
        pa, pq = pyarrow_modules()
        schema = _schema(pa, ctx.writers)
        names = iter(self.shard_names(ctx))
        rows: list[dict] = []

        def flush() -> None:
            target = ctx.folder / next(names)
            tmp = temp_path(target)
            try:
                table = pa.Table.from_pylist(rows, schema=schema)
                pq.write_table(table, tmp, compression="none", use_dictionary=False, write_statistics=False)
                replace_durably(tmp, target)
            finally:
                tmp.unlink(missing_ok=True)
            rows.clear()

        pieces = [self.piece_path(ctx, record["chunk"]) for record in records]
        for key, sample in _piece_samples(pieces):
            row = json.loads(sample["json"])
            image = sample.get("png", sample.get("jpg"))
            extension = "png" if "png" in sample else "jpg"
            rows.append(
                {
                    "image": {"bytes": image, "path": f"{key}.{extension}"},
                    "label": row["label"],
                    "text": row["text"],
                    "boxes": row["boxes"],
                    "source_indices": row["source_indices"],
                    "index": row["index"],
                    **({"writer": row["writer"], "writers": row["writers"]} if ctx.writers else {}),
                }
            )
            if len(rows) == ctx.shard_size:
                flush()
        if rows:
            flush()

    def read_part(self, folder: Path, part: dict) -> dict:
        _, pq = pyarrow_modules()
        shards = sorted((folder / "data").glob("*-of-*.parquet"))
        labels, texts, images, indices, boxes = [], [], [], [], []
        writer: list[int] = []
        writer_list: list[list[int]] = []
        for shard in shards:
            table = pq.read_table(shard).to_pydict()
            labels += table["label"]
            texts += table["text"]
            images += [image["bytes"] for image in table["image"]]
            indices += table["index"]
            boxes += table["boxes"]
            if "writer" in table:
                writer += table["writer"]
                writer_list += table["writers"]
        return {
            **({"writer": writer, "writer_list": writer_list} if writer else {}),
            "labels": labels,
            "texts": texts,
            "image_bytes": images,
            "indices": indices,
            "box_list": boxes,
            "shards": shards,
        }


def _piece_samples(paths: list[Path]):
    """(key, {extension: bytes}) of every sample of these pieces, in order."""
    for path in paths:
        piece, key = read_piece(path), ""
        sample: dict[str, bytes] = {}
        for name, start, size in members(path, piece, piece=True):
            stem, _, extension = name.partition(".")
            if stem != key and sample:
                yield key, sample
                sample = {}
            key, sample[extension] = stem, piece[start : start + size]
        if sample:
            yield key, sample


def _schema(pa, writers: bool):
    columns = [
        ("image", pa.struct([("bytes", pa.binary()), ("path", pa.string())])),
        ("label", pa.string()),
        ("text", pa.string()),
        ("boxes", pa.list_(pa.list_(pa.int32()))),
        ("source_indices", pa.list_(pa.int64())),
        ("index", pa.int64()),
    ]
    features = dict(FEATURES)
    if writers:
        columns += [("writer", pa.int32()), ("writers", pa.list_(pa.int32()))]
        features.update(WRITER_FEATURES)
    return pa.schema(columns, metadata={"huggingface": json.dumps({"info": {"features": features}})})
