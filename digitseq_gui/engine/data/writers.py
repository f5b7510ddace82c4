"""The writer of every embedded MNIST digit, from QMNIST's extended labels.

QMNIST (Yadav and Bottou, "Cold Case: The Lost MNIST Digits", NeurIPS 2019; BSD licence in
resources/mnist/QMNIST-LICENSE.txt) traces each MNIST digit to the NIST writer who drew it.
The package ships column 2 of its label files (the NIST writer id, 0-610 and 2100-2599, unique
across NIST's series for these digits) as one gzipped little-endian uint16 per row, in MNIST's
row order: ``train-writers-uint16.gz`` (60,000 rows, 539 writers) and ``t10k-writers-uint16.gz``
(the 10,000 MNIST test rows, 297 other writers). Plain bytes, so no pickle is ever read.
"""

from __future__ import annotations

import gzip
from importlib import resources

import numpy as np

from ..errors import DatasetError

WRITER_FILES = {"train": "train-writers-uint16.gz", "test": "t10k-writers-uint16.gz"}
ROWS = {"train": 60_000, "test": 10_000}


def read_writers(data: bytes, rows: int, name: str) -> np.ndarray:
    """A writers file's bytes (gzipped or not) as a read-only uint16 array of ``rows`` ids."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if len(data) != 2 * rows:
        raise DatasetError(
            f"{name} holds {len(data) // 2} writer ids for {rows} digits; it needs one little-endian "
            "uint16 per digit, in the order of the labels"
        )
    writers = np.frombuffer(data, dtype="<u2").astype(np.uint16)
    writers.flags.writeable = False
    return writers


def embedded_writers(split: str) -> np.ndarray:
    """The writer id of each row of the embedded MNIST ``split`` ("train" or "test")."""
    if split not in WRITER_FILES:
        raise DatasetError(f"MNIST has no split {split!r}; use 'train' or 'test'")
    path = resources.files("digitseq_gui.resources") / "mnist" / WRITER_FILES[split]
    return read_writers(path.read_bytes(), ROWS[split], f"MNIST {split} writers")
