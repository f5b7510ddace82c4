"""One writer per folder: an export, resume, overwrite or merge holds ``.digitseq/lock``.

``filelock`` (flock on Unix, msvcrt on Windows) rather than our own fcntl code: the lock goes
with the process, so a killed export never leaves a stale lock behind, on every OS.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from ..engine.durable import make_folders
from .disk import INTERNAL
from .errors import BUSY, ExportFolderError

LOCK_NAME = "lock"


@contextmanager
def folder_lock(folder: Path, create: bool = True):
    """Hold the folder's lock for the block, or fail at once naming the folder."""
    internal = Path(folder) / INTERNAL
    if create:
        make_folders(internal)
    elif not internal.is_dir():
        yield  # a folder nobody can be writing as an export (no .digitseq): nothing to hold
        return
    lock = FileLock(str(internal / LOCK_NAME), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise ExportFolderError(
            f"{folder} is in use by another DigitSeq export or merge; wait for it to finish", BUSY, folder
        ) from None
    try:
        yield
    finally:
        lock.release()
