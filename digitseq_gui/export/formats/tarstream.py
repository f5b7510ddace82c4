"""Plain USTAR tar files, written and read by hand: Python's tarfile spends ~0.2 ms per member
building and parsing headers, more than encoding the image. The headers are fixed (owner 0,
time 0, mode 0644), so the same samples give the same bytes; tarfile and webdataset read them.

A *piece* (a chunk's samples, samples.py) is members only, without the end marker: a shard is
pieces joined, then ``end``, so a piece that falls inside one shard is copied whole."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

BLOCK = 512
RECORD = 20 * BLOCK  # tar pads the archive to whole records, as tarfile does
_ADLER_MOD = 65521

# Every header is this one with the name, the size and the checksum filled in. The checksum is
# the sum of the header's bytes with its own field read as spaces: the fixed part's sum plus
# the name's and the size field's.
_BLANK = (
    b"\0" * 100
    + b"0000644\0"
    + b"0000000\0"
    + b"0000000\0"
    + b"\0" * 12
    + b"00000000000\0"
    + b" " * 8
    + b"0"
    + b"\0" * 100
    + b"ustar\x0000"
    + b"\0" * 64
    + b"0000000\0"
    + b"0000000\0"
    + b"\0" * 155
).ljust(BLOCK, b"\0")
_BLANK_SUM = sum(_BLANK)


_BEFORE_SIZE, _BETWEEN, _AFTER_CHECKSUM = _BLANK[100:124], _BLANK[136:148], _BLANK[156:]


def header(name: str, size: int) -> bytes:
    encoded = name.encode()
    if len(encoded) > 100:
        raise ValueError(f"tar member name {name!r} is longer than 100 bytes")
    size_field = b"%011o\0" % size
    checksum = b"%06o\0 " % (_BLANK_SUM + sum(encoded) + sum(size_field))
    return b"".join(
        (encoded.ljust(100, b"\0"), _BEFORE_SIZE, size_field, _BETWEEN, checksum, _AFTER_CHECKSUM)
    )


def member_parts(name: str, data: bytes) -> tuple[bytes, bytes, bytes]:
    """A member as (header, data, padding): to join with others without copying the data twice."""
    return header(name, len(data)), data, _ZEROS[: -len(data) % BLOCK]


_ZEROS = bytes(BLOCK)


def end(written: int) -> bytes:
    """Two zero blocks, then padding to a whole record, given the bytes written so far."""
    total = written + 2 * BLOCK
    return b"\0" * (2 * BLOCK + (-total % RECORD))


class TarWriter:
    def __init__(self, handle: BinaryIO):
        self.handle, self.written = handle, 0

    def add_members(self, data: bytes) -> None:
        """Whole members as they are: a span of another tar written as these are."""
        self.handle.write(data)
        self.written += len(data)

    def close(self) -> None:
        self.handle.write(end(self.written))


def _member_header(block: bytes, path: Path) -> tuple[str, int] | None:
    """(name, size) of the member this header block starts, or None at the end of the archive."""
    if len(block) < BLOCK:
        raise ValueError(f"{path} ends in the middle of a tar header")
    if not block[0] and block.count(0) == BLOCK:  # a header's name never starts with NUL
        return None
    if block[156] not in b"0\0":
        raise ValueError(f"{path} holds a tar member that is not a plain file")
    field = block[148:156]
    checksum = int(field.strip(b"\0 ") or b"0", 8)
    # The header's byte sum with the checksum field read as spaces, modulo 65521: zlib.adler32's
    # low half is 1 + the byte sum modulo 65521, summed in C instead of a Python loop over 512 bytes.
    # The headers written here sum to less than 65521 (a name of 100 bytes of 255 included), so for
    # them the check is exact.
    if (
        checksum >= _ADLER_MOD
        or (checksum - (zlib.adler32(block) & 0xFFFF) + 1 + sum(field) - 8 * 32) % _ADLER_MOD
    ):
        raise ValueError(f"{path} has a damaged tar header")
    return block[:100].rstrip(b"\0").decode(), int(block[124:136].strip(b"\0 ") or b"0", 8)


def read_members(path: Path) -> Iterator[tuple[str, bytes]]:
    """(name, data) of every regular file in a tar written as above; anything else, a tar cut
    short included, is an error."""
    archive = read_archive(path)
    for name, start, size in members(path, archive):
        yield name, archive[start : start + size]


def read_archive(path: Path) -> bytes:
    """A whole tar in memory, to be cut up by offsets."""
    with open(path, "rb") as handle:
        return handle.read()


def read_piece(path: Path) -> bytes:
    """A chunk's piece (a few MB): its members, as a shard holds them. A piece written before
    pieces left out tar's end marker is cut where its marker starts (a piece's own last block
    always holds data: the end of a label or of JSON, never empty)."""
    piece = read_archive(path)
    if piece[-BLOCK:].count(0) == BLOCK:
        end_of_members = 0
        for _, start, size in members(path, piece):
            end_of_members = start + size + (-size % BLOCK)
        piece = piece[:end_of_members]
    return piece


def sample_spans(path: Path, archive: bytes, piece: bool = False) -> Iterator[tuple[str, int, int]]:
    """(key, start, stop) of each sample of a tar written as above (``read_archive``): the byte
    span of its run of members named ``{key}.{extension}``, headers included."""
    key, first, stop = None, 0, 0
    for name, start, size in members(path, archive, piece):
        stem = name.partition(".")[0]
        if stem != key:
            if key is not None:
                yield key, first, stop
            key, first = stem, start - BLOCK
        stop = start + size + (-size % BLOCK)
    if key is not None:
        yield key, first, stop


def members(path: Path, archive: bytes, piece: bool = False) -> Iterator[tuple[str, int, int]]:
    """(name, data offset, size) of each member, headers checked, up to the end marker or, in a
    ``piece`` (which has none; an older one may), the end of the data."""
    at = 0
    while not (piece and at == len(archive) > 0):
        if at == len(archive):
            raise ValueError(f"{path} ends without tar's end marker: it was cut short")
        found = _member_header(archive[at : at + BLOCK], path)
        if found is None:
            return
        name, size = found
        at += BLOCK
        if at + size > len(archive):
            raise ValueError(f"{path} ends in the middle of {name}")
        yield name, at, size
        at += size + (-size % BLOCK)
