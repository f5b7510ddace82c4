"""Turning what a person passes as "the digits" into an array of ints 0-9."""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import InputTypeError, InvalidInputError

MAX_DIGITS = 1000


def parse_digits(digits: Any) -> np.ndarray:
    """Accept "0123", [0, 1, 2, 3], (0, 1, 2, 3) or a numpy array of ints; return int64 digits."""
    return np.asarray(digit_values(digits), dtype=np.int64)


def digit_values(digits: Any) -> list[int]:
    """``parse_digits`` as a list of ints (what one image needs: no numpy call)."""
    if (
        type(digits) in (list, tuple)
        and 0 < len(digits) <= MAX_DIGITS
        and all(type(v) is int and 0 <= v <= 9 for v in digits)
    ):
        return list(digits)  # the common case, checked in one pass
    if digits is None:
        raise InputTypeError(
            "digits is None; pass a sequence such as [0, 1, 2, 3] or the string '0123'", field="digits"
        )
    if isinstance(digits, str):
        text = digits.strip()
        bad = [c for c in text if c not in "0123456789"]
        if bad:
            raise InvalidInputError(
                f"digits {digits!r} contain {bad[0]!r}; use only the characters 0-9", field="digits"
            )
        values = [int(c) for c in text]
    elif isinstance(digits, np.ndarray):
        if digits.ndim != 1:
            raise InvalidInputError(f"digits must be a 1-D array, got shape {digits.shape}", field="digits")
        if digits.dtype.kind not in "iu":
            raise InputTypeError(f"digits must be integers, got an array of {digits.dtype}", field="digits")
        values = digits.tolist()
    elif isinstance(digits, (list, tuple)):
        values = list(digits)
        for value in values:
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
                raise InputTypeError(
                    f"each digit must be an integer 0-9, got {value!r} ({type(value).__name__})",
                    field="digits",
                )
    elif isinstance(digits, (int, np.integer)) and not isinstance(digits, bool):
        raise InputTypeError(
            f"digits must be a sequence, not the number {digits}; pass '{digits}' "
            "(a string keeps leading zeros) or a list of digits",
            field="digits",
        )
    else:
        raise InputTypeError(
            f"digits must be a string, list, tuple or numpy array, got {type(digits).__name__}",
            field="digits",
        )
    if not values:
        raise InvalidInputError("digits is empty; give at least one digit", field="digits")
    if len(values) > MAX_DIGITS:
        raise InvalidInputError(f"{len(values)} digits is too many; use at most {MAX_DIGITS}", field="digits")
    out_of_range = [int(v) for v in values if not 0 <= int(v) <= 9]
    if out_of_range:
        raise InvalidInputError(f"{out_of_range[0]} is not a digit; each digit must be 0-9", field="digits")
    return [int(v) for v in values]


def parse_many(sequences: list) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Many sequences at once: (every digit, image after image, as int64; digits per sequence;
    labels). Texts of digits only, the common case, are checked and converted all together."""
    if all(type(s) is str for s in sequences):
        labels = [s.strip() for s in sequences]
        counts = np.fromiter(map(len, labels), dtype=np.int64, count=len(labels))
        joined = "".join(labels)
        if joined.isascii() and np.min(counts) > 0 and np.max(counts) <= MAX_DIGITS:
            codes = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
            if ((codes >= 48) & (codes <= 57)).all():
                return (codes - 48).astype(np.int64), counts, labels
    values = [digit_values(s) for s in sequences]  # the slow path, with the first error in order
    counts = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    return (
        np.fromiter((d for v in values for d in v), dtype=np.int64, count=int(counts.sum())),
        counts,
        ["".join(map(str, v)) for v in values],
    )


def label_of(digits: np.ndarray) -> str:
    """The label string; leading zeros stay ("0213")."""
    return "".join(map(str, digits.tolist()))
