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
    if width % 4 == 0 and ink.flags.c_contiguous:
        # Four columns per uint32 word: a quarter of the comparisons of a byte-wise scan.
        words = ink.view(np.uint32)
        rows = words.any(axis=2)
        columns = np.bitwise_or.reduce(words, axis=1).view(np.uint8) != 0
    else:
        rows = ink.any(axis=2)
        columns = ink.any(axis=1)
    return InkExtents(
        has_ink=rows.any(axis=1),
        x0=columns.argmax(axis=1), x1=width - columns[:, ::-1].argmax(axis=1),
        y0=rows.argmax(axis=1), y1=height - rows[:, ::-1].argmax(axis=1),
    )


class DigitSource:
    """A data set prepared for sampling: label counts, the row table, per-row ink extents."""

    def __init__(self, dataset: DigitDataset):
        self.dataset = dataset
        self.images = dataset.images
        self.cell_height, self.cell_width = dataset.images.shape[1:3]
        self.label_counts = dataset.label_counts
        self.sampling_table = dataset.sampling_table
        self.source_indices = dataset.source_indices
        self._label_count_list = self.label_counts.tolist()
        self._extents: np.ndarray | None = None
        self._lock = threading.Lock()

    def missing_digits(self, digits: list[int]) -> list[int]:
        """The digits among ``digits`` that the data set has no image of."""
        return sorted({d for d in digits if not self._label_count_list[d]})

    def rows(self, digits: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
        """The data set row of each digit: position ``floor(u * count)`` among its label's rows."""
        positions = (uniforms * self.label_counts[digits]).astype(np.int64)
        return self.sampling_table[digits, positions]

    def extents(self, rows: np.ndarray) -> np.ndarray:
        """(len(rows), 5) int64: has_ink, x0, x1, y0, y1 of each row's unaugmented ink."""
        if self._extents is None:
            with self._lock:
                if self._extents is None:
                    self._extents = self._all_extents()
        return self._extents[rows]

    def _all_extents(self) -> np.ndarray:
        table = np.empty((len(self.images), 5), dtype=np.int64)
        step = 8192  # a few MB of pixels at a time
        for start in range(0, len(self.images), step):
            found = ink_extents(np.ascontiguousarray(self.images[start: start + step]))
            table[start: start + step] = np.stack(found, axis=1)
        return table


_SOURCES: "weakref.WeakKeyDictionary[DigitDataset, DigitSource]" = weakref.WeakKeyDictionary()
_SOURCES_LOCK = threading.Lock()


def source_for(dataset: DigitDataset) -> DigitSource:
    """The DigitSource of ``dataset``, shared by every generator that uses it."""
    with _SOURCES_LOCK:
        source = _SOURCES.get(dataset)
        if source is None:
            source = _SOURCES[dataset] = DigitSource(dataset)
        return source
