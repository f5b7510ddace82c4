"""The ledger: ``.digitseq/ledger.jsonl``, one line per committed chunk (part, chunk, first
image, images, bytes written, sha256 of what was written), in commit order.

It is the record of what an export wrote: a resume cuts it back to the committed size, and a
shard keeps it so that ``merge`` can check every chunk is there, whole, and unchanged. A
finished single export does not need it (its files follow from the manifest) and drops it.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..engine.durable import append_durably
from .disk import INTERNAL

LEDGER = f"{INTERNAL}/ledger.jsonl"


def ledger_path(output: Path) -> Path:
    return Path(output) / LEDGER


def append(output: Path, part: str, record: dict) -> None:
    line = json.dumps({"part": part, **record}, separators=(",", ":")) + "\n"
    append_durably(ledger_path(output), line.encode())


def parse_line(line: bytes) -> dict:
    """One ledger line; ValueError if it is not a JSON object."""
    record = json.loads(line)
    if not isinstance(record, dict):
        raise ValueError("a ledger line is not an object")
    return record


def read(output: Path) -> list[dict]:
    path = ledger_path(output)
    if not path.is_file() or path.is_symlink():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if not isinstance(record, dict):
            raise ValueError("a ledger line is not an object")
        records.append(record)
    return records
