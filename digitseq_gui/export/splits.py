"""Leakage-free train/val/test splits: which rows of which MNIST file each part draws digits from.

Rule (recorded in the manifest, per part): ``test`` draws from the test file, ``train`` and
``val`` from the training file, split by writer (issue 17): the training file's writer ids,
sorted, and every WRITER_HOLDOUT_EVERY-th of them from the first (positions 5, 11, 17, ...)
is held out for ``val``; ``train`` draws from every other writer's rows. For the embedded
MNIST that holds out 89 of 539 writers, 9,956 of the 60,000 digits (16.6%), and no writer
wrote digits of two parts (MNIST's test writers are not in its training file). A data set
that does not say who wrote its digits falls back to the row rule below.

Exports made before issue 17 used the row rule, and still resume and merge under it (their
manifest has no ``writers`` key): the hold-out is the last 10,000 rows of a 60,000-row training
file (the usual MNIST validation cut), otherwise the last ceil(n/6) rows; no digit image is used
by two parts, but 251 of the hold-out's 305 writers also wrote in the other rows. Without splits
the single part draws from the whole file the config names (``dataset.source``/``dataset.split``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..engine.errors import InvalidInputError

SPLIT_NAMES = ("train", "val", "test")
MNIST_HOLDOUT = 10_000
WRITER_HOLDOUT_EVERY = 6
WRITER_RULE = (
    f"train file writers sorted by id, every {WRITER_HOLDOUT_EVERY}th from the "
    f"{WRITER_HOLDOUT_EVERY}th held out for val"
)
ROW_RULE = (
    "train: train file minus the hold-out (last 10000 rows of a 60000-row file, else last ceil(n/6)); "
    "val: the hold-out; test: the test file"
)
SPLIT_RULE = (
    f"train: the train file's rows of writers not held out ({WRITER_RULE}); val: the held-out writers' "
    "rows; test: the test file (a data set without writer ids: the row rule, " + ROW_RULE + ")"
)


def held_out_writers(writers: np.ndarray) -> np.ndarray:
    """The training file's writer ids held out for val (sorted)."""
    ids = np.unique(writers)
    return ids[WRITER_HOLDOUT_EVERY - 1 :: WRITER_HOLDOUT_EVERY]


@dataclass(frozen=True)
class DigitRows:
    """The rows a part draws from: rows [start, stop) of one data file (``file_split`` of
    ``source``), and with ``writers`` only those of the writers kept for train ("kept") or
    held out for val ("held out")."""

    source: str
    file_split: str
    start: int
    stop: int
    writers: str = ""

    @property
    def key(self) -> tuple:
        """What a RenderSpec carries (by value) to select the rows again in a worker."""
        return (self.source, self.file_split, self.start, self.stop, self.writers)

    def select(self, writer_ids: np.ndarray | None, count: int) -> np.ndarray | None:
        """The selected rows of a file of ``count`` rows (None: all of them)."""
        if self.writers:
            assert writer_ids is not None  # digit_rows chooses a writer rule only with writers
            held = np.isin(writer_ids, held_out_writers(writer_ids))
            return np.flatnonzero(held if self.writers == "held out" else ~held)
        if (self.start, self.stop) == (0, count):
            return None
        return np.arange(self.start, self.stop)

    def describe(self, fingerprint: str, rule: str, writer_ids: np.ndarray | None = None) -> dict:
        described = {
            "source": self.source,
            "file_split": self.file_split,
            "rows": [self.start, self.stop],
            "count": self.stop - self.start,
            "file_fingerprint": fingerprint,
            "rule": rule,
        }
        if self.writers:
            assert writer_ids is not None
            selected = self.select(writer_ids, len(writer_ids))
            assert selected is not None
            described["count"] = len(selected)
            described["writers"] = len(np.unique(writer_ids[selected]))
        return described


