"""Bad data files and config files, as a hostile tester would make them, for the API and CLI tables.

Each case builds its file(s) under a folder and says what must happen: the exception type, and
words the message must hold. The same cases run through ``load_dataset``/``load_config`` and
through the command line (one line on stderr, exit 2).
"""

from __future__ import annotations

import gzip
import io
import os
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from mnist_files import idx_bytes

IMAGES = "train-images-idx3-ubyte"
LABELS = "train-labels-idx1-ubyte"


@dataclass
class Case:
    id: str
    build: Callable[[Path], str]  # makes the file(s) under the folder, returns what to pass
    kind: str  # "dataset" or "config": which class of error (DatasetError / ConfigError)
    fragments: tuple[str, ...]


def _labels(n: int = 20) -> np.ndarray:
    return (np.arange(n) % 10).astype(np.uint8)


def _images(n: int = 20) -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)  # incompressible, like real digits


def _folder(root: Path, image_bytes: bytes, label_bytes: bytes | None = None, gz: bool = False) -> str:
    folder = root / "data"
    folder.mkdir(parents=True, exist_ok=True)
    label_bytes = idx_bytes(_labels()) if label_bytes is None else label_bytes
    suffix = ".gz" if gz else ""
    (folder / (IMAGES + suffix)).write_bytes(gzip.compress(image_bytes) if gz else image_bytes)
    (folder / (LABELS + suffix)).write_bytes(gzip.compress(label_bytes) if gz else label_bytes)
    return str(folder)


def _header(magic: int, dims) -> bytes:
    return magic.to_bytes(4, "big") + b"".join(int(d).to_bytes(4, "big") for d in dims)


def gzip_bomb_true_header(root: Path) -> str:
    """60,000 blank digits: a header that tells the truth, 47 MB from a 46 kB file."""
    data = _header(2051, (60000, 28, 28)) + bytes(60000 * 784)
    return _folder(root, data, idx_bytes(np.zeros(60000, np.uint8)), gz=True)


def gzip_bomb_lying_header(root: Path) -> str:
    """A header for 20 digits followed by 256 MB of zeros: decompression must stop at 20."""
    folder = root / "data"
    folder.mkdir(parents=True)
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunks = [packer.compress(_header(2051, (20, 28, 28)))]
    block = bytes(1 << 20)
    chunks += [packer.compress(block) for _ in range(256)]
    chunks.append(packer.flush())
    (folder / (IMAGES + ".gz")).write_bytes(b"".join(chunks))
    (folder / (LABELS + ".gz")).write_bytes(gzip.compress(idx_bytes(_labels())))
    return str(folder)


def dev_zero(root: Path) -> str:
    return "/dev/zero"


def symlink_to_dev_zero(root: Path) -> str:
    folder = Path(_folder(root, idx_bytes(_images())))
    (folder / IMAGES).unlink()
    (folder / IMAGES).symlink_to("/dev/zero")
    return str(folder)


def fifo_images(root: Path) -> str:
    folder = Path(_folder(root, idx_bytes(_images())))
    (folder / IMAGES).unlink()
    os.mkfifo(folder / IMAGES)
    return str(folder)


def fifo_npz(root: Path) -> str:
    os.mkfifo(root / "mnist.npz")
    return str(root / "mnist.npz")


def folder_as_images_file(root: Path) -> str:
    folder = Path(_folder(root, idx_bytes(_images())))
    (folder / IMAGES).unlink()
    (folder / IMAGES).mkdir()
    return str(folder)


def _npz_member(name: str, shape, dtype, payload: bytes) -> tuple[str, bytes]:
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer,
        {
            "descr": np.lib.format.dtype_to_descr(np.dtype(dtype)),
            "fortran_order": False,
            "shape": tuple(shape),
        },
    )
    return f"{name}.npy", buffer.getvalue() + payload


def _write_npz(path: Path, members: list[tuple[str, bytes]]) -> str:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return str(path)


def npz_declaring_a_tebibyte(root: Path) -> str:
    labels = _labels()
    members = [
        _npz_member("x_train", (2**40 // 784, 28, 28), np.uint8, _images().tobytes()),
        _npz_member("y_train", labels.shape, np.uint8, labels.tobytes()),
    ]
    return _write_npz(root / "mnist.npz", members)


def npz_with_pickled_objects(root: Path) -> str:
    path = root / "mnist.npz"
    np.savez(path, x_train=np.array([{"a": 1}, None], dtype=object), y_train=np.arange(2))
    return str(path)


def npz_with_a_corrupt_member(root: Path) -> str:
    path = root / "mnist.npz"
    np.savez(path, x_train=_images(), y_train=_labels())  # stored, not compressed: easy to corrupt
    data = bytearray(path.read_bytes())
    at = data.index(_images().tobytes()[:64]) + 100
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))
    return str(path)


