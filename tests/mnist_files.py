"""Writing small synthetic data set files (IDX, gzipped or raw, and Keras .npz) for the tests."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049


def idx_bytes(array: np.ndarray, magic: int | None = None, dims: tuple[int, ...] | None = None) -> bytes:
    """An IDX file of unsigned bytes; ``magic`` and ``dims`` override the header to corrupt it."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    if magic is None:
        magic = 0x0800 + array.ndim
    dims = array.shape if dims is None else dims
    header = magic.to_bytes(4, "big") + b"".join(int(d).to_bytes(4, "big") for d in dims)
    return header + array.tobytes()


def write_idx_pair(
    folder: Path,
    images: np.ndarray,
    labels: np.ndarray,
    prefix: str = "train",
    gz: bool = True,
    image_bytes: bytes | None = None,
    label_bytes: bytes | None = None,
):
    """Write ``{prefix}-images-idx3-ubyte[.gz]`` and ``{prefix}-labels-idx1-ubyte[.gz]``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".gz" if gz else ""
    image_data = idx_bytes(images) if image_bytes is None else image_bytes
    label_data = idx_bytes(labels) if label_bytes is None else label_bytes
    if gz:
        image_data, label_data = gzip.compress(image_data), gzip.compress(label_data)
    images_path = folder / f"{prefix}-images-idx3-ubyte{suffix}"
    labels_path = folder / f"{prefix}-labels-idx1-ubyte{suffix}"
    images_path.write_bytes(image_data)
    labels_path.write_bytes(label_data)
    return images_path, labels_path


def small_sample(dataset, per_digit: int = 5, digits=range(10), start: int = 0):
    """A few real MNIST images of each digit, interleaved: (images, labels, original rows)."""
    rows = np.concatenate([np.flatnonzero(dataset.labels == d)[start : start + per_digit] for d in digits])
    rows = np.sort(rows)
    return np.asarray(dataset.images[rows]), np.asarray(dataset.labels[rows]), rows
