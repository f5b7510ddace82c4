"""The digit data set: IDX and Keras .npz reading, the embedded MNIST copy, and its caches.

A data set is a pair of arrays: images (N, 28, 28) uint8 with 255 = full ink, and labels (N,)
uint8 in 0..9, plus the label index (see label_index.py) that lets the generator pick a random
image of a given digit in constant time.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import logging
import zlib
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path

import numpy as np

from . import label_index
from ..errors import DatasetError, InvalidInputError
from ..files import atomic_write_bytes, cache_dir

log = logging.getLogger(__name__)

DIGIT_SIZE = 28
IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049
EMBEDDED = "mnist"
SPLITS = ("train", "test")
# The embedded files, by split; other folders are searched for the same name patterns.
_MNIST_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
_SPLIT_PREFIXES = {"train": ("train",), "test": ("t10k", "test")}


@dataclass(eq=False)
class DigitDataset:
    """Digit images and their labels, with the per-label index used for sampling.

    ``source_indices`` maps each row to its row in the original file, so a subset (for example
    the validation hold-out) still reports which MNIST images it used.
    """

    images: np.ndarray
    labels: np.ndarray
    name: str
    fingerprint: str
    source_indices: np.ndarray | None = None
    _by_label: list[np.ndarray] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.source_indices is None:
            self.source_indices = np.arange(len(self.labels), dtype=np.int64)

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def by_label(self) -> list[np.ndarray]:
        """For each digit 0..9, the rows holding that digit (cached on disk as JSON)."""
        if self._by_label is None:
            self._by_label = label_index.load_or_build(self.labels)
        return self._by_label

    @cached_property
    def label_counts(self) -> np.ndarray:
        return np.array([len(rows) for rows in self.by_label], dtype=np.int64)

    @cached_property
    def sampling_table(self) -> np.ndarray:
        """(10, max count) table of rows per digit, padded with -1: vectorised uniform picks."""
        table = np.full((10, max(1, int(self.label_counts.max()))), -1, dtype=np.int64)
        for digit, rows in enumerate(self.by_label):
            table[digit, : len(rows)] = rows
        return table

    def require_digits(self, digits: np.ndarray) -> None:
        """Raise a clear error if the data set has no image of one of ``digits``."""
        asked = np.bincount(digits, minlength=10) > 0
        missing = np.flatnonzero(asked & (self.label_counts == 0)).tolist()
        if missing:
            raise DatasetError(
                f"the data set {self.name!r} has no images of digit(s) {missing}; "
                "choose a data set that has every digit you ask for"
            )

    def subset(self, rows: np.ndarray, name: str) -> "DigitDataset":
        """A data set made of some of these rows (their source indices are kept)."""
        rows = np.asarray(rows, dtype=np.int64)
        return DigitDataset(
            images=self.images[rows],
            labels=self.labels[rows],
            name=name,
            fingerprint=hashlib.sha256(f"{self.fingerprint}:{name}:{len(rows)}".encode()).hexdigest(),
            source_indices=self.source_indices[rows],
        )


# ---------------------------------------------------------------------------------------------
# IDX files


def parse_idx(data: bytes, expected_magic: int, what: str) -> np.ndarray:
    """Parse the bytes of one (decompressed) IDX file of unsigned bytes in a single pass."""
    if len(data) < 8:
        raise DatasetError(f"{what} is too short to be an IDX file ({len(data)} bytes)")
    magic = int.from_bytes(data[0:4], "big")
    if magic != expected_magic:
        kind = "images" if expected_magic == IMAGES_MAGIC else "labels"
        raise DatasetError(
            f"{what} is not an IDX {kind} file: magic number {magic}, expected {expected_magic}"
        )
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DatasetError(f"{what} ends inside its header")
    dims = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(dims, dtype=np.int64))
    if len(data) - header != expected:
        raise DatasetError(
            f"{what} holds {len(data) - header} bytes of data but its header announces "
            f"{'x'.join(map(str, dims))} = {expected}; the file is truncated or corrupt"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)


def read_file_bytes(path: Path) -> bytes:
    """The file's bytes, gunzipped if the file is gzip-compressed."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise DatasetError(f"cannot read data file {path}: {exc.strerror or exc}") from exc
    return _gunzip_if_needed(raw, path)


