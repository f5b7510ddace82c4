"""A zip (the npz container) written from deflate segments compressed beforehand, in parallel.

Each segment is raw deflate ending in a sync flush (byte-aligned, not final), so segments
compressed separately concatenate into one valid deflate stream; an empty final block closes it.
The entry's CRC-32 is combined from the segments' CRCs (zlib's crc32_combine, with the
zero-byte operator tabulated per segment length), so assembling costs a copy, not compression.
Every entry carries zip64 sizes, so any size works; the time stamp is fixed (1980-01-01) so the
same data gives the same bytes.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

_FINAL_BLOCK = b"\x03\x00"  # an empty final fixed-Huffman block
_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01
_VERSION = 45  # zip64


def compress_segment(data: bytes, level: int) -> tuple[bytes, int, int]:
    """(raw deflate ending in a sync flush, crc32, length) of ``data``: a piece of a stream."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH), zlib.crc32(data), len(data)


_SHIFT_TABLES: dict[int, list[list[int]]] = {}


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """The CRC-32 of A + B from crc(A), crc(B) and len(B)."""
    tables = _SHIFT_TABLES.get(length2)
    if tables is None:
        zeros = b"\0" * length2
        columns = [~zlib.crc32(zeros, ~(1 << bit) & 0xFFFFFFFF) & 0xFFFFFFFF for bit in range(32)]
        tables = []
        for byte in range(4):
            table = []
            for value in range(256):
                out = 0
                for bit in range(8):
                    if value >> bit & 1:
                        out ^= columns[8 * byte + bit]
                table.append(out)
            tables.append(table)
        if len(_SHIFT_TABLES) > 64:
            _SHIFT_TABLES.clear()
        _SHIFT_TABLES[length2] = tables
    shifted = (
        tables[0][crc1 & 0xFF]
        ^ tables[1][crc1 >> 8 & 0xFF]
        ^ tables[2][crc1 >> 16 & 0xFF]
        ^ tables[3][crc1 >> 24]
    )
    return shifted ^ crc2


@dataclass
class Entry:
    name: str
    segments: Iterable[tuple[int, int, int]]  # (compressed length, crc, raw length) in order
    data: Iterable[bytes]  # the compressed bytes of the same segments, in the same order


def write_zip(handle: BinaryIO, entries: list[Entry]) -> None:
    """Write the entries as a zip64 archive. Each entry's segments are read twice: once for
    the sizes and CRC (the local header comes first), once for the data."""
    central = []
    for entry in entries:
        crc, raw, packed = 0, 0, 0
        for length, segment_crc, segment_raw in entry.segments:
            crc = crc32_combine(crc, segment_crc, segment_raw) if raw else segment_crc
            raw += segment_raw
            packed += length
        packed += len(_FINAL_BLOCK)
        offset = handle.tell()
        name = entry.name.encode()
        extra = struct.pack("<HHQQ", 1, 16, raw, packed)
        handle.write(
            struct.pack(
                "<IHHHHHIIIHH",
                0x04034B50,
                _VERSION,
                0,
                8,
                0,
                _DOS_DATE,
                crc,
                0xFFFFFFFF,
                0xFFFFFFFF,
                len(name),
                len(extra),
            )
            + name
            + extra
        )
        for block in entry.data:
            handle.write(block)
        handle.write(_FINAL_BLOCK)
        central.append((name, crc, raw, packed, offset))
    start = handle.tell()
    for name, crc, raw, packed, offset in central:
        extra = struct.pack("<HHQQQ", 1, 24, raw, packed, offset)
        handle.write(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                (3 << 8) | _VERSION,
                _VERSION,
                0,
                8,
                0,
                _DOS_DATE,
                crc,
                0xFFFFFFFF,
                0xFFFFFFFF,
                len(name),
                len(extra),
                0,
                0,
                0,
                0o644 << 16,
                0xFFFFFFFF,
            )
            + name
            + extra
        )
    end = handle.tell()
    count = len(central)
    handle.write(
        struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, _VERSION, _VERSION, 0, 0, count, count, end - start, start)
    )
    handle.write(struct.pack("<IIQI", 0x07064B50, 0, end, 1))
    handle.write(
        struct.pack(
            "<IHHHHIIH", 0x06054B50, 0, 0, min(count, 0xFFFF), min(count, 0xFFFF), 0xFFFFFFFF, 0xFFFFFFFF, 0
        )
    )