def parse_splits(text: str | dict | None) -> dict[str, float]:
    """'train=0.8,val=0.1,test=0.1' (or the same as a dict) -> {'train': 0.8, ...} in the
    canonical order train, val, test; None, '' or {} -> {} (no splits)."""
    if not text:
        return {}
    if isinstance(text, dict):
        text = ",".join(f"{name}={value}" for name, value in text.items())
    fractions: dict[str, float] = {}
    for item in str(text).split(","):
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or name not in SPLIT_NAMES:
            raise InvalidInputError(
                f"split {item.strip()!r} must be NAME=FRACTION with NAME one of {', '.join(SPLIT_NAMES)}",
                field="split",
            )
        if name in fractions:
            raise InvalidInputError(f"split {name} is given twice", field="split")
        try:
            fraction = float(value)
        except ValueError:
            raise InvalidInputError(
                f"split {name}={value!r}: the fraction must be a number such as 0.8", field="split"
            ) from None
        if not 0 < fraction <= 1:
            raise InvalidInputError(
                f"split {name}={value}: the fraction must be above 0 and at most 1", field="split"
            )
        fractions[name] = fraction
    total = sum(fractions.values())
    if abs(total - 1) > 1e-6:
        raise InvalidInputError(f"split fractions add up to {total:g}; they must add up to 1", field="split")
    return {name: fractions[name] for name in SPLIT_NAMES if name in fractions}


def split_counts(fractions: dict[str, float], count: int) -> dict[str, int]:
    """Images per part, by largest remainder so the counts add up to ``count``."""
    if not fractions:
        return {"": count}
    exact = {name: fraction * count for name, fraction in fractions.items()}
    counts = {name: int(math.floor(v)) for name, v in exact.items()}
    rest = count - sum(counts.values())
    for name in sorted(exact, key=lambda n: (counts[n] - exact[n], SPLIT_NAMES.index(n)))[:rest]:
        counts[name] += 1
    empty = [n for n, c in counts.items() if c == 0]
    if empty:
        raise InvalidInputError(
            f"split {empty[0]} gets no images out of {count}; ask for more images or a larger fraction",
            field="split",
        )
    return counts


def holdout_size(train_rows: int) -> int:
    return MNIST_HOLDOUT if train_rows == 60_000 else math.ceil(train_rows / 6)


def digit_rows(
    part: str,
    source: str,
    config_split: str,
    file_sizes: dict[str, int],
    by_writer: bool = False,
) -> tuple[DigitRows, str]:
    """Which rows part ``part`` ('' = no splits) draws from, and the rule in words. ``by_writer``:
    the training file's writers are known and the writer rule applies (see the module's docstring)."""
    if part == "":
        n = file_sizes[config_split]
        return DigitRows(source, config_split, 0, n), f"all rows of the {config_split} file (no splits)"
    if part == "test":
        n = file_sizes["test"]
        return DigitRows(source, "test", 0, n), "all rows of the test file"
    n = file_sizes["train"]
    if by_writer:
        if part == "train":
            return DigitRows(
                source, "train", 0, n, "kept"
            ), f"train file rows of the writers kept for train ({WRITER_RULE})"
        return DigitRows(
            source, "train", 0, n, "held out"
        ), f"train file rows of the writers held out from train ({WRITER_RULE})"
    cut = n - holdout_size(n)
    if part == "train":
        return DigitRows(
            source, "train", 0, cut
        ), f"train file rows 0-{cut - 1}: all but the last {n - cut}, held out for val"
    return DigitRows(
        source, "train", cut, n
    ), f"train file rows {cut}-{n - 1}: the last {n - cut}, held out from train"


def check_files_differ(fingerprints: dict[str, str]) -> None:
    """Refuse splits whose train and test parts would read the same file (a folder with a
    single IDX pair serves both), since the test part would then reuse training digits."""
    if "train" in fingerprints and "test" in fingerprints and fingerprints["train"] == fingerprints["test"]:
        raise InvalidInputError(
            "the data set has a single file of digits, so a test part would reuse the training digits; "
            "give a folder with separate train-* and t10k-* (or test-*) files, or leave out test",
            field="split",
        )
