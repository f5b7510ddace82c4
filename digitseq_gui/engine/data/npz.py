"""Keras-style mnist.npz files (x_train, y_train, x_test, y_test), read without trusting them.

Before an array is allocated, the .npy header of its member is read and its declared shape and
dtype checked: no Python objects (never unpickled: ``allow_pickle=False``), a shape whose bytes
agree with the member's size in the zip directory, within the limits, and in proportion to the
compressed size. So a member declaring terabytes is refused without reading it.
"""

from __future__ import annotations

import hashlib
import math
import zipfile
import zlib
from pathlib import Path

import numpy as np

from ..errors import DatasetError
from ..files import open_regular_file
from .limits import check_declared_size, max_data_bytes
from .writers import checked_writer_ids

DIGIT_SIZE = 28
# What reading a damaged or hostile archive can raise, besides DatasetError.
_READ_ERRORS = (
    OSError,
    ValueError,
    EOFError,
    zlib.error,
    zipfile.BadZipFile,
    NotImplementedError,
    RuntimeError,
    KeyError,
    UnicodeDecodeError,
)


def _member_header(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[tuple[int, ...], np.dtype, int]:
    """(shape, dtype, header bytes) of one .npy member, reading only its header."""
    with archive.open(info) as member:
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(member)
        else:
            shape, _, dtype = np.lib.format.read_array_header_2_0(member)
        return shape, dtype, member.tell()


def read_array(
    archive: np.lib.npyio.NpzFile,
    key: str,
    path: Path,
    file_size: int,
    images: bool,
    count: int | None = None,
) -> np.ndarray:
    """The array ``key`` (digit images, or labels), after checking its declared shape and dtype
    against what DigitSeq needs and against the archive."""
    what = f"{path} member {key}"
    zip_file = archive.zip
    assert zip_file is not None  # an open NpzFile has its zip
    info = zip_file.getinfo(f"{key}.npy")
    shape, dtype, header_size = _member_header(zip_file, info)
    if dtype.hasobject:
        raise DatasetError(f"{what} holds Python objects, which DigitSeq never unpickles; save plain arrays")
    declared = math.prod(shape) * dtype.itemsize
    if info.file_size != header_size + declared:
        raise DatasetError(
            f"{what} declares shape {shape} of {dtype} ({declared:,} bytes) but holds {info.file_size - header_size:,} "
            "bytes; the file is truncated or corrupt"
        )
    if info.compress_size > file_size:
        raise DatasetError(
            f"{what} claims {info.compress_size:,} compressed bytes in a {file_size:,}-byte file; it is corrupt"
        )
    check_declared_size(declared, what, compressed_size=info.compress_size)
    if images and dtype != np.uint8 or not images and dtype.kind not in "ui":
        raise DatasetError(f"{path}: expected uint8 images and integer labels, got {dtype} for {key}")
    if images and (len(shape) != 3 or shape[1:] != (DIGIT_SIZE, DIGIT_SIZE)):
        size = "x".join(map(str, shape[1:])) or "scalar"
        raise DatasetError(
            f"{path.name}: {key} has shape {shape}: digit images are {size}; DigitSeq needs a stack "
            f"of {DIGIT_SIZE}x{DIGIT_SIZE} images (resize them first)"
        )
    if not images and len(shape) != 1:
        raise DatasetError(f"{path.name}: {key} has shape {shape}; labels must be a flat list, one per image")
    if count is not None and shape[0] != count:
        raise DatasetError(f"{path.name}: {shape[0]} images but {count} labels; the counts must agree")
    return archive[key]


def load_npz(path: Path, split: str) -> tuple[np.ndarray, np.ndarray, str, np.ndarray | None]:
    """(images, labels, SHA-256 of the file, writers or None) of ``split``; DatasetError for
    anything wrong. The writers are the optional member ``w_<split>``: one integer writer id
    per label, in the labels' order."""
    try:
        handle = open_regular_file(path, "data file")
    except OSError as exc:
        raise DatasetError(exc.strerror or f"cannot read data file {path}: {exc}") from exc
    with handle:
        file_size = handle.seek(0, 2)
        handle.seek(0)
        if file_size > max_data_bytes() + (1 << 16):  # larger than any arrays it may hold
            raise DatasetError(
                f"cannot read data file {path}: it is {file_size:,} bytes; at most "
                f"{max_data_bytes() + (1 << 16):,} are expected here, so it cannot be the right file"
            )
        try:
            archive = np.load(handle, allow_pickle=False)
        except _READ_ERRORS as exc:
            raise DatasetError(f"cannot read {path} as an .npz archive: {exc}") from exc
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise DatasetError(
                f"{path} is a single .npy array, not an .npz archive of x_train, y_train, x_test, y_test"
            )
        with archive:
            x_key, y_key = f"x_{split}", f"y_{split}"
            if x_key not in archive.files or y_key not in archive.files:
                raise DatasetError(
                    f"{path} has no {x_key}/{y_key} arrays (it has {', '.join(sorted(archive.files)) or 'none'}); "
                    "a Keras-style mnist.npz holds x_train, y_train, x_test, y_test"
                )
            try:
                labels = read_array(archive, y_key, path, file_size, images=False)
                images = read_array(archive, x_key, path, file_size, images=True, count=len(labels))
                writers = None
                if f"w_{split}" in archive.files:
                    writers = read_array(archive, f"w_{split}", path, file_size, images=False)
                    writers = checked_writer_ids(writers, len(labels), f"{path.name} member w_{split}")
            except DatasetError:
                raise
            except _READ_ERRORS as exc:
                raise DatasetError(f"cannot read {path} as an .npz archive: {exc}") from exc
        handle.seek(0)
        digest = (
            hashlib.file_digest(handle, "sha256").hexdigest()
            if hasattr(hashlib, "file_digest")
            else hashlib.sha256(handle.read()).hexdigest()
        )
    return images, labels, digest, writers
