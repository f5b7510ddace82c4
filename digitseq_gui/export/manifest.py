"""manifest.json: what an export is (enough to regenerate it exactly) and how far it got.

The *plan* part (config, seed, count, sequences, format, block and chunk size, splits and the rows
each draws digits from, package version, data set fingerprints, shard) fully determines the
output. ``status`` is "partial" while an export runs, with ``progress`` counting the chunks
committed (in order); a finished export has ``status: complete`` and no progress, so an
interrupted and resumed export ends with the same bytes as an uninterrupted one.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..engine.errors import InvalidInputError
from ..engine.files import atomic_write_bytes

MANIFEST_NAME = "manifest.json"
SCHEMA = "digitseq-export/1"
_RUN_STATE = ("status", "progress")


def write_manifest(folder: Path, manifest: dict) -> Path:
    text = json.dumps(manifest, indent=2, sort_keys=False) + "\n"
    return atomic_write_bytes(Path(folder) / MANIFEST_NAME, text.encode("utf-8"))


def read_manifest(folder: str | Path) -> dict:
    path = Path(folder) / MANIFEST_NAME
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"{path} does not exist; {folder} is not a DigitSeq export") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{path} is not a valid manifest ({exc}); the export is damaged") from None
    if not isinstance(manifest, dict) or manifest.get("schema") != SCHEMA:
        raise InvalidInputError(f"{path} is not a DigitSeq export manifest (schema {SCHEMA} expected)")
    return manifest


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