def npy_named_npz(root: Path) -> str:
    path = root / "mnist.npz"
    with open(path, "wb") as handle:
        np.save(handle, _images())
    return str(path)


def idx_header_overflow(root: Path) -> str:
    return _folder(root, _header(2051, (2**32 - 1, 2**32 - 1, 2**32 - 1)) + bytes(1000))


def idx_header_overflow_gzip(root: Path) -> str:
    return _folder(root, _header(2051, (2**32 - 1, 28, 28)) + bytes(1000), gz=True)


def labels_header_overflow(root: Path) -> str:
    return _folder(root, idx_bytes(_images()), _header(2049, (2**32 - 1,)) + bytes(20))


def idx_more_data_than_declared(root: Path) -> str:
    return _folder(root, idx_bytes(_images()) + bytes(784))


def idx_truncated(root: Path) -> str:
    return _folder(root, idx_bytes(_images())[:-300])


def gzip_truncated(root: Path) -> str:
    folder = Path(_folder(root, idx_bytes(_images()), gz=True))
    path = folder / (IMAGES + ".gz")
    path.write_bytes(path.read_bytes()[:-500])
    return str(folder)


def gzip_with_trailing_garbage(root: Path) -> str:
    folder = Path(_folder(root, idx_bytes(_images()), gz=True))
    path = folder / (IMAGES + ".gz")
    path.write_bytes(path.read_bytes() + b"not gzip at all")
    return str(folder)


def empty_images_file(root: Path) -> str:
    return _folder(root, b"")


def sparse_file_of_5_gib(root: Path) -> str:
    folder = Path(_folder(root, idx_bytes(_images())))
    with open(folder / IMAGES, "r+b") as handle:
        handle.truncate(5 << 30)  # sparse: no disk used
    return str(folder)


def sparse_npz_of_5_gib(root: Path) -> str:
    path = root / "mnist.npz"
    np.savez(path, x_train=_images(), y_train=_labels())
    with open(path, "r+b") as handle:
        handle.truncate(5 << 30)
    return str(path)


def _config(root: Path, text: str | bytes) -> str:
    path = root / "config.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return str(path)


def config_fifo(root: Path) -> str:
    os.mkfifo(root / "config.json")
    return str(root / "config.json")


def config_folder(root: Path) -> str:
    (root / "config.json").mkdir()
    return str(root / "config.json")


DATA_CASES = [
    Case("gzip bomb, true header", gzip_bomb_true_header, "dataset", ("out of proportion", IMAGES)),
    Case("gzip bomb, lying header", gzip_bomb_lying_header, "dataset", ("more than", "20x28x28", IMAGES)),
    Case("/dev/zero", dev_zero, "dataset", ("/dev/zero", "regular file")),
    Case("symlink to /dev/zero", symlink_to_dev_zero, "dataset", (IMAGES, "device", "regular file")),
    Case("FIFO as images file", fifo_images, "dataset", (IMAGES, "fifo")),
    Case("FIFO as npz", fifo_npz, "dataset", ("mnist.npz", "fifo")),
    Case("folder as images file", folder_as_images_file, "dataset", (IMAGES, "folder")),
    Case(
        "npz declaring a TiB",
        npz_declaring_a_tebibyte,
        "dataset",
        ("x_train", "1,099,511,627,200 bytes", "corrupt"),
    ),
    Case("npz of pickled objects", npz_with_pickled_objects, "dataset", ("mnist.npz", "objects")),
    Case("npz with a corrupt member", npz_with_a_corrupt_member, "dataset", ("mnist.npz", "crc")),
    Case("npy named npz", npy_named_npz, "dataset", ("mnist.npz", "not an .npz")),
    Case("IDX header overflow", idx_header_overflow, "dataset", (IMAGES, "declares", "more than")),
    Case("IDX header overflow, gzip", idx_header_overflow_gzip, "dataset", (IMAGES, "declares", "more than")),
    Case(
        "labels header overflow",
        labels_header_overflow,
        "dataset",
        (LABELS, "4294967295", "truncated or corrupt"),
    ),
    Case(
        "IDX longer than its header", idx_more_data_than_declared, "dataset", (IMAGES, "20x28x28", "corrupt")
    ),
    Case("IDX truncated", idx_truncated, "dataset", (IMAGES, "truncated")),
    Case("gzip truncated", gzip_truncated, "dataset", (IMAGES, "gzip", "ends early")),
    Case("gzip with trailing garbage", gzip_with_trailing_garbage, "dataset", (IMAGES, "broken gzip")),
    Case("empty images file", empty_images_file, "dataset", (IMAGES, "too short")),
    Case("5 GiB data file", sparse_file_of_5_gib, "dataset", (IMAGES, "5,368,709,120 bytes", "at most")),
    Case("5 GiB npz", sparse_npz_of_5_gib, "dataset", ("mnist.npz", "5,368,709,120 bytes", "at most")),
]

