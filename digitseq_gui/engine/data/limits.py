"""How much a data file may declare, so a hostile or broken file is refused before it is read.

A data file's header says how many bytes of pixels follow. That figure is checked before any
memory is allocated: against a fixed ceiling, against half the machine's memory, and, for a
compressed file, against what a file of its size can plausibly hold (a gzip bomb declares, or
decompresses to, a thousand times its size; real digit images compress 4-10x).
"""

from __future__ import annotations

import os

from ..errors import DatasetError

# 4 GiB of pixels: 5.4 million 28x28 digits, 77 times MNIST's training set.
MAX_DATA_BYTES = 4 << 30
# MNIST compresses 4.8x (gzip) and blank test images a few hundred times; deflate cannot exceed
# 1032x. Above this ratio (past the first MiB) a file is refused as out of proportion.
MAX_COMPRESSION_RATIO = 100
RATIO_SLACK_BYTES = 1 << 20


def physical_memory() -> int | None:
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def max_data_bytes() -> int:
    """The most pixel bytes one data file may declare on this machine."""
    memory = physical_memory()
    return MAX_DATA_BYTES if memory is None else min(MAX_DATA_BYTES, memory // 2)


def check_declared_size(declared: int, what: str, compressed_size: int | None = None) -> None:
    """Refuse a declared size that cannot be right or would not fit in memory."""
    limit = max_data_bytes()
    if declared > limit:
        raise DatasetError(
            f"{what} declares {declared:,} bytes of data, more than the {limit:,} DigitSeq reads from one file "
            "(at most 4 GiB, and at most half this machine's memory); the header is corrupt, or split the "
            "data set into smaller files"
        )
    if compressed_size is not None and declared > MAX_COMPRESSION_RATIO * compressed_size + RATIO_SLACK_BYTES:
        raise DatasetError(
            f"{what} declares {declared:,} bytes of data from only {compressed_size:,} compressed bytes "
            f"(more than {MAX_COMPRESSION_RATIO}x): out of proportion for digit images, so it is refused as "
            "corrupt or a decompression bomb; use the original file"
        )
