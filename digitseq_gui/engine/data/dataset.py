"""The digit data set: IDX and Keras .npz reading, the embedded MNIST copy, and its caches.

A data set is a pair of arrays: images (N, 28, 28) uint8 with 255 = full ink, and labels (N,)
uint8 in 0..9, plus the label index (see label_index.py) that lets the generator pick a random
image of a given digit in constant time.
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path

import numpy as np

from ..errors import DatasetError, InputTypeError, InvalidInputError
from ..files import describe_kind
from . import idx, image_cache, label_index, npz
from .limits import check_declared_size
from .writers import WRITERS_SUFFIX, embedded_writers, writers_beside

DIGIT_SIZE = 28
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
    the validation hold-out) still reports which MNIST images it used. ``writers`` is each row's
    writer id (int32), or None when the data set does not say who wrote its digits (see
    engine/data/writers.py: the embedded MNIST has them, a folder or .npz may supply them).
    """

    images: np.ndarray
    labels: np.ndarray
    name: str
    fingerprint: str
    source_indices: np.ndarray | None = None
    writers: np.ndarray | None = None
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

    def subset(self, rows: np.ndarray, name: str) -> DigitDataset:
        """A data set made of some of these rows (their source indices are kept)."""
        rows = np.asarray(rows, dtype=np.int64)
        assert self.source_indices is not None  # __post_init__ fills it
        return DigitDataset(
            images=self.images[rows],
            labels=self.labels[rows],
            name=name,
            fingerprint=hashlib.sha256(f"{self.fingerprint}:{name}:{len(rows)}".encode()).hexdigest(),
            source_indices=self.source_indices[rows],
            writers=None if self.writers is None else self.writers[rows],
        )


# ---------------------------------------------------------------------------------------------
# Loading


# Data sets loaded once per process (the window, the export dialog's previews, exports and
# SequenceDataset all ask for the same few): loading hashes the data file and checks its caches.
_SHARED: dict[tuple, tuple] = {}  # (source, split) -> (the file's stamp when loaded, the data set)
_SHARED_LOCK = threading.Lock()
_SHARED_MAX = 4


def shared_dataset(source: str | Path = EMBEDDED, split: str = "train") -> DigitDataset:
    """``load_dataset``, loaded once per process for the same source and split; a source whose
    files have changed since (for a folder: any file in it) is loaded again, in place of the old
    one. Two threads asking at once may both load it (no lock is held while loading: a data
    file that never answers, such as a FIFO, must not block every other load)."""
    key, stamp = _shared_key(source, split)
    found = _held(key, stamp)
    if found is not None:
        return found
    dataset = load_dataset(source, split)
    with _SHARED_LOCK:
        held = _SHARED.get(key)
        if held is not None and held[0] == stamp:
            return held[1]  # another thread loaded the same file meanwhile
        if held is None and len(_SHARED) >= _SHARED_MAX:
            _SHARED.pop(next(iter(_SHARED)))
        _SHARED[key] = (stamp, dataset)
        return dataset


def loaded_dataset(source: str | Path = EMBEDDED, split: str = "train") -> DigitDataset | None:
    """The data set ``shared_dataset`` already holds for this source and split, as its files
    are now, or None (never loads)."""
    return _held(*_shared_key(source, split))


def _held(key: tuple, stamp: tuple | None) -> DigitDataset | None:
    with _SHARED_LOCK:
        held = _SHARED.get(key)
    return held[1] if held is not None and held[0] == stamp else None


def _shared_key(source, split) -> tuple[tuple, tuple | None]:
    """((source, split), the source's stamp; None for the embedded set or a path that cannot be read)."""
    name = os.fspath(source) if isinstance(source, os.PathLike) else source
    stamp = None
    if isinstance(name, str) and name != EMBEDDED:
        try:
            stamp = _stamp(os.path.expanduser(name))
        except (OSError, ValueError):
            pass  # load_dataset says what is wrong
    return (name, split), stamp


