"""Writing files an export can always recover from: temporary names only DigitSeq uses,
data on the disk before anything says it is done, and a room check before starting.

Every temporary file is named ``.digitseq-tmp-<name>`` beside its target, and DigitSeq's own
bookkeeping (lock, ledger, chunk pieces) lives in ``.digitseq/``: clean-up touches nothing else.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
from pathlib import Path

from ..engine.files import is_temp_name
from .errors import LINKED, NO_ROOM, ExportFolderError

TEMP_PREFIX = ".digitseq-tmp-"
INTERNAL = ".digitseq"


def temp_path(path: Path) -> Path:
    return path.with_name(TEMP_PREFIX + path.name)


def is_temp(name: str) -> bool:
    """A temporary file of DigitSeq's: the export's own, or one of files.atomic_write_bytes."""
    return name.startswith(TEMP_PREFIX) or is_temp_name(name)


def fsync_path(path: str | Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> Path:
    """``data`` at ``path`` through ``.digitseq-tmp-<name>``: the old file or the new, never half.
    Not files.atomic_write_bytes, whose temporary names are random: here the name is fixed, so a
    temporary file left by a kill is replaced by the next write and a resumed export ends with
    exactly the files of an uninterrupted one (test_kill_resume caught the random names)."""
    tmp = temp_path(path)
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    return path


def finish_temp(tmp: Path, path: Path) -> None:
    """Make a fully written temporary file durable and give it its name."""
    fsync_path(tmp)
    os.replace(tmp, path)
    sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    """Make renames and new names in ``folder`` durable (no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_LIBC = None


def sync_filesystem(folder: Path, files: list[str | Path]) -> None:
    """Everything written to ``files`` reaches the disk: one syncfs(2) for the whole file system
    on Linux (one call per chunk instead of one fsync per image), else an fsync per file."""
    global _LIBC
    if _LIBC is None:
        name = ctypes.util.find_library("c")
        _LIBC = ctypes.CDLL(name, use_errno=True) if name else False
    if _LIBC and hasattr(_LIBC, "syncfs"):
        fd = os.open(folder, os.O_RDONLY)
        try:
            if _LIBC.syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    for path in files:
        fsync_path(path)
    sync_folder(folder)


def links_inside(folder: Path) -> list[str]:
    """Every link (to a file or a folder) inside ``folder``, relative to it; none is followed.
    The folder itself may be a link: linking a whole export elsewhere is supported."""
    found = []
    if not folder.is_dir():
        return found
    for root, dirs, files in os.walk(folder, followlinks=False):
        for name in dirs + files:
            path = os.path.join(root, name)
            if os.path.islink(path):
                found.append(os.path.relpath(path, folder))
    return sorted(found)


def refuse_links(folder: Path, what: str, field: str = "output") -> None:
    """Refuse, in one line, a folder with a link inside: resume, overwrite and merge write, cut
    and delete files, and through a link those would be someone else's files."""
    links = links_inside(folder)
    if links:
        more = f" (and {len(links) - 1} more)" if len(links) > 1 else ""
        raise ExportFolderError(
            f"{Path(folder) / links[0]} is a link{more}; DigitSeq never writes, cuts or deletes "
            f"through a link inside an export, so it will not {what}: put the real file or folder "
            "there, or link the whole export folder instead (that is supported)",
            LINKED,
            Path(folder) / links[0],
            field=field,
        )


def remove_tree(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def check_room(folder: Path, needed: int, what: str) -> None:
    """Refuse up front when ``needed`` bytes (an estimate) cannot fit where ``folder`` will be."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    try:
        free = shutil.disk_usage(existing).free
    except OSError:
        return
    if needed > free:
        raise ExportFolderError(
            f"{what} needs about {human_size(needed)} but only {human_size(free)} is free on the disk of {existing}; "
            "free some space, choose another disk, or make fewer images",
            NO_ROOM,
            folder,
        )


def human_size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n} B"
