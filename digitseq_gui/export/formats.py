"""The on-disk formats of an export part, their crash-safe writing, and reading them back.

Layout of one part (the output folder itself without splits, else ``train/``, ``val/``, ``test/``):

- ``png``:   ``images/000000.png`` ... and ``labels.csv`` (index, file, label, text, boxes,
  source_indices; boxes and source indices as JSON lists in the cell)
- ``jsonl``: the same images and ``labels.jsonl``, one JSON object per image with the same fields
- ``npz``:   ``data.npz`` (compressed, loads with ``allow_pickle=False``): ``images`` (n, 28, W)
  uint8 (255 = white), ``labels`` and ``texts`` (n,) unicode, ``boxes`` (n, L, 4) int32 and
  ``source_indices`` (n, L) int64 padded with -1, ``lengths`` (n,) int32, ``indices`` (n,) int64.
  While the export runs, chunks wait in ``.chunks/``; ``data.npz`` is assembled, streaming, at the end.

Files are named by index, never by label. A worker writes a chunk's images (or .chunks file); the
calling process commits the chunks in order by appending their label rows (flushed and fsynced),
then the manifest; ``recover`` removes whatever a stop left beyond the last committed chunk, so
labels and images always agree.
"""
from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from pathlib import Path

import numpy as np

from ..engine.files import atomic_write_bytes

FORMATS = ("png", "jsonl", "npz")
LABEL_FILES = {"png": "labels.csv", "jsonl": "labels.jsonl", "npz": "data.npz"}
CSV_FIELDS = ("index", "file", "label", "text", "boxes", "source_indices")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so the same data gives the same bytes


def image_name(index: int, digits: int, extension: str) -> str:
    return f"images/{index:0{digits}d}{extension}"


def _fsync_append(path: Path, data: bytes) -> None:
    with open(path, "ab") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def rows_of(result, digits: int, extension: str) -> list[dict]:
    return [{"index": result.start + i, "file": image_name(result.start + i, digits, extension),
             "label": result.labels[i], "text": result.texts[i], "boxes": result.boxes[i].tolist(),
             "source_indices": result.sources[i].tolist()} for i in range(len(result.labels))]


def _encode_rows(fmt: str, rows: list[dict]) -> bytes:
    if fmt == "jsonl":
        return "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in rows).encode()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for r in rows:
        writer.writerow([r["index"], r["file"], r["label"], r["text"], json.dumps(r["boxes"], separators=(",", ":")),
                         json.dumps(r["source_indices"], separators=(",", ":"))])
    return buffer.getvalue().encode()


def start_part(folder: Path, fmt: str) -> None:
    """Create a part's folder and its empty labels file (with the CSV header)."""
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "npz":
        (folder / ".chunks").mkdir(exist_ok=True)
        return
    (folder / "images").mkdir(exist_ok=True)
    labels = folder / LABEL_FILES[fmt]
    if not labels.exists():
        header = (",".join(CSV_FIELDS) + "\n").encode() if fmt == "png" else b""
        atomic_write_bytes(labels, header)


def write_chunk_files(folder: Path, fmt: str, result, images: np.ndarray, digits: int, extension: str,
                      encode) -> None:
    """A worker writes its chunk's images (or, for npz, its .chunks file). They count only once
    ``commit_chunk`` has appended the chunk's label rows; until then ``recover`` removes them."""
    if fmt == "npz":
        buffer = io.BytesIO()
        np.savez(buffer, images=images, labels=np.array(result.labels), texts=np.array(result.texts),
                 boxes=_padded(result.boxes, (4,), np.int32), source_indices=_padded(result.sources, (), np.int64))
        atomic_write_bytes(folder / ".chunks" / f"{result.chunk:08d}.npz", buffer.getvalue())
        return
    for i, image in enumerate(images):
        # Straight to the final name: an image is part of the data set only once its label row
        # is committed, and recovery deletes any image without one.
        with open(folder / image_name(result.start + i, digits, extension), "wb") as handle:
            handle.write(encode(image))


def commit_chunk(folder: Path, fmt: str, result, digits: int, extension: str) -> None:
    """Commit a chunk whose files are written: append its label rows, fsynced (npz: nothing to add)."""
    if fmt != "npz":
        _fsync_append(folder / LABEL_FILES[fmt], _encode_rows(fmt, rows_of(result, digits, extension)))


def _padded(items: list[np.ndarray], tail: tuple, dtype) -> np.ndarray:
    longest = max(len(a) for a in items)
    out = np.full((len(items), longest) + tail, -1, dtype=dtype)
    for i, a in enumerate(items):
        out[i, : len(a)] = a
    return out


