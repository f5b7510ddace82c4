"""Checking what an export already committed against its ledger, before building on it.

The ledger records, per committed chunk, the size and sha256 of what the chunk wrote (its piece,
or its images in order) and, since this module exists, of its label rows. A resume checks every
committed chunk; the first that does not match, and every chunk after it, are made again, so
the result is byte-identical to an uninterrupted run. A ledger from before the label rows were
recorded cannot say where to cut a label file back to: then a mismatch is refused instead.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from . import ledger
from .errors import DAMAGED, ExportFolderError
from .formats.base import Format, PartContext, hash_file


def rows_fields(rows: bytes) -> dict:
    """What the ledger records of a chunk's label rows."""
    return {"rows": len(rows), "rows_sha256": hashlib.sha256(rows).hexdigest()}


def chunk_digest(fmt: Format, ctx: PartContext, record: dict) -> tuple[int, str] | None:
    """(size, sha256) of what the chunk of ``record`` has on disk now; None if a file is missing."""
    if fmt.uses_pieces:
        paths = [fmt.piece_path(ctx, record["chunk"])]
    else:
        paths = fmt.image_files(ctx, record["start"], record["count"])
    digest, size = hashlib.sha256(), 0
    for path in paths:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
        digest.update(data)
        size += len(data)
    return size, digest.hexdigest()


@dataclass
class Verified:
    chunks: int  # how many committed chunks, from the first, hold what was written
    sizes: dict  # the growing files' sizes after those chunks (as progress records them)
    first_bad: str = ""  # what the first mismatch was, "" if none


def ledger_lines(output: Path) -> list[bytes]:
    path = ledger.ledger_path(output)
    if not path.is_file():
        return []
    return path.read_bytes().splitlines(keepends=True)


def verify_committed(plan, committed: int) -> Verified:
    """Check the first ``committed`` owned chunks of ``plan`` against the ledger."""
    fmt, output = plan.format, plan.output
    lines = ledger_lines(output)
    records = []
    for line in lines[:committed]:
        try:
            records.append(ledger.parse_line(line))
        except ValueError:
            break
    label_sizes: dict[str, int] = {}
    sizes = {ledger.LEDGER: 0}
    for i in range(committed):
        part, k, start, count = plan.chunk(plan.first_chunk + i)
        label = _label_file(fmt, part.name)
        if label and label not in label_sizes:
            header = fmt.header_of(part.context)
            label_sizes[label] = len(header)
            if not _starts_with(output / label, header):
                return _stop(i, sizes, label_sizes, f"{output / label} does not start as written")
        if i >= len(records):
            return _stop(i, sizes, label_sizes, f"{ledger.ledger_path(output)} lacks chunk {k}")
        record = records[i]
        if (record.get("part"), record.get("chunk"), record.get("start"), record.get("count")) != (
            part.name,
            k,
            start,
            count,
        ):
            return _stop(i, sizes, label_sizes, f"{ledger.ledger_path(output)} records another chunk")
        if chunk_digest(fmt, part.context, record) != (record.get("bytes"), record.get("sha256")):
            what = "piece" if fmt.uses_pieces else "images"
            return _stop(i, sizes, label_sizes, f"the {what} of chunk {k} of part {part.name or 'all'}")
        if label:
            if "rows" not in record:
                sizes = {}  # an older ledger: the rows cannot be checked, nor cut back chunk by chunk
            elif _segment_digest(output / label, label_sizes[label], record["rows"]) != record["rows_sha256"]:
                return _stop(i, sizes, label_sizes, f"the rows of chunk {k} in {output / label}")
            else:
                label_sizes[label] += record["rows"]
        if sizes:
            sizes[ledger.LEDGER] += len(lines[i])
    return Verified(committed, dict(sizes, **label_sizes) if sizes else {})


def _stop(i: int, sizes: dict, label_sizes: dict, what: str) -> Verified:
    return Verified(i, dict(sizes, **label_sizes) if sizes else {}, what)


def _label_file(fmt: Format, part: str) -> str:
    if not fmt.label_file:
        return ""
    return str(Path(part or ".") / fmt.label_file).removeprefix("./")


def _starts_with(path: Path, header: bytes) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(header)) == header
    except OSError:
        return False


def _segment_digest(path: Path, offset: int, size: int) -> str | None:
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            data = handle.read(size)
    except OSError:
        return None
    return hashlib.sha256(data).hexdigest() if len(data) == size else None


def refuse_unverifiable(plan, what: str) -> None:
    raise ExportFolderError(
        f"cannot resume {plan.output}: {what} is not as the export wrote it, and its ledger is too "
        "old to say where to make it again from; the export is damaged: start it again (overwrite)",
        DAMAGED,
        plan.output,
    )


def recorded_files(fmt: Format, output: Path, contexts: list[PartContext]) -> dict:
    """Size and sha256 of a finished export's containers and label files, for its manifest: a
    resume of the finished export (which has no ledger left) checks them before saying complete."""
    files = {}
    for ctx in contexts:
        names = list(fmt.final_files(ctx)) + ([fmt.label_file] if fmt.label_file else [])
        for name in names:
            path = ctx.folder / name
            if path.is_file():
                files[path.relative_to(output).as_posix()] = list(hash_file(path))
    return files
