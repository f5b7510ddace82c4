"""Sampling digits: which image of each label, the images themselves, and where their ink is.

Each digit is a uniformly random image of its label: a uniform double ``u`` (from the block's
stream, see seeding.py) picks position ``floor(u * count)`` among that label's rows. The ink
extent of every row (the tight box of its non-zero pixels) is computed once per data set, so
placing unaugmented digits never scans their pixels.
"""

from __future__ import annotations

import threading
import weakref
from typing import NamedTuple

import numpy as np

from .data.dataset import DigitDataset
from .data.writer_index import WriterIndex
from .data.writers import HOW_TO_SUPPLY
from .errors import InvalidInputError


class InkExtents(NamedTuple):
    """Per digit: whether it has ink, and the tight column/row range of its ink (end exclusive;
    a blank digit reports its whole cell)."""

    has_ink: np.ndarray
    x0: np.ndarray
    x1: np.ndarray
    y0: np.ndarray
    y1: np.ndarray


def ink_extents(ink: np.ndarray) -> InkExtents:
    """The ink extents of a (K, height, width) uint8 stack."""
    count, height, width = ink.shape
    if count >= 64 and width % 4 == 0 and ink.flags.c_contiguous:
        # numpy reduces short axes slowly, one small inner loop per row: for many digits, OR the
        # rows' four-byte words together and fold the rows in halves, each a pass over long runs.
        words = ink.view(np.uint32)
        rows = words[..., 0].copy()
        for i in range(1, words.shape[2]):
            np.bitwise_or(rows, words[..., i], out=rows)
        rows = rows != 0
        columns = _fold_rows_max(ink) != 0
    else:
        rows = ink.any(axis=2)
        columns = ink.any(axis=1)
    return InkExtents(
        has_ink=rows.any(axis=1),
        x0=columns.argmax(axis=1),
        x1=width - columns[:, ::-1].argmax(axis=1),
        y0=rows.argmax(axis=1),
        y1=height - rows[:, ::-1].argmax(axis=1),
    )


def _fold_rows_max(ink: np.ndarray) -> np.ndarray:
    """(K, H, W) -> (K, W): the largest value of each column of each digit."""
    while ink.shape[1] > 1:
        half = ink.shape[1] // 2
        folded = np.maximum(ink[:, :half], ink[:, half : 2 * half])
        if ink.shape[1] % 2:
            np.maximum(folded[:, :1], ink[:, 2 * half :], out=folded[:, :1])
        ink = folded
    return ink[:, 0]


class DigitSource:
    """A data set prepared for sampling: label counts, the row table, per-row ink extents."""

    def __init__(self, dataset: DigitDataset):
        # Arrays only, never the data set itself: source_for keeps this alive as long as the data set.
        self.images = dataset.images
        self._by_label = dataset.by_label
        self.cell_height, self.cell_width = dataset.images.shape[1:3]
        self.label_counts = dataset.label_counts
        self.sampling_table = dataset.sampling_table
        assert dataset.source_indices is not None  # DigitDataset.__post_init__ fills it
        self.source_indices: np.ndarray = dataset.source_indices
        self.writers = dataset.writers
        self._dataset_name = dataset.name
        self._by_writer: WriterIndex | None = None
        self._label_count_list = self.label_counts.tolist()
        self._extents: np.ndarray | None = None
        self._row_lists: list[list[int]] | None = None
        self._lock = threading.Lock()

    def missing_digits(self, digits: list[int]) -> list[int]:
        """The digits among ``digits`` that the data set has no image of."""
        counts = self._label_count_list
        return [] if all(counts[d] for d in digits) else sorted({d for d in digits if not counts[d]})

    def rows(self, digits: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
        """The data set row of each digit: position ``floor(u * count)`` among its label's rows."""
        positions = (uniforms * self.label_counts[digits]).astype(np.int64)
        return self.sampling_table[digits, positions]

    def rows_one(self, digits: list[int], uniforms: list[float]) -> list[int]:
        """``rows`` for one image, in plain Python (the same double arithmetic)."""
        if self._row_lists is None:
            self._row_lists = [rows.tolist() for rows in self._by_label]
        lists, counts = self._row_lists, self._label_count_list
        return [lists[d][int(u * counts[d])] for d, u in zip(digits, uniforms)]

    def writers_of(self, rows) -> np.ndarray:
        """The writer of each row (int32), -1 for every row of a data set without writers."""
        if self.writers is None:
            return np.full(len(rows), -1, dtype=np.int32)
        return self.writers[rows]

    def writer_index(self) -> WriterIndex:
        """The rows per (writer, digit), for ``sampling.writer = same``; a clear error for a data
        set that does not say who wrote its digits."""
        if self._by_writer is None:
            if self.writers is None:
                raise InvalidInputError(
                    f"sampling.writer 'same' needs to know who wrote each digit, and the data set "
                    f"{self._dataset_name!r} does not say; {HOW_TO_SUPPLY}, or use writer 'any'",
                    field="writer",
                )
            with self._lock:
                if self._by_writer is None:
                    self._by_writer = WriterIndex(self._by_label, self.writers)
        return self._by_writer

    def extents(self, rows: np.ndarray | list[int]) -> np.ndarray:
        """(len(rows), 5) int64: has_ink, x0, x1, y0, y1 of each row's unaugmented ink."""
        if self._extents is None:
            with self._lock:
                if self._extents is None:
                    self._extents = self._all_extents()
        return self._extents[rows]

    def _all_extents(self) -> np.ndarray:
        # Once per data set (about 30 ms for MNIST's 60k digits): cheaper than a scan per block.
        table = np.empty((len(self.images), 5), dtype=np.int64)
        step = 8192  # a few MB of pixels at a time
        for start in range(0, len(self.images), step):
            found = ink_extents(np.ascontiguousarray(self.images[start : start + step]))
            table[start : start + step] = np.stack(found, axis=1)
        return table


_SOURCES: weakref.WeakKeyDictionary[DigitDataset, DigitSource] = weakref.WeakKeyDictionary()
_SOURCES_LOCK = threading.Lock()


def source_for(dataset: DigitDataset) -> DigitSource:
    """The DigitSource of ``dataset``, shared by every generator that uses it."""
    with _SOURCES_LOCK:
        source = _SOURCES.get(dataset)
        if source is None:
            source = _SOURCES[dataset] = DigitSource(dataset)
        return source
