"""Spacing: how many gaps a sequence has and how wide each one is.

``between``: gaps between digits only (n - 1 of them). ``edge``: also one before the first and
one after the last digit (n + 1). ``variable``: each gap drawn independently and uniformly from
the inclusive range [min, max]; the strip is then resampled to the image width, as the seed did.
``fixed``: all gaps equal, solved so that the strip fills the width exactly without resampling;
when the free space does not divide evenly the remainder is spread, one pixel each, over evenly
spaced gaps, so gaps differ by at most one pixel.

Gaps may be negative down to -MAX_OVERLAP: neighbouring digits then overlap (render.py lets the
darker pixel win). A margin (``edge``) is never negative, so that no digit is cut by the border:
variable spacing uses max(drawn gap, 0) there, and fixed spacing with margins needs a minimum of
0 or more. A trimmed digit is kept at least ``1 - min`` columns wide (widened to the right of
its ink), so no digit starts before the one before it. Gaps are in the digits' own pixels (a digit is
28 high in MNIST); scaling.py then fits the strip to the image's height and width.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import InputTypeError, InvalidInputError, LayoutError
from .seeding import is_int

SPACING_TYPES = ("variable", "fixed")
SPACING_SUBTYPES = ("between", "edge")
MAX_IMAGE_WIDTH = 100_000
MAX_OVERLAP = 8  # pixels two neighbouring digits may share; beyond that they read as one


def check_spacing_type(spacing_type: object, subtype: object) -> None:
    if spacing_type not in SPACING_TYPES:
        raise InvalidInputError(
            f"unknown spacing type {spacing_type!r}; use 'variable' or 'fixed'", field="spacing"
        )
    if subtype not in SPACING_SUBTYPES:
        raise InvalidInputError(
            f"unknown spacing subtype {subtype!r}; use 'between' or 'edge'", field="spacing"
        )


def check_spacing_range(spacing_range: Any) -> tuple[int, int]:
    """(min, max) as ints, or a clear error."""
    if (
        isinstance(spacing_range, (str, bytes))
        or not hasattr(spacing_range, "__len__")
        or (isinstance(spacing_range, np.ndarray) and spacing_range.ndim != 1)
    ):
        raise InputTypeError(
            f"spacing_range must be a (min, max) pair of integers, got {spacing_range!r}",
            field="spacing_range",
        )
    if len(spacing_range) != 2:
        raise InvalidInputError(
            f"spacing_range must have two values (min, max), got {len(spacing_range)}", field="spacing_range"
        )
    low, high = spacing_range
    if not (is_int(low) and is_int(high)):
        raise InputTypeError(
            f"spacing_range must hold whole numbers of pixels, got ({low!r}, {high!r})", field="spacing_range"
        )
    low, high = int(low), int(high)
    if low < -MAX_OVERLAP or high < -MAX_OVERLAP:
        raise InvalidInputError(
            f"spacing below -{MAX_OVERLAP} px, got ({low}, {high}): digits overlapping by more than "
            f"{MAX_OVERLAP} px no longer read as two digits; use -{MAX_OVERLAP} or more",
            field="spacing_range",
        )
    if low > high:
        raise InvalidInputError(
            f"minimum spacing {low} is larger than maximum spacing {high}; swap them", field="spacing_range"
        )
    if high > MAX_IMAGE_WIDTH:
        raise InvalidInputError(
            f"maximum spacing {high} is too large; use at most {MAX_IMAGE_WIDTH} pixels",
            field="spacing_range",
        )
    return low, high


# Labels never lie: below this many output pixels a digit, what is drawn no longer shows its label.
# Measured with tests/engine/test_legibility.py's judge (1-NN on normalised MNIST) on digits
# squeezed to w columns and stretched back: 8 px keep 90% of digits readable (clean: 96%),
# 6 px 82%, 4 px 64%. Trimmed digits keep only their inked columns (about half of the 28), so
# half the width holds them at the same scale.
MIN_PIXELS_PER_DIGIT = 8


def check_image_width(image_width: object, digit_count: int, per_digit: int = MIN_PIXELS_PER_DIGIT) -> int:
    if not is_int(image_width):
        raise InputTypeError(
            f"image_width must be a whole number of pixels, got {image_width!r}", field="image_width"
        )
    width = int(image_width)
    if width < 1 or width > MAX_IMAGE_WIDTH:
        raise InvalidInputError(
            f"image_width must be between 1 and {MAX_IMAGE_WIDTH} pixels, got {width}", field="image_width"
        )
    if width < digit_count * per_digit:
        fits = max(1, width // per_digit)
        raise InvalidInputError(
            f"image_width {width} is too small for {digit_count} digits to stay legible; use at least "
            f"{digit_count * per_digit} pixels ({per_digit} a digit), or at most "
            f"{fits} digit{'' if fits == 1 else 's'} at this width",
            field="image_width",
        )
    return width


def min_cell_width(low: int) -> int:
    """The narrowest a trimmed digit's cell may be with gaps down to ``low``: 1 - low columns
    (1 for gaps of 0 or more), so an overlap never reaches past a whole digit."""
    return max(1, 1 - low)


def gap_count(digit_count: int, subtype: str) -> int:
    return digit_count - 1 if subtype == "between" else digit_count + 1


def fixed_width_range(digits_width: int, gaps: int, low: int, high: int) -> tuple[int, int]:
    """The image widths that fixed spacing can fill exactly."""
    return digits_width + gaps * low, digits_width + gaps * high


def check_fixed_width(
    width: int, digit_count: int, digit_width: int, subtype: str, low: int, high: int, trimmed: bool
) -> None:
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
                f"{gaps} gap(s) of {low} px or more; use image_width >= {shortest} or a smaller minimum spacing",
                field="image_width",
            )
        return
    if not shortest <= width <= longest:
        works = f"{shortest}" if shortest == longest else f"{shortest} to {longest}"
        raise LayoutError(
            f"fixed spacing cannot fill {width} px with {digit_count} digits ({digit_count * digit_width} px) "
            f"and {gaps} gap(s) of {low} to {high} px; widths that work: {works} "
            f"(or change the spacing range, or use variable spacing)",
            field="image_width",
        )


def check_layout(
    config, lengths: Iterable[int], spacing_range, image_width, digit_width: int
) -> tuple[int, int, int]:
    """Reject up front a layout that could fail for some sequence of these lengths; return
    (min gap, max gap, width). Every check the generator relies on is here, so a caller that
    knows all its lengths in advance (an export) can fail before writing anything. ``config`` is
    an engine Config (its spacing type and subtype, and whether padding is trimmed)."""
    lengths = sorted(set(lengths))
    low, high = check_spacing_range(spacing_range)
    per_digit = MIN_PIXELS_PER_DIGIT // 2 if config.image.trim_padding else MIN_PIXELS_PER_DIGIT
    width = check_image_width(image_width, lengths[-1], per_digit)
    spacing = config.spacing
    check_spacing_type(spacing.type, spacing.subtype)
    if spacing.type != "fixed":
        return low, high, width
    if spacing.subtype == "edge" and low < 0:
        raise LayoutError(
            f"fixed spacing with edge margins cannot use a negative minimum ({low} px): a margin "
            "cannot be negative; use subtype 'between' for touching digits, or a minimum of 0 or more",
            field="spacing_range",
        )
    if getattr(config.image, "fit", "stretch") == "keep-aspect":
        return low, high, width  # equal gaps clamped to the range: centred or scaled down, never refused
    trimmed = config.image.trim_padding
    if len(lengths) > 1 and not trimmed:
        ranges = [
            fixed_width_range(n * digit_width, gap_count(n, spacing.subtype), low, high) for n in lengths
        ]
        shortest, longest = max(r[0] for r in ranges), min(r[1] for r in ranges)
        if not shortest <= width <= longest:
            works = (
                f"widths that work for all of them: {shortest} to {longest}"
                if shortest <= longest
                else "no width works for all of them"
            )
            raise LayoutError(
                f"fixed spacing of {low} to {high} px cannot fill {width} px for every length {lengths[0]}-{lengths[-1]}; "
                f"{works} (or use variable spacing, trim padding, a wider spacing range, or one length)",
                field="image_width",
            )
    for n in lengths:
        check_fixed_width(width, n, digit_width, spacing.subtype, low, high, trimmed)
    return low, high, width


# -- placing digits on strips -----------------------------------------------------------------
#
# A strip is an image's digits side by side at their final gaps, before resampling to the image
# width (variable spacing; fixed spacing fills the width exactly). ``place_block`` places every
# digit of a block at once; ``blank_runs_one`` and ``positions`` are the same rule for one image in
# plain Python (numpy's per-call overhead dominates at that size). A test holds the two equal.


@dataclass
class Placement:
    """Where each digit (flattened over the block, in image order) goes on its image's strip."""

    image_of_digit: np.ndarray  # (K,) which image each digit belongs to
    x: np.ndarray  # (K,) strip column of the digit's first used cell column
    strip_width: np.ndarray  # (B,) width of each image's strip


