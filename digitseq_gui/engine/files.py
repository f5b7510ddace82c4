"""Small file-system helpers: the cache folder and writes that are never left half-done."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import platformdirs

APP_NAME = "digitseq"


def cache_dir() -> Path:
    """The user's cache folder for DigitSeq (DIGITSEQ_CACHE_DIR overrides it, e.g. in tests)."""
    override = os.environ.get("DIGITSEQ_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir(APP_NAME))


def atomic_write_bytes(path: Path, data: bytes, overwrite: bool = True) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    A crash or a full disk leaves either the old file or no file, never a truncated one.
    With ``overwrite=False`` an existing file is an error (FileExistsError), checked atomically
    by linking rather than renaming.
    """
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp_name, path)
        else:
            os.link(tmp_name, path)  # fails with FileExistsError instead of replacing
            os.unlink(tmp_name)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
    return path
