"""Writing files an export can always recover from: temporary names only DigitSeq uses,
data on the disk before anything says it is done (through engine.durable, the only module
that syncs), and a room check before starting.

Every temporary file is named ``.digitseq-tmp-<name>`` beside its target, and DigitSeq's own
bookkeeping (lock, ledger, chunk pieces) lives in ``.digitseq/``: clean-up touches nothing else.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..engine.durable import is_temp_name, write_through
from .errors import LINKED, NO_ROOM, ExportFolderError

TEMP_PREFIX = ".digitseq-tmp-"
INTERNAL = ".digitseq"


def temp_path(path: Path) -> Path:
    return path.with_name(TEMP_PREFIX + path.name)


def is_temp(name: str) -> bool:
    """A temporary file of DigitSeq's: the export's own, or one of durable.atomic_write_bytes."""
    return name.startswith(TEMP_PREFIX) or is_temp_name(name)


def atomic_write(path: Path, data: bytes) -> Path:
    """``data`` at ``path`` through ``.digitseq-tmp-<name>``: the old file or the new, never half.
    Not durable.atomic_write_bytes, whose temporary names are random: here the name is fixed, so a
    temporary file left by a kill is replaced by the next write and a resumed export ends with
    exactly the files of an uninterrupted one (test_kill_resume caught the random names)."""
    return write_through(temp_path(path), path, data)


def links_inside(folder: Path) -> list[str]:
    """Every link (to a file or a folder) inside ``folder``, relative to it; none is followed.
    The folder itself may be a link: linking a whole export elsewhere is supported."""
    found: list[str] = []
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
    size = float(n)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{n} B"