def place_block(
    counts: np.ndarray,
    widths: np.ndarray,
    gaps: np.ndarray | None,
    width: int,
    subtype: str,
    low: int,
    high: int,
) -> Placement:
    """Lay out every image of a block: ``counts`` digits per image, ``widths`` per digit (the
    columns of its cell that are used), ``gaps`` the drawn gaps of variable spacing, image after
    image, or None for fixed spacing (solved here so that each strip fills ``width``)."""
    edge = subtype == "edge"
    n_images = len(counts)
    first = np.cumsum(counts) - counts
    image_of_digit = np.repeat(np.arange(n_images), counts)
    local = np.arange(len(widths)) - first[image_of_digit]
    gap_counts = counts + 1 if edge else counts - 1
    gap_first = np.cumsum(gap_counts) - gap_counts
    if gaps is None:
        gaps, slack = _fixed_gaps_block(first, widths, width, gap_counts, gap_first, low, high)
    else:
        slack = np.zeros(n_images, dtype=np.int64)
    # The space before each digit (for an image's first digit its left margin) and after its last.
    if edge:  # gaps g0 (left edge), g1..g(n-1) (between), gn (right edge); margins never negative
        gap_before = gaps[gap_first[image_of_digit] + local]
        trail = np.maximum(gaps[gap_first + counts], 0)
        gap_before[first] = np.maximum(gap_before[first], 0)
    else:
        gap_before = np.zeros(len(widths), dtype=np.int64)
        has_gap = local > 0
        gap_before[has_gap] = gaps[gap_first[image_of_digit[has_gap]] + local[has_gap] - 1]
        trail = np.zeros(n_images, dtype=np.int64)
    gap_before[first] += slack // 2
    trail = trail + (slack - slack // 2)

    step = gap_before + widths
    end = np.cumsum(step)
    image_base = end[first] - step[first]
    x = end - widths - image_base[image_of_digit]
    strip_width = end[first + counts - 1] - image_base + trail
    return Placement(image_of_digit, x, strip_width)


def _fixed_gaps_block(
    first, widths, width, gap_counts, gap_first, low, high
) -> tuple[np.ndarray, np.ndarray]:
    """Fixed spacing for every image of a block at once: equal gaps filling each image's free
    pixels (the remainder spread one pixel at a time), clamped to [low, high]; (gaps image after
    image, slack per image). ``blank_runs_one`` is the same rule for one image."""
    free = width - np.add.reduceat(widths, first)
    over = free > gap_counts * high
    under = free < gap_counts * low  # keep-aspect only (else refused up front): scaled down later
    gap_image = np.repeat(np.arange(len(first)), gap_counts)
    i = np.arange(int(gap_counts.sum())) - gap_first[gap_image]
    g, f = gap_counts[gap_image], free[gap_image]
    even = ((i + 1) * f) // g - (i * f) // g  # gaps differ by at most one, larger ones spread out
    gaps = np.where(over[gap_image], high, np.where(under[gap_image], low, even))
    slack = np.where(gap_counts == 0, np.maximum(free, 0), np.where(over, free - gap_counts * high, 0))
    return gaps, slack


def blank_runs_one(
    widths: list[int], gaps: list[int] | None, width: int, subtype: str, low: int, high: int
) -> list[int]:
    """``place_block`` for one image, as the blank columns before each digit and after the
    last (n + 1 runs; margins and slack included; a negative run is an overlap)."""
    n, edge = len(widths), subtype == "edge"
    if gaps is None:
        count, free = n + 1 if edge else n - 1, width - sum(widths)
        if count == 0:
            gaps, slack = [], max(free, 0)
        elif free > count * high:
            gaps, slack = [high] * count, free - count * high
        elif free < count * low:
            gaps, slack = [low] * count, 0
        else:
            gaps, slack = [((i + 1) * free) // count - (i * free) // count for i in range(count)], 0
    else:
        slack = 0
    if edge:  # gaps g0 (left edge), g1..g(n-1) (between), gn (right edge); margins never negative
        return [slack // 2 + max(gaps[0], 0), *gaps[1:-1], max(gaps[-1], 0) + slack - slack // 2]
    return [slack // 2, *gaps, slack - slack // 2]


def positions(widths: list[int], blank_runs: list[int]) -> tuple[list[int], int]:
    """(x of each digit, strip width) of digits of ``widths`` after ``blank_runs``."""
    x, at = [], 0
    for run, w in zip(blank_runs, widths):
        at += run
        x.append(at)
        at += w
    return x, at + blank_runs[-1]
