"""Small file-system helpers: the cache folder, writes that are never left half-done, and reads
that never block or swallow the machine's memory.

Writes: ``atomic_write_bytes`` (or ``atomic_writer`` for content written piece by piece) writes
a temporary file in the target's folder, fsyncs it and renames it.
The temporary file is created with mode 0666 minus the umask (0644 under umask 022), as
``open()`` would, so the final file has the mode a person expects (``mkstemp`` gives 0600).
Its name is short and starts with ``TEMP_PREFIX``, so it never exceeds the file-system's name
limit and only DigitSeq's own temporary files match ``is_temp_name``. Any failure (full disk,
name too long, permission) is an OSError of the usual subclass whose message names the target.

Reads: ``read_regular_file`` refuses a FIFO, a device (/dev/zero) or a folder before opening it
and reads at most a given number of bytes.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, NoReturn

import platformdirs

APP_NAME = "digitseq"
TEMP_PREFIX = ".digitseq-"
TEMP_SUFFIX = ".tmp"
# Longest file name (bytes) most file systems accept (ext4, xfs, btrfs, tmpfs, APFS, NTFS).
NAME_MAX = 255

# What to tell a person for the write errors they can do something about.
_WRITE_HINTS: dict[int | None, str] = {
    errno.ENOSPC: "the disk is full; free some space or choose another folder",
    errno.EDQUOT: "the disk quota is used up; free some space or choose another folder",
    errno.ENAMETOOLONG: "the file name is too long; choose a shorter name",
    errno.EROFS: "the file system is read-only; choose another folder",
    errno.EACCES: "permission denied; choose another folder",
    errno.EPERM: "permission denied; choose another folder",
    errno.ENOENT: "its folder does not exist; create it or choose another",
    errno.ENOTDIR: "part of the path is not a folder; choose another path",
    errno.EISDIR: "a folder of that name is in the way; choose another name",
}


def cache_dir() -> Path:
    """The user's cache folder for DigitSeq (DIGITSEQ_CACHE_DIR overrides it, e.g. in tests)."""
    override = os.environ.get("DIGITSEQ_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir(APP_NAME))


def is_temp_name(name: str) -> bool:
    """True for the name of a temporary file ``atomic_write_bytes`` made (and may have left
    behind if the process was killed): the only files clean-up may delete without asking."""
    return name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX)


def write_error(exc: OSError, path: Path, verb: str = "write") -> OSError:
    """``exc`` as an OSError of the same subclass whose message names ``path`` and what to do."""
    hint = _WRITE_HINTS.get(exc.errno, exc.strerror or str(exc))
    if exc.errno == errno.ENOENT and Path(path).parent.is_dir():
        # the folder is there (a /proc or /sys folder, say) but takes no new files
        hint = "its folder exists but takes no new files; choose another folder"
    if exc.errno is None:
        return OSError(f"cannot {verb} {path}: {hint}")
    return OSError(exc.errno, f"cannot {verb} {path}: {hint}", str(path))


def check_name_length(path: Path) -> None:
    if len(os.fsencode(path.name)) > NAME_MAX:
        raise OSError(
            errno.ENAMETOOLONG,
            f"cannot write {path}: the file "
            f"name is {len(os.fsencode(path.name))} bytes long, more than the {NAME_MAX} file systems "
            "allow; choose a shorter name",
            str(path),
        )


def _create_temp(folder: Path) -> tuple[int, Path]:
    """A new temporary file in ``folder``, opened for writing, mode 0666 minus the umask."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    while True:
        tmp = folder / f"{TEMP_PREFIX}{secrets.token_hex(8)}{TEMP_SUFFIX}"
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:  # 2**64 names: practically never, but never overwrite one
            continue


def write_all(fd: int, data: bytes) -> None:
    """All of ``data`` to ``fd``: a short write is followed by one that raises (a full disk, a size limit)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def write_file(path: str, data: bytes) -> None:
    """``data`` as the file ``path`` (created or truncated) in three system calls, not synced: for
    many small files that are synced together afterwards (an export's images)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o666)
    try:
        write_all(fd, data)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes, overwrite: bool = True) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    A crash or a full disk leaves either the old file or no file, never a truncated one, and no
    temporary file unless the process is killed. With ``overwrite=False`` an existing file is an
    error (FileExistsError), checked atomically by linking rather than renaming. The file's mode
    follows the umask. Errors are OSErrors naming ``path``.
    """
    path = Path(path)
    fd, tmp = _open_temp_for(path)
    try:
        try:
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        _commit(tmp, path, overwrite)
    except BaseException as exc:
        _discard(tmp)
        _raise_named(exc, path)
    return path


@contextmanager
def atomic_writer(path: Path, overwrite: bool = True) -> Iterator[BinaryIO]:
    """``atomic_write_bytes`` for content written piece by piece (a zip archive, a long CSV):

        with atomic_writer(folder / "data.npz") as handle:
            ...write to handle...

    The file appears at ``path`` (flushed and fsynced, mode from the umask) only when the block
    ends normally; if it raises, the temporary file is removed and ``path`` is untouched."""
    path = Path(path)
    fd, tmp = _open_temp_for(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        _commit(tmp, path, overwrite)
    except BaseException as exc:
        _discard(tmp)
        _raise_named(exc, path)


def _open_temp_for(path: Path) -> tuple[int, Path]:
    check_name_length(path)
    try:
        return _create_temp(path.parent if str(path.parent) else Path("."))
    except OSError as exc:
        raise write_error(exc, path) from exc


def _commit(tmp: Path, path: Path, overwrite: bool) -> None:
    if overwrite:
        _check_replaceable(path)
        os.replace(tmp, path)
    else:
        os.link(tmp, path)  # fails with FileExistsError instead of replacing
        os.unlink(tmp)


def _check_replaceable(path: Path) -> None:
    """Overwriting replaces a file; a FIFO, device or socket at ``path`` is someone's plumbing
    (os.replace would silently swap it for a file), so it is refused."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # nothing there (or nothing stat can see): the rename decides
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):  # a folder: the rename fails with EISDIR
        raise OSError(
            errno.EINVAL,
            f"cannot write {path}: it is {describe_kind(mode)}, not a file; choose another name",
            str(path),
        )


def _discard(tmp: Path) -> None:
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass


def _raise_named(exc: BaseException, path: Path) -> NoReturn:
    """Re-raise ``exc``; an OSError becomes one of the same subclass whose message names ``path``."""
    if isinstance(exc, FileExistsError):
        raise FileExistsError(
            errno.EEXIST, f"{path} already exists; choose another name or allow overwriting", str(path)
        ) from exc
    if isinstance(exc, OSError):
        raise write_error(exc, path) from exc
    raise exc


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
