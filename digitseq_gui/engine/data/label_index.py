"""The label index (the seed's ``grouped_labels``): for each digit, the rows holding it.

It is a list of ten lists, stored as JSON (never pickle: a data file must not be able to run
code) in the user's cache folder, not the install folder, which may be read-only. The file name
carries a hash of the labels, so a changed data set never picks up a stale index. A cached index
is used only after it has been checked against the labels it indexes (every row listed under its
own label, each row once, every row present): there is no checksum of its own to forge. Anything
wrong with it (missing, unreadable, truncated, tampered with, not a regular file, larger than an
index of these labels can be, duplicate keys, unwritable folder) is logged and the index rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import numpy as np

from ..durable import atomic_write_bytes
from ..files import cache_dir, read_regular_file

log = logging.getLogger(__name__)
FORMAT_VERSION = 1


def index_path(labels: np.ndarray) -> Path:
    digest = hashlib.sha256(np.ascontiguousarray(labels, dtype=np.uint8).tobytes()).hexdigest()
    return cache_dir() / f"label-index-{digest[:32]}.json"


def build(labels: np.ndarray) -> list[np.ndarray]:
    """Rows per digit, each in increasing order."""
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(11))
    return [order[bounds[d] : bounds[d + 1]].astype(np.int64) for d in range(10)]


def load_or_build(labels: np.ndarray) -> list[np.ndarray]:
    """The index for ``labels``: from the cache when it is valid, else rebuilt (and cached)."""
    path = index_path(labels)
    cached = _load(path, labels)
    if cached is not None:
        return cached
    index = build(labels)
    _save(path, index)
    return index


def _load(path: Path, labels: np.ndarray) -> list[np.ndarray] | None:
    # At most what a valid index of these labels can take (each row number and a comma), so a
    # huge file is never read; a FIFO or device in its place is refused before it is opened.
    max_bytes = len(labels) * (len(str(len(labels))) + 1) + 1024
    try:
        raw = read_regular_file(path, max_bytes, "label index cache")
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("label index cache %s is unusable (%s); rebuilding it", path, exc.strerror or exc)
        return None
    try:
        document = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicate_keys)
        index = _validated(document, labels)
    except (UnicodeDecodeError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        # ValueError includes bad JSON and integers of thousands of digits; OverflowError: a row
        # number too large for int64; RecursionError: JSON nested too deep.
        log.warning("label index cache %s is unusable (%s); rebuilding it", path, exc)
        return None
    return index


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError(f"the key {next(k for k in keys if keys.count(k) > 1)!r} appears twice")
    return dict(pairs)


def _validated(document: object, labels: np.ndarray) -> list[np.ndarray]:
    """The index in ``document`` if it is exactly right for ``labels``; ValueError otherwise."""
    if not isinstance(document, dict) or document.get("format") != FORMAT_VERSION:
        raise ValueError("not a label index of this format")
    grouped = document.get("grouped_labels")
    if not isinstance(grouped, list) or len(grouped) != 10:
        raise ValueError("grouped_labels must be a list of ten lists")
    index = []
    for digit, rows in enumerate(grouped):
        if not isinstance(rows, list) or not all(type(r) is int for r in rows):
            raise ValueError(f"the rows of digit {digit} are not a list of integers")
        array = np.asarray(rows, dtype=np.int64)
        if array.size and (np.min(array) < 0 or np.max(array) >= len(labels)):
            raise ValueError(f"digit {digit} lists a row outside 0..{len(labels) - 1}")
        if np.any(labels[array] != digit):
            raise ValueError(f"digit {digit} lists rows whose label is not {digit}")
        index.append(array)
    if sum(len(rows) for rows in index) != len(labels):
        raise ValueError("the index does not cover every row exactly once")
    # Every row is listed under its own label and the counts add up, so each row appears once
    # unless some row is listed twice and another not at all; the per-label counts catch that.
    counts = np.bincount(labels, minlength=10)
    if any(len(rows) != counts[d] or np.unique(rows).size != len(rows) for d, rows in enumerate(index)):
        raise ValueError("the index lists a row twice")
    return index


def _save(path: Path, index: list[np.ndarray]) -> None:
    document = {"format": FORMAT_VERSION, "grouped_labels": [rows.tolist() for rows in index]}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, json.dumps(document, separators=(",", ":")).encode("utf-8"))
    except OSError as exc:
        log.warning("cannot write the label index cache %s (%s); it will be rebuilt next time", path, exc)