def _stamp(path: str) -> tuple:
    """Inode, size and modification time of a file; of a folder, also those of each file in it
    (a file rewritten in place changes nothing of its folder's own)."""
    found = os.stat(path)
    stamp = (found.st_ino, found.st_size, found.st_mtime_ns)
    if not stat.S_ISDIR(found.st_mode):
        return stamp
    files = []
    with os.scandir(path) as entries:
        for entry in entries:
            try:
                if entry.is_file():
                    inside = entry.stat()
                    files.append((entry.name, inside.st_ino, inside.st_size, inside.st_mtime_ns))
            except OSError:
                continue  # a link to nowhere: load_dataset does not read it either
    return stamp, tuple(sorted(files))


def load_dataset(source: str | Path = EMBEDDED, split: str = "train") -> DigitDataset:
    """Load a digit data set.

    ``source`` is ``"mnist"`` (the copy shipped inside the package), a folder holding an IDX
    image/label pair (``train-images-idx3-ubyte[.gz]`` and so on, or a single pair of any name),
    or a Keras-style ``mnist.npz`` with ``x_train``, ``y_train``, ``x_test``, ``y_test``.
    ``split`` is ``"train"`` or ``"test"``. Data files are checked before they are read (regular
    files only, sizes declared in their headers within limits and consistent with the file);
    anything wrong is a DatasetError saying what.
    """
    if not isinstance(split, str) or split not in SPLITS:
        raise InvalidInputError(
            f"unknown data set split {split!r}; use one of {', '.join(SPLITS)}", field="dataset"
        )
    if isinstance(source, os.PathLike):
        source = os.fspath(source)
    if not isinstance(source, str):
        raise InputTypeError(
            f"a data set source must be 'mnist', a folder or an .npz path (a string or "
            f"pathlib.Path), got {type(source).__name__}",
            field="dataset",
        )
    if not source.strip() or "\0" in source:
        raise DatasetError(
            f"{source!r} is not a data set; give 'mnist', a folder of IDX files or an .npz file"
        )
    if source == EMBEDDED:
        root = resources.files("digitseq_gui.resources") / "mnist"
        image_name, label_name = _MNIST_FILES[split]
        with (
            resources.as_file(root / image_name) as images_path,
            resources.as_file(root / label_name) as labels_path,
        ):
            dataset = _load_idx_pair(
                Path(images_path), Path(labels_path), f"MNIST {split}", writers_file=False
            )
        dataset.writers = embedded_writers(split).astype(np.int32)
        return dataset
    path = Path(source).expanduser()
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise DatasetError(
            f"data set {source!r} does not exist; give 'mnist', a folder of IDX files or an .npz file"
        ) from None
    except OSError as exc:
        raise DatasetError(f"cannot read data set {path}: {exc.strerror}") from None
    if stat.S_ISDIR(mode):
        images_path, labels_path = _find_idx_pair(path, split)
        return _load_idx_pair(images_path, labels_path, f"{path.name} {split}")
    if path.suffix.lower() == ".npz":
        return _load_npz(path, split)  # refuses a FIFO or device itself, before opening it
    if not stat.S_ISREG(mode):
        raise DatasetError(
            f"data set {path} is {describe_kind(mode)}, not a regular file or folder; "
            "give 'mnist', a folder of IDX files or an .npz file"
        )
    raise DatasetError(f"{path} is neither a folder of IDX files nor an .npz file")


def _find_idx_pair(folder: Path, split: str) -> tuple[Path, Path]:
    try:
        names = sorted(p for p in folder.iterdir())
    except OSError as exc:
        raise DatasetError(f"cannot read the data set folder {folder}: {exc.strerror}") from None
    images = [p for p in names if "idx3-ubyte" in p.name]
    labels = [p for p in names if "idx1-ubyte" in p.name and not p.name.endswith(WRITERS_SUFFIX)]
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


