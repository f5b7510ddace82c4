"""Leakage-free train/val/test splits: which rows of which MNIST file each part draws digits from.

Rule (recorded in the manifest): ``train`` draws from the training file minus a fixed hold-out,
``val`` from that hold-out, ``test`` from the test file. The hold-out is the last 10,000 rows of a
60,000-row training file (the usual MNIST validation cut), otherwise the last ceil(n/6) rows. So
no handwritten digit image is used by two parts. Without splits the single part draws from the
whole file the config names (``dataset.source``/``dataset.split``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..engine.errors import InvalidInputError

SPLIT_NAMES = ("train", "val", "test")
MNIST_HOLDOUT = 10_000


@dataclass(frozen=True)
class DigitRows:
    """The rows [start, stop) of one data file (``file_split`` of ``source``) a part draws from."""

    source: str
    file_split: str
    start: int
    stop: int

    def describe(self, fingerprint: str, rule: str) -> dict:
        return {
            "source": self.source,
            "file_split": self.file_split,
            "rows": [self.start, self.stop],
            "count": self.stop - self.start,
            "file_fingerprint": fingerprint,
            "rule": rule,
        }


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
    part: str, source: str, config_split: str, file_sizes: dict[str, int]
) -> tuple[DigitRows, str]:
    """Which rows part ``part`` ('' = no splits) draws from, and the rule in words."""
    if part == "":
        n = file_sizes[config_split]
        return DigitRows(source, config_split, 0, n), f"all rows of the {config_split} file (no splits)"
    if part == "test":
        n = file_sizes["test"]
        return DigitRows(source, "test", 0, n), "all rows of the test file"
    n = file_sizes["train"]
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
