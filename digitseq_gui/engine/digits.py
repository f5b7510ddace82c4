"""Turning what a person passes as "the digits" into an array of ints 0-9."""
from __future__ import annotations

import numpy as np

from .errors import InputTypeError, InvalidInputError

MAX_DIGITS = 1000


def parse_digits(digits: object) -> np.ndarray:
    """Accept "0123", [0, 1, 2, 3], (0, 1, 2, 3) or a numpy array of ints; return int64 digits."""
    if digits is None:
        raise InputTypeError("digits is None; pass a sequence such as [0, 1, 2, 3] or the string '0123'", field="digits")
    if isinstance(digits, str):
        text = digits.strip()
        bad = [c for c in text if c not in "0123456789"]
        if bad:
            raise InvalidInputError(f"digits {digits!r} contain {bad[0]!r}; use only the characters 0-9", field="digits")
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
                raise InputTypeError(f"each digit must be an integer 0-9, got {value!r} ({type(value).__name__})", field="digits")
    elif isinstance(digits, (int, np.integer)) and not isinstance(digits, bool):
        raise InputTypeError(f"digits must be a sequence, not the number {digits}; pass '{digits}' "
                             "(a string keeps leading zeros) or a list of digits", field="digits")
    else:
        raise InputTypeError(f"digits must be a string, list, tuple or numpy array, got {type(digits).__name__}", field="digits")
    if not values:
        raise InvalidInputError("digits is empty; give at least one digit", field="digits")
    if len(values) > MAX_DIGITS:
        raise InvalidInputError(f"{len(values)} digits is too many; use at most {MAX_DIGITS}", field="digits")
    out_of_range = [int(v) for v in values if not 0 <= int(v) <= 9]
    if out_of_range:
        raise InvalidInputError(f"{out_of_range[0]} is not a digit; each digit must be 0-9", field="digits")
    return np.asarray(values, dtype=np.int64)


def label_of(digits: np.ndarray) -> str:
    """The label string; leading zeros stay ("0213")."""
    return "".join(map(str, digits.tolist()))
