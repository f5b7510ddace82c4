"""The one interface every export format implements, and what a format is told about a part.

Life of a part, whatever the format:

- ``start_part`` (calling process): folders and empty label files;
- ``write_chunk`` (a worker, or the caller): the chunk's images or its *piece* (a file holding
  the whole chunk, in ``.digitseq/chunks/``), on the disk before it returns; returns the
  chunk's ledger record (bytes written, sha256);
- ``label_rows`` (the worker, with the chunk): the chunk's rows of the label file, as bytes;
- ``commit_chunk`` (calling process, chunks in order): append those rows;
- ``finish_part``: build the final container from the pieces (npz, lmdb, webdataset), given
  the ledger records of the part's chunks;
- ``is_own`` says which names in a part folder an export writes, so clean-up and
  ``--overwrite`` touch nothing else; ``read_part`` reads a finished part back.

A chunk counts once the manifest says it is committed; anything written beyond that is removed
by ``recover`` before a resume. So every format is resumable at any kill point.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...engine.durable import make_folders, write_through
from ..disk import INTERNAL, is_temp, temp_path
from ..rendering import Rendered

# The compressions every format accepts, name -> what the window calls it (the CLI's choices and the
# window's list both read this). They change file size and speed, never the pixels.
COMPRESSIONS = {
    "fast": "Fast (larger files)",
    "default": "Default (smaller files)",
    "none": "None (largest, fastest)",
}
DEFAULT_COMPRESSION = "default"


@dataclass(frozen=True)
class PartContext:
    """What a format needs to know about one part (picklable: workers get it by value)."""

    output: str  # the export's folder
    name: str  # "" without splits, else train / val / test
    count: int  # images in the part (the whole part, not only this shard's)
    image_format: str  # png or jpeg: how images are encoded where they are encoded
    compression: str  # fast, default or none
    label_length: int  # longest label any image of the part can have (npz pads to it)
    text_length: int
    shard_size: int = 10_000  # samples per tar (webdataset)
    png_info: bytes = b""  # text chunks every PNG of the part carries (imageinfo.export_chunks)
    # Whether the label files hold each image's writer and its digits' writers (every export
    # since issue 17; an older export's manifest says none, and resumes and merges without).
    writers: bool = False
    # Whether npz targets follow the one CTC convention (class k + 1 for alphabet[k], padded with
    # the blank 0; engine/alphabet.py): every export since issue 17. An older one keeps its digits
    # padded with -1 when it resumes, so that one file never mixes the two.
    ctc_targets: bool = False

    @property
    def folder(self) -> Path:
        return Path(self.output) / self.name if self.name else Path(self.output)

    @property
    def pieces(self) -> Path:
        return Path(self.output) / INTERNAL / "chunks" / (self.name or "all")

    @property
    def name_digits(self) -> int:
        return max(6, len(str(self.count - 1)))

    @property
    def extension(self) -> str:
        return ".jpg" if self.image_format in ("jpeg", "jpg") else ".png"

    def key(self, index: int) -> str:
        return f"{index:0{self.name_digits}d}"


class Format:
    """Base of the export formats; subclasses fill in the steps above."""

    name = ""
    title = ""  # what the window's Format list calls it (the name when empty)
    description = ""  # what the CLI's --format help says of it
    label_file = ""  # the file appended to as chunks commit ("" for piece formats)
    header = b""  # what a new label file starts with

    def header_of(self, ctx: PartContext) -> bytes:
        """What a new label file of this part starts with."""
        return self.header

    def check_installed(self) -> None:
        """Raise an InvalidInputError saying how to install what the format needs, if missing."""

    @property
    def uses_pieces(self) -> bool:
        """Chunks are pieces in .digitseq/, joined by finish_part (formats without a label file)."""
        return not self.label_file

    def start_part(self, ctx: PartContext) -> None:
        make_folders(ctx.folder)
        if self.uses_pieces:
            make_folders(ctx.pieces)

    def write_chunk(self, ctx: PartContext, chunk: int, rendered: Rendered) -> dict:
        raise NotImplementedError

    def label_rows(self, ctx: PartContext, rendered: Rendered) -> bytes:
        """The chunk's rows of the label file (b"" for piece formats). Made by the worker, so the
        calling process only appends bytes: it never formats nor even unpickles annotations."""
        return b""

    def commit_chunk(self, ctx: PartContext, rows: bytes) -> None:
        """Append the chunk's label rows (formats whose labels live in a growing file)."""

    def finish_part(self, ctx: PartContext, records: list[dict]) -> None:
        """Build the part's final files from its committed chunks (piece formats): ``records``
        are their ledger records (chunk, count, bytes, ...), in order."""

    def finish_labels(self, ctx: PartContext) -> None:
        """Files made from a complete part's label file (formats with one), after an export or merge."""

    def final_files(self, ctx: PartContext) -> list[str]:
        """The part's files finish_part makes (relative to the part folder)."""
        return []

    def is_own(self, ctx: PartContext, relative: str) -> bool:
        """Whether a file at ``relative`` (to the part folder) is one this format writes."""
        name = relative.rsplit("/", 1)[-1]
        return is_temp(name) or relative in self.final_files(ctx) or relative == self.label_file

    def recover(self, ctx: PartContext, indices: range, chunks: range) -> None:
        """Remove what an abrupt stop left beyond the committed images ``indices`` (chunks
        ``chunks``) of the part, before resuming; label files are cut back by the caller."""
        for path in _temp_files(ctx.folder):
            path.unlink()
        if self.uses_pieces and ctx.pieces.is_dir():
            for path in ctx.pieces.iterdir():
                if not (path.stem.isdigit() and int(path.stem) in chunks):
                    path.unlink()

    def image_files(self, ctx: PartContext, start: int, count: int) -> list[Path]:
        """The files of images [start, start + count) (formats of one file per image; none here)."""
        return []

    def piece_path(self, ctx: PartContext, chunk: int) -> Path:
        return ctx.pieces / f"{chunk:08d}{self.piece_suffix}"

    piece_suffix = ".piece"

    def read_part(self, folder: Path, part: dict) -> dict:
        raise NotImplementedError


