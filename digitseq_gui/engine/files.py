"""Small file-system helpers: the cache folder, and reads that never block or swallow the
machine's memory: ``read_regular_file`` refuses a FIFO, a device (/dev/zero) or a folder before
opening it and reads at most a given number of bytes.

Writes live in ``durable`` (atomic, synced, the only module that calls fsync).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import platformdirs

APP_NAME = "digitseq"


def cache_dir() -> Path:
    """The user's cache folder for DigitSeq (DIGITSEQ_CACHE_DIR overrides it, e.g. in tests)."""
    override = os.environ.get("DIGITSEQ_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir(APP_NAME))


# ---------------------------------------------------------------------------------------------
# Reading


class UnsafeFileError(OSError):
    """A path names something that is not a regular file, or a file too large to read."""


def describe_kind(mode: int) -> str:
    """What a non-regular file is, for a message: 'a folder', 'a FIFO (named pipe)', 'a device'..."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_regular_file(path: Path, what: str = "file") -> os.stat_result:
    """The stat of ``path`` if it is a regular file (links followed), without opening it: a FIFO
    would block the open, a device like /dev/zero never ends, and some devices act when opened."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise type(exc)(exc.errno, f"cannot read {what} {path}: {exc.strerror}", str(path)) from exc
    except ValueError as exc:  # an embedded NUL byte
        raise UnsafeFileError(errno.EINVAL, f"cannot read {what} {path!r}: {exc}", str(path)) from exc
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeFileError(
            errno.EINVAL,
            f"cannot read {what} {path}: it is {describe_kind(info.st_mode)}, not a "
            "regular file; give the path of a file",
            str(path),
        )
    return info


def open_regular_file(path: Path, what: str = "file"):
    """A binary file object for ``path``, refused (UnsafeFileError) unless it is a regular file.
    Checked before opening and again on the open descriptor, so a file swapped for a FIFO in
    between cannot block (the open is non-blocking)."""
    check_regular_file(path, what)
    flags = (
        os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    )
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise type(exc)(exc.errno, f"cannot read {what} {path}: {exc.strerror}", str(path)) from exc
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise UnsafeFileError(
            errno.EINVAL,
            f"cannot read {what} {path}: it is {describe_kind(info.st_mode)}, not a regular file",
            str(path),
        )
    if hasattr(os, "set_blocking"):
        os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def read_regular_file(path: Path, max_bytes: int, what: str = "file") -> bytes:
    """The bytes of the regular file ``path``, refusing a file larger than ``max_bytes``."""
    with open_regular_file(path, what) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > max_bytes:
            raise UnsafeFileError(
                errno.EFBIG,
                f"cannot read {what} {path}: it is {size:,} bytes; at most "
                f"{max_bytes:,} are expected here, so it cannot be the right file",
                str(path),
            )
        # Read what fstat says is there, plus one byte to notice growth: read(max_bytes + 1)
        # would reserve max_bytes (gigabytes) up front and fail under an address-space limit.
        data = handle.read(size + 1)
        if len(data) == size + 1 and size < max_bytes:
            data += handle.read(max_bytes - size)
    if len(data) > max_bytes:  # it grew while being read
        raise UnsafeFileError(
            errno.EFBIG,
            f"cannot read {what} {path}: it is larger than the {max_bytes:,} bytes expected",
            str(path),
        )
    return data
