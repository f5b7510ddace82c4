"""manifest.json: what an export is (enough to regenerate it exactly) and how far it got.

The *plan* part (config, seed, count, sequences, format, block and chunk size, splits and the rows
each draws digits from, package version, data set fingerprints, shard) fully determines the
output. ``status`` is "partial" while an export runs, with ``progress``: the chunks committed
(in order), the committed sizes of the files that grow as chunks commit (label files, the
ledger), so a resume cuts back exactly what was not committed. A finished export has ``status:
complete`` and no progress, so an interrupted and resumed export ends with the same bytes as an
uninterrupted one.
"""

from __future__ import annotations

import json
from pathlib import Path

from .disk import atomic_write
from .errors import DAMAGED, ExportFolderError

MANIFEST_NAME = "manifest.json"
SCHEMA = "digitseq-export/2"
OLDER_SCHEMAS = ("digitseq-export/1",)  # recognised as ours (for --overwrite), not resumable
_RUN_STATE = ("status", "progress", "shard_files", "files")
# What the ``writers`` key of every export since issue 17 says; an older export has no such key,
# and its label files no writer columns (it still resumes and merges as it was made).
WRITERS_NOTE = (
    "every image records writer (its one writer when sampling.writer is same, else -1) and writers "
    "(each digit's writer id, -1 where the data set does not say who wrote it)"
)


def has_writers(manifest: dict) -> bool:
    return "writers" in manifest


def made_before_writers(folder: Path) -> bool:
    """Whether ``folder`` holds an export of this schema made before issue 17 (no ``writers``
    key): resumed, it keeps its own rules. Anything unreadable is left to the resume's checks."""
    try:
        return not has_writers(read_manifest(folder))
    except (OSError, ExportFolderError):
        return False


def write_manifest(folder: Path, manifest: dict) -> Path:
    text = json.dumps(manifest, indent=2, sort_keys=False) + "\n"
    return atomic_write(Path(folder) / MANIFEST_NAME, text.encode("utf-8"))


def read_manifest(folder: str | Path, schemas: tuple[str, ...] = (SCHEMA,)) -> dict:
    path = Path(folder) / MANIFEST_NAME
    try:
        if path.is_symlink() or (path.exists() and not path.is_file()):
            raise ExportFolderError(f"{path} is not a regular file; the export is damaged", DAMAGED, path)
        if path.stat().st_size > 16 << 20:
            raise ExportFolderError(
                f"{path} is larger than any manifest DigitSeq writes; the export is damaged", DAMAGED, path
            )
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"{path} does not exist; {folder} is not a DigitSeq export") from None
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ExportFolderError(
            f"{path} is not a valid manifest ({str(exc)[:80]}); the export is damaged", DAMAGED, path
        ) from None
    if not isinstance(manifest, dict) or manifest.get("schema") not in schemas:
        raise ExportFolderError(
            f"{path} is not a DigitSeq export manifest (schema {SCHEMA} expected)", DAMAGED, path
        )
    if manifest["schema"] == SCHEMA:
        _check_shape(path, manifest)
    return manifest


def _check_shape(path: Path, manifest: dict) -> None:
    """The fields resume, merge and read rely on have the types they need."""

    def bad(what: str):
        raise ExportFolderError(f"{path}: {what}; the export is damaged", DAMAGED, path)

    if manifest.get("status") not in ("partial", "complete"):
        bad(f"status {manifest.get('status')!r} is neither 'partial' nor 'complete'")
    parts = manifest.get("parts")
    if (
        not isinstance(parts, list)
        or not parts
        or not all(
            isinstance(p, dict)
            and isinstance(p.get("folder"), str)
            and isinstance(p.get("count"), int)
            and p["folder"] in (".", "train", "val", "test")
            for p in parts
        )
    ):
        bad("'parts' is not a list of parts with a folder and a count")
    if not isinstance(manifest.get("format"), str) or not isinstance(manifest.get("count"), int):
        bad("'format' or 'count' has the wrong type")
    shard = manifest.get("shard")
    if shard is not None and not (
        isinstance(shard, dict)
        and all(isinstance(shard.get(k), int) for k in ("index", "count", "chunk_count"))
        and isinstance(shard.get("chunks"), list)
        and len(shard["chunks"]) == 2
        and all(isinstance(v, int) for v in shard["chunks"])
    ):
        bad("'shard' is not {index, count, chunks: [first, stop], chunk_count}")
    if manifest["status"] == "partial":
        progress = manifest.get("progress")
        if not (
            isinstance(progress, dict)
            and isinstance(progress.get("chunks_committed"), int)
            and progress["chunks_committed"] >= 0
            and isinstance(progress.get("sizes"), dict)
            and all(
                isinstance(k, str) and isinstance(v, int) and v >= 0 for k, v in progress["sizes"].items()
            )
        ):
            bad("'progress' is not {chunks_committed: whole number, sizes: {file: bytes}}")


def plan_of(manifest: dict) -> dict:
    """The manifest without its run state: equal plans make equal outputs."""
    return {k: v for k, v in manifest.items() if k not in _RUN_STATE}


def differences(old: dict, new: dict, prefix: str = "") -> list[str]:
    """Dotted keys whose values differ, for a message that says what changed."""
    keys = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            keys += differences(a, b, f"{prefix}{key}.")
        elif a != b:
            keys.append(f"{prefix}{key}")
    return keys