def _gunzip_if_needed(raw: bytes, path: Path) -> bytes:
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, zlib.error) as exc:
        raise DatasetError(f"{path} is a broken gzip file ({exc}); download or copy it again") from exc


# ---------------------------------------------------------------------------------------------
# Loading


def load_dataset(source: str | Path = EMBEDDED, split: str = "train") -> DigitDataset:
    """Load a digit data set.

    ``source`` is ``"mnist"`` (the copy shipped inside the package), a folder holding an IDX
    image/label pair (``train-images-idx3-ubyte[.gz]`` and so on, or a single pair of any name),
    or a Keras-style ``mnist.npz`` with ``x_train``, ``y_train``, ``x_test``, ``y_test``.
    ``split`` is ``"train"`` or ``"test"``.
    """
    if split not in SPLITS:
        raise InvalidInputError(f"unknown data set split {split!r}; use one of {', '.join(SPLITS)}")
    if str(source) == EMBEDDED:
        root = resources.files("digitseq_gui.resources") / "mnist"
        image_name, label_name = _MNIST_FILES[split]
        with resources.as_file(root / image_name) as images_path, resources.as_file(root / label_name) as labels_path:
            return _load_idx_pair(Path(images_path), Path(labels_path), f"MNIST {split}")
    path = Path(source).expanduser()
    if path.is_dir():
        images_path, labels_path = _find_idx_pair(path, split)
        return _load_idx_pair(images_path, labels_path, f"{path.name} {split}")
    if path.suffix == ".npz" and path.is_file():
        return _load_npz(path, split)
    if not path.exists():
        raise DatasetError(f"data set {str(source)!r} does not exist; give 'mnist', a folder of IDX files or an .npz file")
    raise DatasetError(f"{path} is neither a folder of IDX files nor an .npz file")


def _find_idx_pair(folder: Path, split: str) -> tuple[Path, Path]:
    images = sorted(p for p in folder.iterdir() if "idx3-ubyte" in p.name)
    labels = sorted(p for p in folder.iterdir() if "idx1-ubyte" in p.name)
    if len(images) == 1 and len(labels) == 1:
        return images[0], labels[0]  # a single pair serves whichever split is asked for

    def pick(candidates: list[Path]) -> Path | None:
        found = [p for p in candidates if p.name.startswith(_SPLIT_PREFIXES[split])]
        return found[0] if len(found) == 1 else None

    image_path, label_path = pick(images), pick(labels)
    if image_path is None or label_path is None:
        raise DatasetError(
            f"cannot find the {split} IDX pair in {folder}: expected files named like "
            f"{_MNIST_FILES[split][0]} and {_MNIST_FILES[split][1]} (gzipped or not)"
        )
    return image_path, label_path


def _load_idx_pair(images_path: Path, labels_path: Path, name: str) -> DigitDataset:
    labels = parse_idx(read_file_bytes(labels_path), LABELS_MAGIC, str(labels_path))
    image_raw = _read_raw(images_path)
    image_hash = hashlib.sha256(image_raw).hexdigest()
    images = _cached_images(image_hash)
    if images is None or images.shape != (len(labels), DIGIT_SIZE, DIGIT_SIZE):
        images = parse_idx(_gunzip_if_needed(image_raw, images_path), IMAGES_MAGIC, str(images_path))
        _check_arrays(images, labels, name)
        _store_cached_images(image_hash, images)
    _check_arrays(images, labels, name)
    fingerprint = hashlib.sha256(image_hash.encode() + labels.tobytes()).hexdigest()
    return DigitDataset(images=images, labels=labels, name=name, fingerprint=fingerprint)


