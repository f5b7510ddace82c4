"""The rows of each (writer, digit): what ``sampling.writer = same`` draws from.

Built from the label index (label_index.py, cached on disk) and the data set's writer ids: a
stable sort of each digit's rows by writer, so every (writer, digit) lists its rows in
increasing order. It is derived in memory once per data set and process, not cached on disk
itself: for MNIST's 60,000 rows it takes about 55 ms (2 shared cores), about what reading and
checking a cached JSON copy of 60,000 row numbers against the labels would take.

Writers are numbered by position in ``writer_ids`` (sorted ids). A sequence's writer is drawn
uniformly among the writers who wrote every digit it needs; each digit is then drawn uniformly
among that writer's images of it.
"""

from __future__ import annotations

import threading

import numpy as np

from ..errors import InvalidInputError


class WriterIndex:
    def __init__(self, by_label: list[np.ndarray], writers: np.ndarray):
        self.writer_ids = np.unique(writers)
        k = len(self.writer_ids)
        rows = np.concatenate(by_label)
        digits = np.repeat(np.arange(10), [len(r) for r in by_label])
        keys = np.searchsorted(self.writer_ids, writers[rows]) * 10 + digits
        order = np.argsort(keys, kind="stable")  # rows stay increasing within a key
        self._rows = rows[order]
        self.counts = np.bincount(keys, minlength=10 * k).reshape(k, 10)
        self._starts = np.concatenate(([0], np.cumsum(self.counts.ravel())[:-1]))
        # Bit d of a writer's mask: the writer wrote digit d.
        self._masks = ((self.counts > 0) << np.arange(10)).sum(axis=1)
        self._candidates: dict[int, np.ndarray] = {}
        self._lock = threading.Lock()

    def candidates(self, mask: int) -> np.ndarray:
        """Writer positions (increasing) of the writers who wrote every digit in ``mask``."""
        found = self._candidates.get(mask)
        if found is None:
            found = np.flatnonzero((self._masks & mask) == mask)
            with self._lock:
                if len(self._candidates) > 1024:
                    self._candidates.clear()
                self._candidates[mask] = found
        return found

    def choose_writers(self, masks: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
        """A writer position per sequence: ``floor(u * n)`` among its ``n`` candidates."""
        chosen = np.empty(len(masks), dtype=np.int64)
        for mask in np.unique(masks).tolist():
            at = masks == mask
            candidates = self.candidates(mask)
            if not len(candidates):
                digits = [d for d in range(10) if mask >> d & 1]
                raise InvalidInputError(
                    f"no writer of the data set wrote every one of the digits {digits}, so sampling.writer "
                    "'same' cannot draw this sequence; use writer 'any' or a sequence with fewer distinct digits",
                    field="writer",
                )
            chosen[at] = candidates[(uniforms[at] * len(candidates)).astype(np.int64)]
        return chosen

    def rows(self, writers: np.ndarray, digits: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
        """The row of each digit: ``floor(u * count)`` among its writer's images of it."""
        keys = writers * 10 + digits
        positions = (uniforms * self.counts.ravel()[keys]).astype(np.int64)
        return self._rows[self._starts[keys] + positions]


def sequence_masks(digits: np.ndarray, counts: np.ndarray, drawn: np.ndarray | None = None) -> np.ndarray:
    """Per sequence (``counts`` characters each, in order), the bit mask of the digits it needs;
    characters marked in ``drawn`` (drawn symbols: no writer wrote them) need none."""
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    bits = np.left_shift(1, np.minimum(digits, 62))
    if drawn is not None:
        bits = np.where(drawn, 0, bits)
    return np.bitwise_or.reduceat(bits, starts)
