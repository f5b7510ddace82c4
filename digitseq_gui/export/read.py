"""Reading a finished export back (tests, notebooks, training code)."""

from __future__ import annotations

import tarfile
import zipfile
from pathlib import Path

from .errors import DAMAGED, NOT_COMPLETE, ExportFolderError
from .formats import FORMATS
from .manifest import read_manifest


def load_export(folder: str | Path) -> dict:
    """{'manifest': ..., part name: that part's labels, texts, boxes, ... (npz: the arrays;
    lmdb and webdataset: the encoded images as ``image_bytes``)}."""
    manifest = read_manifest(folder)
    if manifest.get("status") != "complete":
        raise ExportFolderError(
            f"the export in {folder} is not complete (it was stopped); finish it (resume) before reading it",
            NOT_COMPLETE,
            Path(folder),
        )
    out = {"manifest": manifest}
    fmt = FORMATS[manifest["format"]]
    for part in manifest["parts"]:
        where = Path(folder) / part["folder"]
        try:
            out[part["name"]] = fmt.read_part(where, part)
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, tarfile.TarError) as exc:
            if isinstance(exc, OSError) and not isinstance(exc, (FileNotFoundError, IsADirectoryError)):
                raise
            raise ExportFolderError(
                f"the {fmt.name} data in {where} cannot be read ({_short(exc)}); the export is "
                "damaged: make it again",
                DAMAGED,
                where,
            ) from None
        except Exception as exc:  # lmdb.Error and its kind: the library's own exceptions
            if type(exc).__module__.split(".")[0] != "lmdb":
                raise
            raise ExportFolderError(
                f"the lmdb data in {where} cannot be read ({_short(exc)}); the export is damaged: "
                "make it again",
                DAMAGED,
                where,
            ) from None
    return out


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:300]
