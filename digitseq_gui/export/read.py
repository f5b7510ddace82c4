"""Reading a finished export back (tests, notebooks, training code)."""
from __future__ import annotations

from pathlib import Path

from .errors import NOT_COMPLETE, ExportFolderError
from .formats import FORMATS
from .manifest import read_manifest


def load_export(folder: str | Path) -> dict:
    """{'manifest': ..., part name: that part's labels, texts, boxes, ... (npz: the arrays;
    lmdb and webdataset: the encoded images as ``image_bytes``)}."""
    manifest = read_manifest(folder)
    if manifest.get("status") != "complete":
        raise ExportFolderError(f"the export in {folder} is not complete (it was stopped); finish it (resume) "
                                "before reading it", NOT_COMPLETE, Path(folder))
    out = {"manifest": manifest}
    fmt = FORMATS[manifest["format"]]
    for part in manifest["parts"]:
        out[part["name"]] = fmt.read_part(Path(folder) / part["folder"], part)
    return out