def recover(folder: Path, fmt: str, committed_chunks: set[int], committed_indices: set[int]) -> None:
    """Remove what an abrupt stop left beyond the committed chunks (used before resuming)."""
    if not folder.exists():
        return
    for tmp in folder.rglob(".*.tmp"):
        tmp.unlink()
    if fmt == "npz":
        for path in (folder / ".chunks").glob("*.npz"):
            if int(path.stem) not in committed_chunks:
                path.unlink()
        return
    labels = folder / LABEL_FILES[fmt]
    if labels.exists():
        lines = labels.read_bytes().splitlines(keepends=True)
        header = lines[:1] if fmt == "png" else []
        body = lines[len(header):]
        keep = [line for line in body if line.strip() and _row_index(fmt, line) in committed_indices]
        atomic_write_bytes(labels, b"".join(header + keep))
    images = folder / "images"
    if images.exists():
        for path in images.iterdir():
            if not path.stem.isdigit() or int(path.stem) not in committed_indices:
                path.unlink()


def _row_index(fmt: str, line: bytes) -> int:
    try:
        if fmt == "jsonl":
            return int(json.loads(line)["index"])
        return int(line.split(b",", 1)[0])
    except (ValueError, KeyError):
        return -1


def write_npz_from_parts(target: Path, parts: list[Path], label_length: int, text_length: int,
                         indices: np.ndarray | None = None) -> None:
    """Concatenate the arrays of ``parts`` (npz files) into one compressed npz, one array at a time.

    Every part holds images, labels, texts, boxes, source_indices; padded arrays are re-padded to
    ``label_length``. Memory stays at one part's worth.
    """
    def load(path: Path, name: str) -> np.ndarray:
        with np.load(path, allow_pickle=False) as archive:
            return archive[name]

    sizes = [len(load(p, "labels")) for p in parts]
    total = sum(sizes)
    width = load(parts[0], "images").shape[2]

    def pad(a: np.ndarray, fill) -> np.ndarray:
        out = np.full((len(a), label_length) + a.shape[2:], fill, dtype=a.dtype)
        out[:, : a.shape[1]] = a
        return out

    specs = [
        ("images", np.dtype(np.uint8), (total, 28, width), lambda p: load(p, "images")),
        ("labels", np.dtype(f"<U{label_length}"), (total,), lambda p: load(p, "labels").astype(f"<U{label_length}")),
        ("texts", np.dtype(f"<U{text_length}"), (total,), lambda p: load(p, "texts").astype(f"<U{text_length}")),
        ("boxes", np.dtype(np.int32), (total, label_length, 4), lambda p: pad(load(p, "boxes"), -1)),
        ("lengths", np.dtype(np.int32), (total,), lambda p: np.char.str_len(load(p, "labels")).astype(np.int32)),
        ("source_indices", np.dtype(np.int64), (total, label_length), lambda p: pad(load(p, "source_indices"), -1)),
    ]
    if indices is None:
        indices = np.arange(total, dtype=np.int64)
    tmp = target.with_name(f".{target.name}.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for name, dtype, shape, read in specs:
            _stream_array(archive, name, dtype, shape, (read(p) for p in parts))
        _stream_array(archive, "indices", indices.dtype, indices.shape, iter([indices]))
    with open(tmp, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, target)


def _stream_array(archive: zipfile.ZipFile, name: str, dtype, shape, pieces) -> None:
    info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    # Level 1: images are mostly white, so it compresses nearly as well as level 6, several times faster.
    info._compresslevel = 1  # Python <= 3.12 reads this name; 3.13 aliases it to compress_level
    info.external_attr = 0o644 << 16
    with archive.open(info, "w", force_zip64=True) as handle:
        np.lib.format.write_array_header_1_0(
            handle, {"descr": np.lib.format.dtype_to_descr(np.dtype(dtype)), "fortran_order": False, "shape": shape})
        for piece in pieces:
            handle.write(np.ascontiguousarray(piece, dtype=dtype).tobytes())


# -- reading back ------------------------------------------------------------------------------


def read_part(folder: str | Path, fmt: str) -> dict:
    """A part's annotations (and, for npz, its arrays): labels, texts, boxes, source_indices, files."""
    folder = Path(folder)
    if fmt == "npz":
        with np.load(folder / "data.npz", allow_pickle=False) as archive:
            data = {name: archive[name] for name in archive.files}
        lengths = data["lengths"]
        data["box_list"] = [data["boxes"][i, : lengths[i]] for i in range(len(lengths))]
        data["source_list"] = [data["source_indices"][i, : lengths[i]] for i in range(len(lengths))]
        return data
    path = folder / LABEL_FILES[fmt]
    if fmt == "jsonl":
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    else:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = [dict(r, index=int(r["index"]), boxes=json.loads(r["boxes"]), source_indices=json.loads(r["source_indices"]))
                    for r in csv.DictReader(handle)]
    return {
        "indices": np.array([r["index"] for r in rows], dtype=np.int64),
        "files": [r["file"] for r in rows],
        "labels": [r["label"] for r in rows],
        "texts": [r["text"] for r in rows],
        "box_list": [np.array(r["boxes"], dtype=np.int32).reshape(-1, 4) for r in rows],
        "source_list": [np.array(r["source_indices"], dtype=np.int64) for r in rows],
    }
