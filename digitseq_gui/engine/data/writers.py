"""The writer of every embedded MNIST digit, from QMNIST's extended labels.

QMNIST (Yadav and Bottou, "Cold Case: The Lost MNIST Digits", NeurIPS 2019; BSD licence in
resources/mnist/QMNIST-LICENSE.txt) traces each MNIST digit to the NIST writer who drew it.
The package ships column 2 of its label files (the NIST writer id, 0-610 and 2100-2599, unique
across NIST's series for these digits) as one gzipped little-endian uint16 per row, in MNIST's
row order: ``train-writers-uint16.gz`` (60,000 rows, 539 writers) and ``t10k-writers-uint16.gz``
(the 10,000 MNIST test rows, 297 other writers). Plain bytes, so no pickle is ever read.

A user's data set may say who wrote its digits too (without it, ``sampling.writer = same`` is
refused): a folder of IDX files by a text file beside its labels file, named like the labels
file without its ``.gz`` and with ``-writers.txt`` added (``train-labels-idx1-ubyte-writers.txt``
for ``train-labels-idx1-ubyte.gz``), holding one whole-number writer id (0 or more) per line in
the labels' order; a Keras .npz by an integer array ``w_train`` (``w_test``) beside ``y_train``.
"""

from __future__ import annotations

import gzip
from importlib import resources
from pathlib import Path

import numpy as np

from ..errors import DatasetError
from ..files import read_regular_file

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


MAX_WRITER_ID = 2**31 - 1
WRITERS_SUFFIX = "-writers.txt"
HOW_TO_SUPPLY = (
    "put a text file named like the labels file plus -writers.txt (e.g. train-labels-idx1-ubyte-writers.txt) "
    "beside the labels, one writer id per line, or an array w_train/w_test in the .npz"
)


def writers_path(labels_path: Path) -> Path:
    """Where the optional writers file of an IDX labels file is."""
    name = labels_path.name[:-3] if labels_path.name.endswith(".gz") else labels_path.name
    return labels_path.with_name(name + WRITERS_SUFFIX)


def checked_writer_ids(values: np.ndarray, rows: int, where: str) -> np.ndarray:
    """``values`` as int32 writer ids, one per row; DatasetError saying what is wrong."""
    values = np.asarray(values)
    if values.ndim != 1 or len(values) != rows:
        raise DatasetError(f"{where} holds {values.size} writer ids for {rows} digits; give one per digit")
    if values.size and (values.min() < 0 or values.max() > MAX_WRITER_ID):
        raise DatasetError(f"{where}: writer ids must be whole numbers 0 to {MAX_WRITER_ID}")
    return values.astype(np.int32)


def writers_beside(labels_path: Path, rows: int) -> np.ndarray | None:
    """The writer ids of the writers file beside ``labels_path``, or None if there is none."""
    path = writers_path(labels_path)
    try:
        raw = read_regular_file(path, rows * 12 + 1024, "writers file")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise DatasetError(f"cannot read the writers file {path}: {exc.strerror or exc}") from None
    try:
        values = [int(line) for line in raw.decode("ascii").split()]
    except (UnicodeDecodeError, ValueError):
        raise DatasetError(f"{path}: each line must be one whole-number writer id") from None
    return checked_writer_ids(np.array(values, dtype=np.int64), rows, str(path))
