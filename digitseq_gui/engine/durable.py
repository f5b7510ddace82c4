"""Durable writes: the one module that puts DigitSeq's files on the disk so that a crash or a
power cut never leaves a file half-done or a commit record ahead of the data it counts.

It is the only module that calls ``fsync`` (tests/export/test_durable.py greps for that, and
records every sync through ``fsync`` and ``syncfs`` below). What it offers:

- ``atomic_write_bytes`` / ``atomic_writer``: a whole file at once or piece by piece, through a
  temporary file with a random name in the target's folder: written, fsynced, renamed, and the
  folder fsynced, so the new name survives a crash too;
- ``write_through``: the same with a temporary name the caller chose (an export's fixed
  ``.digitseq-tmp-<name>``, so a resumed export ends with exactly the files of an uninterrupted
  one), and ``replace_durably`` for a temporary file someone else wrote (zip, LMDB, Parquet);
- ``append_durably``: bytes at the end of a file, fsynced (a ledger line, a chunk's label rows);
- ``write_in_place`` and ``truncate_durably``: a file rewritten or cut where it is (a label
  file's header, a resume cutting back to the last commit);
- ``sync_file``, ``sync_folder``, ``make_folders``: a file written piece by piece, a folder's
  names, new folders;
- ``write_unsynced`` then ``sync_written``: many small files (an export's images), synced
  together by one syncfs(2) on Linux instead of one fsync each.

Temporary files are created with mode 0666 minus the umask (0644 under umask 022), as
``open()`` would, so the final file has the mode a person expects (``mkstemp`` gives 0600). Their
random names are short and start with ``TEMP_PREFIX``, so they never exceed the file-system's
name limit and only DigitSeq's own temporary files match ``is_temp_name``. Any failure (full
disk, name too long, permission) is an OSError of the usual subclass whose message names the
target.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import secrets
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, NoReturn

from .files import describe_kind

TEMP_PREFIX = ".digitseq-"
TEMP_SUFFIX = ".tmp"
# Longest file name (bytes) most file systems accept (ext4, xfs, btrfs, tmpfs, APFS, NTFS).
NAME_MAX = 255
_BINARY = getattr(os, "O_BINARY", 0)

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


# -- the two calls that reach the disk: every sync below goes through one of them ----------------


def fsync(fd: int, path: str | Path) -> None:
    """fsync(2) of ``fd``, the open file or folder ``path`` (named so a test can record it)."""
    os.fsync(fd)


_LIBC: ctypes.CDLL | None = None
_LIBC_LOOKED_UP = False


def syncfs(fd: int, path: str | Path) -> bool:
    """syncfs(2): everything written on the file system of ``path`` reaches the disk. False
    where there is no syncfs (not Linux) or it failed: then the caller fsyncs file by file."""
    global _LIBC, _LIBC_LOOKED_UP
    if not _LIBC_LOOKED_UP:
        name = ctypes.util.find_library("c")
        _LIBC = ctypes.CDLL(name, use_errno=True) if name else None
        _LIBC_LOOKED_UP = True
    if _LIBC is None or not hasattr(_LIBC, "syncfs"):
        return False
    return bool(_LIBC.syncfs(fd) == 0)


# -- syncing what is already written ---------------------------------------------------------


def sync_file(path: str | Path, folder_too: bool = True) -> None:
    """Make a file written piece by piece (or by another library) durable, and, unless told
    otherwise, its name in its folder."""
    fd = os.open(path, os.O_RDONLY | _BINARY)
    try:
        fsync(fd, path)
    finally:
        os.close(fd)
    if folder_too:
        sync_folder(Path(path).parent)


def sync_folder(folder: str | Path) -> None:
    """Make new names, renames and removals in ``folder`` durable (a no-op where folders cannot
    be opened or synced, as on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        fsync(fd, folder)
    except OSError:
        pass
    finally:
        os.close(fd)


def make_folders(folder: str | Path) -> None:
    """``folder`` and any missing parents, each new one made durable in its parent (a power
    cut must not lose a folder whose files were synced)."""
    folder = Path(folder)
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for created in reversed(missing):
        created.mkdir(exist_ok=True)
        sync_folder(created.parent)


def sync_written(folder: str | Path, files: Iterable[str | Path]) -> None:
    """Everything written to ``files`` (all in ``folder``) reaches the disk, with their names:
    one syncfs(2) for the whole file system on Linux (one call per chunk instead of one fsync
    per image), else an fsync per file and one of the folder."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        if syncfs(fd, folder):
            return
    finally:
        os.close(fd)
    for path in files:
        sync_file(path, folder_too=False)
    sync_folder(folder)


# -- writing ---------------------------------------------------------------------------------


def write_all(fd: int, data: bytes) -> None:
    """All of ``data`` to ``fd``: a short write is followed by one that raises (a full disk, a size limit)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def write_unsynced(path: str, data: bytes) -> None:
    """``data`` as the file ``path`` (created or truncated) in three system calls, NOT synced:
    for many small files that ``sync_written`` then syncs together (an export's images)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _BINARY, 0o666)
    try:
        write_all(fd, data)
    finally:
        os.close(fd)


def _write_synced(path: str | Path, data: bytes) -> None:
    """``data`` as the file ``path`` (created or truncated), its data on the disk (not its name)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _BINARY, 0o666)
    try:
        write_all(fd, data)
        fsync(fd, path)
    finally:
        os.close(fd)


def write_in_place(path: str | Path, data: bytes) -> None:
    """``data`` as the file ``path`` (created or truncated), durable with its name. Not atomic:
    only for files whose every state a resume can deal with (a label file's header)."""
    _write_synced(path, data)
    sync_folder(Path(path).parent)


def append_durably(path: str | Path, data: bytes) -> None:
    """``data`` at the end of ``path`` (created if missing), on the disk before this returns;
    a new file's name is made durable too. A crash may leave part of ``data``: the reader
    (the ledger's, a resume's cut-back) only trusts what a later commit counts."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | _BINARY, 0o666)
    try:
        new = os.fstat(fd).st_size == 0
        write_all(fd, data)
        fsync(fd, path)
    finally:
        os.close(fd)
    if new:
        sync_folder(Path(path).parent)


def truncate_durably(path: str | Path, size: int) -> None:
    """Cut ``path`` to ``size`` bytes, durably (a resume cutting a label file back)."""
    fd = os.open(path, os.O_WRONLY | _BINARY)
    try:
        os.ftruncate(fd, size)
        fsync(fd, path)
    finally:
        os.close(fd)


def replace_durably(tmp: Path, path: Path) -> None:
    """A fully written temporary file becomes ``path``: its data synced, renamed, the folder synced."""
    sync_file(tmp, folder_too=False)
    os.replace(tmp, path)
    sync_folder(Path(path).parent)


def write_through(tmp: Path, path: Path, data: bytes) -> Path:
    """``data`` at ``path`` through the temporary file ``tmp`` (same folder, a name the caller
    chose): the old file or the new, never half, and the new one durable with its name."""
    _write_synced(tmp, data)
    os.replace(tmp, path)
    sync_folder(Path(path).parent)
    return path


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
            fsync(fd, tmp)
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
            fsync(handle.fileno(), tmp)
        _commit(tmp, path, overwrite)
    except BaseException as exc:
        _discard(tmp)
        _raise_named(exc, path)


# -- names and messages ----------------------------------------------------------------------


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
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | _BINARY
    while True:
        tmp = folder / f"{TEMP_PREFIX}{secrets.token_hex(8)}{TEMP_SUFFIX}"
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:  # 2**64 names: practically never, but never overwrite one
            continue


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
    sync_folder(tmp.parent)


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