def _read_raw(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise DatasetError(f"cannot read data file {path}: {exc.strerror or exc}") from exc


def _load_npz(path: Path, split: str) -> DigitDataset:
    try:
        with np.load(path, allow_pickle=False) as archive:
            x_key, y_key = f"x_{split}", f"y_{split}"
            if x_key not in archive or y_key not in archive:
                raise DatasetError(
                    f"{path} has no {x_key}/{y_key} arrays (it has {', '.join(sorted(archive.files))}); "
                    "a Keras-style mnist.npz holds x_train, y_train, x_test, y_test"
                )
            images, labels = archive[x_key], archive[y_key]
    except DatasetError:
        raise
    except (OSError, ValueError, EOFError, zlib.error) as exc:
        raise DatasetError(f"cannot read {path} as an .npz archive: {exc}") from exc
    if images.dtype != np.uint8 or labels.dtype.kind not in "ui":
        raise DatasetError(f"{path}: expected uint8 images and integer labels, got {images.dtype} and {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise DatasetError(f"{path}: labels must be digits 0-9, found {int(labels.min())}..{int(labels.max())}")
    labels = labels.astype(np.uint8)
    _check_arrays(images, labels, f"{path.name} {split}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    fingerprint = hashlib.sha256(f"{digest}:{split}".encode()).hexdigest()
    return DigitDataset(images=images, labels=labels, name=f"{path.name} {split}", fingerprint=fingerprint)


def _check_arrays(images: np.ndarray, labels: np.ndarray, name: str) -> None:
    if images.ndim != 3:
        raise DatasetError(f"{name}: images must be a stack of 2-D digit images, got shape {images.shape}")
    if images.shape[1:] != (DIGIT_SIZE, DIGIT_SIZE):
        raise DatasetError(
            f"{name}: digit images are {images.shape[1]}x{images.shape[2]}; DigitSeq needs "
            f"{DIGIT_SIZE}x{DIGIT_SIZE} images (resize them first)"
        )
    if labels.ndim != 1 or len(labels) != len(images):
        raise DatasetError(f"{name}: {len(images)} images but {labels.size} labels; the counts must agree")
    if len(labels) == 0:
        raise DatasetError(f"{name}: the data set is empty")
    if labels.max() > 9:
        raise DatasetError(f"{name}: labels must be digits 0-9, found {int(labels.max())}")


# ---------------------------------------------------------------------------------------------
# Decompressed image cache: gunzipping 47 MB costs 0.2 s; a memory-mapped .npy costs nothing.


def _image_cache_path(image_hash: str) -> Path:
    return cache_dir() / f"images-{image_hash[:32]}.npy"


def _checksum_file(cache: Path) -> Path:
    return cache.with_suffix(".crc32")


def _checksum(images: np.ndarray) -> str:
    """CRC-32 of the pixels: 13 ms for the 60k set, so every load can check the cache was not
    changed since it was written (it is trusted for speed, never for safety: no pickle)."""
    return f"{zlib.crc32(memoryview(np.ascontiguousarray(images)).cast('B')):08x}"


def _cached_images(image_hash: str) -> np.ndarray | None:
    path = _image_cache_path(image_hash)
    if not path.exists():
        return None
    try:
        images = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:  # EOFError: an empty file
        log.warning("ignoring unreadable image cache %s (%s); rebuilding it", path, exc)
        return None
    if not isinstance(images, np.ndarray):  # e.g. a zip archive, which np.load opens as NpzFile
        images.close()
        log.warning("ignoring image cache %s: not a .npy array; rebuilding it", path)
        return None
    if images.dtype != np.uint8 or images.ndim != 3:
        log.warning("ignoring image cache %s of unexpected shape %s", path, images.shape)
        return None
    try:
        expected = _checksum_file(path).read_text(encoding="ascii").strip()
    except FileNotFoundError:  # written by a version without checksums: not damage, just old
        log.info("image cache %s has no checksum (an older version wrote it); rebuilding it", path)
        return None
    except (OSError, UnicodeDecodeError):
        expected = None
    if expected != _checksum(images):
        log.warning("ignoring image cache %s: its pixels do not match their checksum; rebuilding it", path)
        return None
    # A plain ndarray view of the mapping: np.memmap's subclass hooks would otherwise follow
    # every slice into the generator and cost tens of microseconds per numpy call.
    return np.asarray(images)


def _store_cached_images(image_hash: str, images: np.ndarray) -> None:
    path = _image_cache_path(image_hash)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        np.save(buffer, np.ascontiguousarray(images), allow_pickle=False)
        atomic_write_bytes(_checksum_file(path), _checksum(images).encode("ascii"))
        atomic_write_bytes(path, buffer.getvalue())
    except OSError as exc:
        log.warning("cannot write the image cache %s (%s); loading will stay slower", path, exc)