CONFIG_CASES = [
    Case(
        "deeply nested object",
        lambda r: _config(r, '{"image":' * 100_000),
        "config",
        ("config.json", "nested too deeply"),
    ),
    Case(
        "deeply nested list",
        lambda r: _config(r, "[" * 100_000),
        "config",
        ("config.json", "nested too deeply"),
    ),
    Case(
        "5000-digit integer",
        lambda r: _config(r, '{"image": {"width": ' + "9" * 5000 + "}}"),
        "config",
        ("config.json", "number", "too long"),
    ),
    Case(
        "duplicate top-level key",
        lambda r: _config(r, '{"spacing": {"min": 1}, "spacing": {"min": 3}}'),
        "config",
        ("config.json", "'spacing'", "twice"),
    ),
    Case(
        "duplicate nested key",
        lambda r: _config(r, '{"spacing": {"min": 1, "max": 9, "min": 3}}'),
        "config",
        ("config.json", "'min'", "twice"),
    ),
    Case(
        "image is a list",
        lambda r: _config(r, '{"image": []}'),
        "config",
        ("config.json", "image", "json object"),
    ),
    Case(
        "spacing.min a string",
        lambda r: _config(r, '{"spacing": {"min": "2"}}'),
        "config",
        ("spacing.min", "whole number"),
    ),
    Case(
        "width a float",
        lambda r: _config(r, '{"image": {"width": 200.5}}'),
        "config",
        ("image.width", "whole number"),
    ),
    Case(
        "output_format a number",
        lambda r: _config(r, '{"output_format": 5}'),
        "config",
        ("output_format", "png"),
    ),
    Case(
        "strength a string",
        lambda r: _config(r, '{"image": {"augmentations": {"rotate": {"strength": "x"}}}}'),
        "config",
        ("image.augmentations.rotate.strength", "number"),
    ),
    Case(
        "transform a string",
        lambda r: _config(r, '{"image": {"transform": "yes"}}'),
        "config",
        ("image.transform", "true or false"),
    ),
    Case(
        "split a number",
        lambda r: _config(r, '{"dataset": {"split": 5}}'),
        "config",
        ("dataset.split", "train"),
    ),
    Case("not an object", lambda r: _config(r, "[1, 2]"), "config", ("config.json", "json object")),
    Case("empty file", lambda r: _config(r, ""), "config", ("config.json", "not valid json")),
    Case("not UTF-8", lambda r: _config(r, b'{"image": "\xff\xfe"}'), "config", ("config.json", "utf-8")),
    Case("2 MiB config", lambda r: _config(r, " " * (2 << 20) + "{}"), "config", ("config.json", "at most")),
    Case("config FIFO", config_fifo, "config", ("config.json", "fifo")),
    Case("config is a folder", config_folder, "config", ("config.json", "folder")),
    Case("config is /dev/zero", lambda r: "/dev/zero", "config", ("/dev/zero", "device")),
    Case(
        "config does not exist",
        lambda r: str(r / "missing.json"),
        "config",
        ("missing.json", "does not exist"),
    ),
]


def load_mnist_like(folder: Path, images: np.ndarray, labels: np.ndarray) -> str:
    """A valid gzipped pair written as two gzip members each (legal, and must load)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in ((IMAGES, idx_bytes(images)), (LABELS, idx_bytes(labels))):
        half = len(data) // 2
        (folder / (name + ".gz")).write_bytes(gzip.compress(data[:half]) + gzip.compress(data[half:]))
    return str(folder)
