"""``npz``: one ``data.npz`` per part (loads with ``np.load(..., allow_pickle=False)``):

- ``images`` (n, H, W) uint8, 255 = white;
- ``labels`` and ``texts`` (n,) unicode; ``lengths`` (n,) int32, the digits per label;
- ``targets`` (n, L) int32, CTC targets beside ``lengths``: class k + 1 for character
  ``alphabet[k]`` (digit d is d + 1), padded with the blank, 0 (engine/alphabet.py; the
  manifest records ``alphabet`` and ``blank``);
- ``boxes`` (n, L, 4) int32 and ``source_indices`` (n, L) int64, padded with -1;
- ``indices`` (n,) int64, the image numbers within the part;
- since issue 17: ``writer`` (n,) int32, each image's one writer (sampling.writer = same; -1 for
  any), and ``writers`` (n, L) int32, each digit's writer (-1 where unknown, and padding).

L is the longest label the part's sequences can have. Compression happens as the export goes:
each worker deflates its chunk's arrays block by block (BLOCK_SIZE images a segment) into a
piece; ``finish_part`` only copies the segments into the zip (see deflatezip), so the progress
bar moves evenly and the bytes depend neither on workers nor on chunk size.
"""

from __future__ import annotations

import io
import json
from collections.abc import Generator
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ...engine.alphabet import BLANK, targets_of
from ...engine.durable import replace_durably
from ...engine.seeding import BLOCK_SIZE
from ..disk import temp_path
from ..rendering import Rendered
from .base import Format, PartContext, padded, write_piece, writer_fields
from .deflatezip import Entry, compress_segment, write_zip

LEVELS = {"fast": 1, "default": 6, "none": 0}
_MAGIC = b"DIGITSEQ-NPZ-PIECE 1\n"
ARRAYS = ("images", "labels", "texts", "lengths", "targets", "boxes", "source_indices", "indices")
WRITER_ARRAYS = ("writer", "writers")


def arrays_of(ctx: PartContext) -> tuple[str, ...]:
    return ARRAYS + WRITER_ARRAYS if ctx.writers else ARRAYS


def chunk_arrays(ctx: PartContext, rendered: Rendered) -> dict[str, np.ndarray]:
    L, T = ctx.label_length, ctx.text_length
    n = len(rendered)
    if ctx.ctc_targets:
        classes, fill = [targets_of(label).astype(np.int32) for label in rendered.labels], BLANK
    else:  # an export made before issue 17, resumed: its digits padded with -1, as it began
        classes, fill = [np.array([int(c) for c in label], dtype=np.int32) for label in rendered.labels], -1
    return {
        "images": rendered.images,
        "labels": np.array(rendered.labels, dtype=f"<U{L}"),
        "texts": np.array(rendered.texts, dtype=f"<U{T}"),
        "lengths": np.array([len(label) for label in rendered.labels], dtype=np.int32),
        "targets": padded(classes, L, (), np.int32, fill=fill),
        "boxes": padded(rendered.boxes, L, (4,), np.int32),
        "source_indices": padded(rendered.sources, L, (), np.int64),
        "indices": np.arange(rendered.start, rendered.start + n, dtype=np.int64),
        **(_writer_arrays(rendered, L) if ctx.writers else {}),
    }


def _writer_arrays(rendered: Rendered, length: int) -> dict[str, np.ndarray]:
    fields = [writer_fields(rendered, i) for i in range(len(rendered))]
    return {
        "writer": np.array([w for w, _ in fields], dtype=np.int32),
        "writers": padded([np.array(d, dtype=np.int32) for _, d in fields], length, (), np.int32),
    }