def _load_idx_pair(
    images_path: Path, labels_path: Path, name: str, writers_file: bool = True
) -> DigitDataset:
    labels = idx.read_idx(labels_path, idx.LABELS_MAGIC)
    writers = writers_beside(labels_path, len(labels)) if writers_file else None
    what = str(images_path)
    raw = idx.read_file(images_path)
    image_hash = hashlib.sha256(raw).hexdigest()
    if idx.is_gzip(raw):
        # Check the header before decompressing: 28x28 digits, a size within the limits and in
        # proportion to the compressed file (decompression then stops at the declared size).
        header = idx.gzip_header(raw, idx.IMAGES_MAGIC, what)
        _check_image_dims(header.dims, name)
        check_declared_size(header.data_bytes, what, compressed_size=len(raw))
        trailer = idx.gzip_trailer(raw)
        images = image_cache.load(image_hash, header, trailer)
        if images is None:
            images = idx.parse_idx(idx.gunzip_exactly(raw, header, what), idx.IMAGES_MAGIC, what)
            image_cache.store(image_hash, images, header.raw, trailer)
    else:  # already the pixels: nothing to cache
        images = idx.parse_idx(raw, idx.IMAGES_MAGIC, what)
    _check_arrays(images, labels, name)
    fingerprint = hashlib.sha256(image_hash.encode() + labels.tobytes()).hexdigest()
    return DigitDataset(images=images, labels=labels, name=name, fingerprint=fingerprint, writers=writers)


def _load_npz(path: Path, split: str) -> DigitDataset:
    images, labels, digest, writers = npz.load_npz(path, split)
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise DatasetError(
            f"{path}: labels must be digits 0-9, found {int(labels.min())}..{int(labels.max())}"
        )
    labels = labels.astype(np.uint8)
    _check_arrays(images, labels, f"{path.name} {split}")
    fingerprint = hashlib.sha256(f"{digest}:{split}".encode()).hexdigest()
    return DigitDataset(
        images=images, labels=labels, name=f"{path.name} {split}", fingerprint=fingerprint, writers=writers
    )


def _check_image_dims(dims: tuple[int, ...], name: str) -> None:
    """The image header's sizes against what DigitSeq needs, before the pixels are read."""
    if len(dims) != 3:
        raise DatasetError(f"{name}: images must be a stack of 2-D digit images, got shape {dims}")
    if dims[1:] != (DIGIT_SIZE, DIGIT_SIZE):
        raise DatasetError(
            f"{name}: digit images are {dims[1]}x{dims[2]}; DigitSeq needs "
            f"{DIGIT_SIZE}x{DIGIT_SIZE} images (resize them first)"
        )


def _check_arrays(images: np.ndarray, labels: np.ndarray, name: str) -> None:
    _check_image_dims(images.shape, name)
    if labels.ndim != 1 or len(labels) != len(images):
        raise DatasetError(f"{name}: {len(images)} images but {labels.size} labels; the counts must agree")
    if len(labels) == 0:
        raise DatasetError(f"{name}: the data set is empty")
    if labels.max() > 9:
        raise DatasetError(f"{name}: labels must be digits 0-9, found {int(labels.max())}")
    _check_polarity(images, name)


def _check_polarity(images: np.ndarray, name: str) -> None:
    """MNIST's convention is white ink (255) on black (0): digits drawn the other way round would
    come out as white strokes in black boxes. The border of a digit image is background, so a
    bright border (over a sample of images) means dark ink on white."""
    sample = np.asarray(images[:1000])
    border = np.concatenate(
        [sample[:, 0, :], sample[:, -1, :], sample[:, 1:-1, 0], sample[:, 1:-1, -1]], axis=1
    )
    if float(border.mean()) > 127:
        raise DatasetError(
            f"{name}: the digits look dark on a light background (their borders average "
            f"{float(border.mean()):.0f} of 255); DigitSeq expects MNIST's convention, white ink (255) "
            "on black (0): invert the images (255 - images) and save them again"
        )
