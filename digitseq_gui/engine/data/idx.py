"""IDX files (MNIST's format), raw or gzipped, read without trusting them.

An IDX file of unsigned bytes is a header (magic 0x0000080N, N the number of dimensions, then N
big-endian 32-bit sizes) followed by exactly the product of the sizes in bytes. The header is
read first and checked against the file: its sizes are multiplied in Python integers (never
overflowing), checked against the limits, and a gzipped file is decompressed to at most the
declared size, so a gzip bomb stops after what its header promised.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DatasetError
from ..files import read_regular_file
from .limits import check_declared_size, max_data_bytes

IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049
GZIP_MAGIC = b"\x1f\x8b"
_GZIP_WBITS = 16 + zlib.MAX_WBITS  # gzip wrapper, checks the trailer's CRC-32 and length


@dataclass(frozen=True)
class IdxHeader:
    dims: tuple[int, ...]
    raw: bytes  # the header's bytes, as in the (decompressed) file

    @property
    def size(self) -> int:
        return len(self.raw)

    @property
    def data_bytes(self) -> int:
        return math.prod(self.dims)

    @property
    def shape_text(self) -> str:
        return "x".join(map(str, self.dims))


def _kind(magic: int) -> str:
    return "images" if magic == IMAGES_MAGIC else "labels"


def parse_header(data: bytes | bytearray, expected_magic: int, what: str) -> IdxHeader:
    """The header at the start of ``data`` (the decompressed bytes, or at least their start)."""
    if len(data) < 4:
        raise DatasetError(f"{what} is too short to be an IDX file ({len(data)} bytes)")
    magic = int.from_bytes(data[0:4], "big")
    if magic != expected_magic:
        raise DatasetError(
            f"{what} is not an IDX {_kind(expected_magic)} file: magic number {magic}, expected {expected_magic}"
        )
    ndim = data[3]
    size = 4 + 4 * ndim
    if len(data) < size:
        raise DatasetError(f"{what} is too short to be an IDX file: it ends inside its header")
    dims = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    return IdxHeader(dims, bytes(data[:size]))


def parse_idx(data: bytes | bytearray, expected_magic: int, what: str) -> np.ndarray:
    """Parse the bytes of one whole (decompressed) IDX file of unsigned bytes."""
    header = parse_header(data, expected_magic, what)
    check_declared_size(header.data_bytes, what)
    if len(data) - header.size != header.data_bytes:
        raise DatasetError(
            f"{what} holds {len(data) - header.size:,} bytes of data but its header announces "
            f"{header.shape_text} = {header.data_bytes:,}; the file is truncated or corrupt"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header.size).reshape(header.dims)


def read_file(path: Path) -> bytes:
    """The bytes of a data file as stored (compressed or not), refusing anything that is not a
    regular file (before opening it) or is larger than any data file DigitSeq reads."""
    try:
        return read_regular_file(path, max_data_bytes() + (1 << 16), "data file")
    except OSError as exc:  # its message names the file and what is wrong
        raise DatasetError(exc.strerror or f"cannot read data file {path}: {exc}") from exc


def is_gzip(raw: bytes) -> bool:
    return raw[:2] == GZIP_MAGIC


def gzip_header(raw: bytes, expected_magic: int, what: str) -> IdxHeader:
    """The IDX header inside a gzipped file, decompressing only its first bytes."""
    try:
        start = zlib.decompressobj(_GZIP_WBITS).decompress(raw, 4 + 4 * 255)
    except zlib.error as exc:
        raise DatasetError(f"{what} is a broken gzip file ({exc}); download or copy it again") from exc
    return parse_header(start, expected_magic, what)


def gunzip_exactly(raw: bytes, header: IdxHeader, what: str) -> bytes:
    """Decompress ``raw`` (one or more gzip members) to exactly the size ``header`` declares:
    producing one byte more stops it (a gzip bomb, or data the header does not account for),
    fewer is a truncated file. Memory never exceeds the declared size + 1 byte of output."""
    expected = header.size + header.data_bytes
    parts: list[bytes] = []
    produced = 0
    data = raw
    try:
        while True:
            inflater = zlib.decompressobj(_GZIP_WBITS)
            part = inflater.decompress(data, expected + 1 - produced)
            parts.append(part)
            produced += len(part)
            if produced > expected:
                raise DatasetError(
                    f"{what} decompresses to more than the {expected:,} bytes its header declares "
                    f"({header.shape_text}); the file is corrupt or a decompression bomb"
                )
            if not inflater.eof:
                raise DatasetError(f"{what} is a broken gzip file (it ends early); download or copy it again")
            data = inflater.unused_data
            if not data.strip(b"\0"):  # the end, or the zero padding some tools add
                break
    except zlib.error as exc:
        raise DatasetError(f"{what} is a broken gzip file ({exc}); download or copy it again") from exc
    if produced != expected:
        raise DatasetError(
            f"{what} holds {max(0, produced - header.size):,} bytes of data but its header announces "
            f"{header.shape_text} = {header.data_bytes:,}; the file is truncated or corrupt"
        )
    return parts[0] if len(parts) == 1 else b"".join(parts)  # one member (the usual case): no copy


def gzip_trailer(raw: bytes) -> tuple[int, int]:
    """(CRC-32, length mod 2**32) of the decompressed data, from the gzip trailer (last 8 bytes);
    true of the whole content for the usual single-member file."""
    return int.from_bytes(raw[-8:-4], "little"), int.from_bytes(raw[-4:], "little")


def read_idx(path: Path, expected_magic: int) -> np.ndarray:
    """A whole IDX file, raw or gzipped, checked against its header."""
    what = str(path)
    raw = read_file(path)
    if not is_gzip(raw):
        return parse_idx(raw, expected_magic, what)
    header = gzip_header(raw, expected_magic, what)
    check_declared_size(header.data_bytes, what, compressed_size=len(raw))
    return parse_idx(gunzip_exactly(raw, header, what), expected_magic, what)
