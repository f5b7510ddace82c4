"""Spacing: how many gaps a sequence has and how wide each one is.

``between``: gaps between digits only (n - 1 of them). ``edge``: also one before the first and
one after the last digit (n + 1). ``variable``: each gap drawn independently and uniformly from
the inclusive range [min, max]; the strip is then resampled to the image width, as the seed did.
``fixed``: all gaps equal, solved so that the strip fills the width exactly without resampling;
when the free space does not divide evenly the remainder is spread, one pixel each, over evenly
spaced gaps, so gaps differ by at most one pixel.
"""
from __future__ import annotations

import numpy as np

from .errors import InputTypeError, InvalidInputError, LayoutError

SPACING_TYPES = ("variable", "fixed")
SPACING_SUBTYPES = ("between", "edge")
MAX_IMAGE_WIDTH = 100_000


def is_int(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def check_spacing_type(spacing_type: object, subtype: object) -> None:
    if spacing_type not in SPACING_TYPES:
        raise InvalidInputError(f"unknown spacing type {spacing_type!r}; use 'variable' or 'fixed'", field="spacing")
    if subtype not in SPACING_SUBTYPES:
        raise InvalidInputError(f"unknown spacing subtype {subtype!r}; use 'between' or 'edge'", field="spacing")


def check_spacing_range(spacing_range: object) -> tuple[int, int]:
    """(min, max) as ints, or a clear error."""
    if isinstance(spacing_range, (str, bytes)) or not hasattr(spacing_range, "__len__"):
        raise InputTypeError(f"spacing_range must be a (min, max) pair of integers, got {spacing_range!r}", field="spacing_range")
    if len(spacing_range) != 2:
        raise InvalidInputError(f"spacing_range must have two values (min, max), got {len(spacing_range)}", field="spacing_range")
    low, high = spacing_range
    if not (is_int(low) and is_int(high)):
        raise InputTypeError(f"spacing_range must hold whole numbers of pixels, got ({low!r}, {high!r})", field="spacing_range")
    low, high = int(low), int(high)
    if low < 0 or high < 0:
        raise InvalidInputError(f"spacing cannot be negative, got ({low}, {high}); use 0 or more pixels", field="spacing_range")
    if low > high:
        raise InvalidInputError(f"minimum spacing {low} is larger than maximum spacing {high}; swap them", field="spacing_range")
    if high > MAX_IMAGE_WIDTH:
        raise InvalidInputError(f"maximum spacing {high} is too large; use at most {MAX_IMAGE_WIDTH} pixels", field="spacing_range")
    return low, high


def check_image_width(image_width: object, digit_count: int) -> int:
    if not is_int(image_width):
        raise InputTypeError(f"image_width must be a whole number of pixels, got {image_width!r}", field="image_width")
    width = int(image_width)
    if width < 1 or width > MAX_IMAGE_WIDTH:
        raise InvalidInputError(f"image_width must be between 1 and {MAX_IMAGE_WIDTH} pixels, got {width}", field="image_width")
    if width < digit_count:
        raise InvalidInputError(
            f"image_width {width} is too small for {digit_count} digits; use at least {digit_count} pixels", field="image_width",
        )
    return width


def gap_count(digit_count: int, subtype: str) -> int:
    return digit_count - 1 if subtype == "between" else digit_count + 1


def fixed_width_range(digits_width: int, gaps: int, low: int, high: int) -> tuple[int, int]:
    """The image widths that fixed spacing can fill exactly."""
    return digits_width + gaps * low, digits_width + gaps * high


def check_fixed_width(width: int, digit_count: int, digit_width: int, subtype: str,
                      low: int, high: int, trimmed: bool) -> None:
    """Reject up front a fixed layout that could fail for some digits.

    Untrimmed digits are all ``digit_width`` wide, so the width must be one that the gaps can
    fill. Trimmed digits are narrower by a varying amount; the width must then hold the widest
    possible digits with minimum gaps, and any space the maximum gaps cannot take is shared
    equally before and after the strip.
    """
    gaps = gap_count(digit_count, subtype)
    shortest, longest = fixed_width_range(digit_count * digit_width, gaps, low, high)
    if trimmed:
        if width < shortest:
            raise LayoutError(
                f"fixed spacing needs at least {shortest} px for {digit_count} digits with "
                f"{gaps} gap(s) of {low} px or more; use image_width >= {shortest} or a smaller minimum spacing", field="image_width",
            )
        return
    if not shortest <= width <= longest:
        works = f"{shortest}" if shortest == longest else f"{shortest} to {longest}"
        raise LayoutError(
            f"fixed spacing cannot fill {width} px with {digit_count} digits ({digit_count * digit_width} px) "
            f"and {gaps} gap(s) of {low}-{high} px; widths that work: {works} "
            f"(or change the spacing range, or use variable spacing)", field="image_width",
        )


def spread_evenly(total: int, parts: int) -> np.ndarray:
    """``parts`` integers summing to ``total`` that differ by at most one, the larger ones spread out."""
    if parts == 0:
        return np.zeros(0, dtype=np.int64)
    edges = (np.arange(parts + 1, dtype=np.int64) * total) // parts
    return np.diff(edges)


def fixed_gaps(free: int, gaps: int, low: int, high: int) -> tuple[np.ndarray, int]:
    """Equal gaps filling ``free`` pixels, clamped to [low, high], and the slack left over.

    Slack is non-zero only for trimmed digits whose free space exceeds ``gaps * high``.
    """
    if gaps == 0:
        return np.zeros(0, dtype=np.int64), free
    if free > gaps * high:
        return np.full(gaps, high, dtype=np.int64), free - gaps * high
    return spread_evenly(free, gaps), 0


def variable_gaps(rng: np.random.Generator, count: int, low: int, high: int) -> np.ndarray:
    """``count`` gaps drawn independently and uniformly from [low, high] inclusive."""
    return rng.integers(low, high + 1, size=count, dtype=np.int64)
