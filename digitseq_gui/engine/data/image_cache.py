"""The decompressed image cache: gunzipping MNIST's 47 MB costs 0.2-0.6 s; a memory-mapped .npy
costs nothing and is shared between worker processes.

The cache is a plain .npy (never pickled) named after the SHA-256 of the gzipped data file, and
it is checked against that data file on every load, not against anything stored beside it: a
gzip file ends with the CRC-32 and length of its decompressed content, so the cached pixels,
behind the IDX header, must give that CRC-32 and length (13-45 ms for 60k digits). A cache edited
by hand, with or without a recomputed checksum of its own, no longer matches the data file and is
rebuilt. (CRC-32 catches damage and edits, not a forger who also fixes up four bytes to match;
someone who can write the cache folder can also change the installed code.)
"""

from __future__ import annotations

import io
import logging
import zlib
from pathlib import Path

import numpy as np

from ..durable import atomic_write_bytes
from ..files import UnsafeFileError, cache_dir, check_regular_file
from .idx import IdxHeader

log = logging.getLogger(__name__)


def cache_path(image_hash: str) -> Path:
    return cache_dir() / f"images-{image_hash[:32]}.npy"


def content_crc(header_bytes: bytes, images: np.ndarray) -> tuple[int, int]:
    """(CRC-32, length mod 2**32) of the IDX file these pixels came from, as gzip records them."""
    pixels = np.ascontiguousarray(images).data.cast("B")
    return zlib.crc32(pixels, zlib.crc32(header_bytes)), (len(header_bytes) + pixels.nbytes) % 2**32


def load(image_hash: str, header: IdxHeader, trailer: tuple[int, int]) -> np.ndarray | None:
    """The cached images of the data file, if the cache matches it; else None (and a log line)."""
    path = cache_path(image_hash)
    try:
        check_regular_file(path, "image cache")
        images = np.load(path, mmap_mode="r", allow_pickle=False)
    except FileNotFoundError:
        return None
    except UnsafeFileError as exc:
        log.warning("ignoring the image cache: %s", exc.strerror)
        return None
    except (OSError, ValueError, EOFError) as exc:  # EOFError: an empty file
        log.warning("ignoring unreadable image cache %s (%s); rebuilding it", path, exc)
        return None
    if not isinstance(images, np.ndarray):  # e.g. a zip archive, which np.load opens as NpzFile
        images.close()
        log.warning("ignoring image cache %s: not a .npy array; rebuilding it", path)
        return None
    if images.dtype != np.uint8 or images.shape != header.dims:
        log.warning(
            "ignoring image cache %s of shape %s %s; the data file holds %s uint8; rebuilding it",
            path,
            images.shape,
            images.dtype,
            header.shape_text,
        )
        return None
    if content_crc(header.raw, images) != trailer:
        log.warning("ignoring image cache %s: its pixels do not match the data file; rebuilding it", path)
        return None
    # A plain ndarray view of the mapping: np.memmap's subclass hooks would otherwise follow
    # every slice into the generator and cost tens of microseconds per numpy call.
    return np.asarray(images)


def store(image_hash: str, images: np.ndarray, header_bytes: bytes, trailer: tuple[int, int]) -> None:
    """Cache ``images`` if a later load can check them against the data file (a single-member
    gzip file, whose trailer covers the whole content); a failure to write only costs speed."""
    if content_crc(header_bytes, images) != trailer:
        log.info("not caching the images of a multi-member gzip file: its trailer cannot vouch for them")
        return
    path = cache_path(image_hash)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        np.save(buffer, np.ascontiguousarray(images), allow_pickle=False)
        atomic_write_bytes(path, buffer.getvalue())
        path.with_suffix(".crc32").unlink(missing_ok=True)  # the checksum file older versions wrote
    except OSError as exc:
        log.warning("cannot write the image cache %s (%s); loading will stay slower", path, exc)