def _temp_files(folder: Path):
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if is_temp(p.name)]
    for sub in ("images",):
        if (folder / sub).is_dir():
            found += [p for p in (folder / sub).iterdir() if is_temp(p.name)]
    return found


def record(rendered: Rendered, chunk: int, digest, size: int, **more) -> dict:
    return {
        "chunk": chunk,
        "start": rendered.start,
        "count": len(rendered),
        "bytes": size,
        "sha256": digest.hexdigest(),
        **more,
    }


def write_piece(path: Path, body: bytes, rendered: Rendered, chunk: int, **more) -> dict:
    """Write one chunk's piece durably under its final name (through a temporary file); its
    ledger record (with ``more``: what the format's finish needs to know about the piece)."""
    write_through(temp_path(path), path, body)
    return record(rendered, chunk, hashlib.sha256(body), len(body), **more)


_COMPACT = json.JSONEncoder(separators=(",", ":"))  # made once: json.dumps makes one per call


def compact_json(value) -> str:
    """``json.dumps(value, separators=(",", ":"))``."""
    return _COMPACT.encode(value)


def annotation_json(rendered: Rendered, i: int, file: str | None = None, writers: bool = False) -> str:
    """Image ``i``'s annotations as the label files and webdataset's .json hold them: compact
    JSON of {index, file (when given), label, text, boxes, source_indices} and, with
    ``writers``, {writer, writers} (``writer_fields``). One %-format per image from a template
    per digit count: the same text as ``compact_json`` of the dict, in half the time (the
    encoder's 6 us an image were a fifth of webdataset's own work)."""
    boxes, sources = rendered.boxes[i], rendered.sources[i]
    key = (len(sources), file is not None, writers)
    template = _ANNOTATION_TEMPLATES.get(key) or _ANNOTATION_TEMPLATES.setdefault(
        key, _annotation_template(*key)
    )
    head = (rendered.start + i,) if file is None else (rendered.start + i, _json_string(file))
    tail: tuple = ()
    if writers:
        writer, digit_writers = writer_fields(rendered, i)
        tail = (writer, *digit_writers)
    return template % (
        *head,
        _json_string(rendered.labels[i]),
        _json_string(rendered.texts[i]),
        *boxes.ravel().tolist(),
        *sources.tolist(),
        *tail,
    )


def writer_fields(rendered: Rendered, i: int) -> tuple[int, list[int]]:
    """Image ``i``'s writer (sampling.writer = same; -1 for any) and each digit's writer (-1
    where the data set does not say)."""
    writer = -1 if rendered.writer is None else int(rendered.writer[i])
    digits = [-1] * len(rendered.sources[i]) if rendered.writers is None else rendered.writers[i].tolist()
    return writer, digits


_json_string = json.encoder.encode_basestring_ascii  # what the encoder writes a str as (ensure_ascii)
_ANNOTATION_TEMPLATES: dict[tuple[int, bool, bool], str] = {}


def _annotation_template(digits: int, with_file: bool, with_writers: bool) -> str:
    boxes = ",".join(["[%d,%d,%d,%d]"] * digits)
    sources = ",".join(["%d"] * digits)
    file = ',"file":%s' if with_file else ""
    writers = ',"writer":%d,"writers":[' + sources + "]" if with_writers else ""
    return (
        '{"index":%d'
        + file
        + ',"label":%s,"text":%s,"boxes":['
        + boxes
        + '],"source_indices":['
        + sources
        + "]"
        + writers
        + "}"
    )


def padded(items: list[np.ndarray], length: int, tail: tuple, dtype, fill: int = -1) -> np.ndarray:
    out = np.full((len(items), length) + tail, fill, dtype=dtype)
    for i, a in enumerate(items):
        out[i, : len(a)] = a
    return out


def hash_file(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


_DIGITS = re.compile(r"\d+")


def own_numbered(name: str, prefix: str, digits: int, suffix: str) -> int | None:
    """The number in ``prefix<digits><suffix>`` (exactly ``digits`` digits), else None."""
    if not (name.startswith(prefix) and name.endswith(suffix)):
        return None
    middle = name[len(prefix) : len(name) - len(suffix)]
    return int(middle) if len(middle) == digits and _DIGITS.fullmatch(middle) else None
