"""The export formats, one module each, behind one interface (base.Format).

png         images/000000.png ... + labels.csv
jsonl       the same images + labels.jsonl
npz         data.npz: images, labels, texts, lengths, targets (CTC), boxes, source indices
lmdb        data.mdb with deep-text-recognition-benchmark's keys
webdataset  tar shards of {key}.png, {key}.txt, {key}.json
parquet     Hugging Face Parquet shards data/{split}-00000-of-0000N.parquet (needs pyarrow)
"""

from __future__ import annotations

from ...engine.errors import InvalidInputError
from .base import COMPRESSIONS, DEFAULT_COMPRESSION, Format, PartContext
from .jsonl import JsonlFormat
from .lmdb import LmdbFormat
from .npz import NpzFormat
from .parquet import ParquetFormat
from .png import CSV_FIELDS, PngFormat
from .webdataset import WebDatasetFormat

FORMATS: dict[str, Format] = {
    f.name: f
    for f in (PngFormat(), JsonlFormat(), NpzFormat(), LmdbFormat(), WebDatasetFormat(), ParquetFormat())
}
DEFAULT_FORMAT = "png"


def format_named(name: object) -> Format:
    if not isinstance(name, str) or name not in FORMATS:
        raise InvalidInputError(
            f"unknown export format {name!r}; use one of {', '.join(FORMATS)}", field="format"
        )
    FORMATS[name].check_installed()
    return FORMATS[name]


__all__ = [
    "FORMATS",
    "DEFAULT_FORMAT",
    "COMPRESSIONS",
    "DEFAULT_COMPRESSION",
    "CSV_FIELDS",
    "Format",
    "PartContext",
    "format_named",
]