class NpzFormat(Format):
    name = "npz"
    title = "One compressed .npz"
    description = "one compressed data.npz per part"
    piece_suffix = ".npzpiece"

    def final_files(self, ctx: PartContext) -> list[str]:
        return ["data.npz"]

    def write_chunk(self, ctx: PartContext, chunk: int, rendered: Rendered) -> dict:
        arrays = chunk_arrays(ctx, rendered)
        level = LEVELS[ctx.compression]
        index: dict[str, list[list[int]]] = {}
        blobs: list[bytes] = []
        offset = 0
        for name in arrays_of(ctx):
            array = np.ascontiguousarray(arrays[name])
            index[name] = []
            for first in range(0, len(array), BLOCK_SIZE):
                data, crc, raw = compress_segment(array[first : first + BLOCK_SIZE].tobytes(), level)
                index[name].append([offset, len(data), crc, raw])
                blobs.append(data)
                offset += len(data)
        header = json.dumps(
            {"count": len(rendered), "image_shape": list(arrays["images"].shape[1:]), "segments": index},
            separators=(",", ":"),
        ).encode()
        body = _MAGIC + len(header).to_bytes(8, "little") + header + b"".join(blobs)
        return write_piece(self.piece_path(ctx, chunk), body, rendered, chunk)

    def finish_part(self, ctx: PartContext, records: list[dict]) -> None:
        pieces = [self.piece_path(ctx, r["chunk"]) for r in records]
        headers = [read_piece_header(p) for p in pieces]
        total = sum(h["count"] for h in headers)
        image_shape = tuple(headers[0]["image_shape"]) if headers else (28, 0)
        L, T = ctx.label_length, ctx.text_length
        layouts: dict[str, tuple[tuple[int, ...], npt.DTypeLike]] = {
            "images": ((total, *image_shape), np.uint8),
            "labels": ((total,), f"<U{L}"),
            "texts": ((total,), f"<U{T}"),
            "lengths": ((total,), np.int32),
            "targets": ((total, L), np.int32),
            "boxes": ((total, L, 4), np.int32),
            "source_indices": ((total, L), np.int64),
            "indices": ((total,), np.int64),
            "writer": ((total,), np.int32),
            "writers": ((total, L), np.int32),
        }
        level = LEVELS[ctx.compression]
        entries = []
        streams: list[Generator[bytes, None, None]] = []  # each entry's pieces, read as it is written
        for name in arrays_of(ctx):
            shape, dtype = layouts[name]
            buffer = io.BytesIO()
            np.lib.format.write_array_header_1_0(
                buffer,
                {
                    "descr": np.lib.format.dtype_to_descr(np.dtype(dtype)),
                    "fortran_order": False,
                    "shape": shape,
                },
            )
            head, head_crc, head_raw = compress_segment(buffer.getvalue(), level)
            sizes = [(len(head), head_crc, head_raw)] + [
                (s[1], s[2], s[3]) for h in headers for s in h["segments"][name]
            ]
            streams.append(_segment_bytes(head, pieces, headers, name))
            entries.append(Entry(f"{name}.npy", sizes, streams[-1]))
        target = ctx.folder / "data.npz"
        tmp = temp_path(target)
        try:
            with open(tmp, "wb") as handle:
                write_zip(handle, entries)
        finally:  # a failed write (a full disk) must not leave the pieces open until collected
            for stream in streams:
                stream.close()
        replace_durably(tmp, target)

    def read_part(self, folder: Path, part: dict) -> dict:
        with np.load(folder / "data.npz", allow_pickle=False) as archive:
            data = {name: archive[name] for name in archive.files}
        lengths = data["lengths"]
        data["box_list"] = [data["boxes"][i, : lengths[i]] for i in range(len(lengths))]
        data["source_list"] = [data["source_indices"][i, : lengths[i]] for i in range(len(lengths))]
        if "writers" in data:
            data["writer_list"] = [data["writers"][i, : lengths[i]] for i in range(len(lengths))]
        return data


def read_piece_header(path: Path) -> dict:
    """A piece's index: which bytes hold each array's segments. Checked, since merge reads
    pieces from other folders: a damaged piece is a clear error, never a crash."""
    with open(path, "rb") as handle:
        magic = handle.read(len(_MAGIC))
        size = int.from_bytes(handle.read(8), "little")
        if magic != _MAGIC or not 0 < size < 1 << 30:
            raise ValueError(f"{path} is not an npz piece of a DigitSeq export")
        header = json.loads(handle.read(size))
    header["data_start"] = len(_MAGIC) + 8 + size
    return header


def _segment_bytes(
    head: bytes, pieces: list[Path], headers: list[dict], name: str
) -> Generator[bytes, None, None]:
    yield head
    for path, header in zip(pieces, headers):
        with open(path, "rb") as handle:
            for offset, length, _crc, _raw in header["segments"][name]:
                handle.seek(header["data_start"] + offset)
                yield handle.read(length)
