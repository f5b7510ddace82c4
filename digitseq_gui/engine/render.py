"""Composing a block of images: digit cells placed on strips, strips resampled to the width.

Everything is vectorised over the block (no Python loop per digit). Variable spacing makes
strips of different widths, each resampled to the image width with OpenCV (area averaging to
shrink, linear to grow: non-negative weights, so nothing overshoots). Boxes are mapped through
the same resampling by its input footprints, so a box covers every column its ink can reach.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DIGIT_SIZE = 28


@dataclass
class Placement:
    """Where each digit (flattened over the block, in image order) goes on its image's strip."""

    image_of_digit: np.ndarray  # (K,) which image each digit belongs to
    x: np.ndarray  # (K,) strip column of the digit's first used cell column
    strip_width: np.ndarray  # (B,) width of each image's strip


def place(counts: np.ndarray, widths: np.ndarray, gap_before: np.ndarray, trail: np.ndarray) -> Placement:
    """Lay digits left to right: each preceded by ``gap_before`` (which, for an image's first
    digit, is its left margin), each image closed by ``trail`` columns."""
    image_of_digit = np.repeat(np.arange(len(counts)), counts)
    step = gap_before + widths
    end = np.cumsum(step)
    first = np.cumsum(counts) - counts
    image_base = end[first] - step[first]
    x = end - widths - image_base[image_of_digit]
    last = first + counts - 1
    strip_width = end[last] - image_base + trail
    return Placement(image_of_digit, x, strip_width)


def paint(ink: np.ndarray, cell_start: np.ndarray, widths: np.ndarray, placement: Placement) -> np.ndarray:
    """(B, 28, max strip width) uint8 ink strips with every digit's used columns copied in."""
    strips = np.zeros((len(placement.strip_width), DIGIT_SIZE, int(placement.strip_width.max())), dtype=np.uint8)
    digit_of_column = np.repeat(np.arange(len(widths)), widths)
    offset = np.arange(len(digit_of_column)) - (np.cumsum(widths) - widths)[digit_of_column]
    # Advanced indices around a slice: both sides are (columns, 28).
    strips[placement.image_of_digit[digit_of_column], :, placement.x[digit_of_column] + offset] = \
        ink[digit_of_column, :, cell_start[digit_of_column] + offset]
    return strips


def paint_one(ink: np.ndarray, cell_start: list[int], widths: list[int], placement: Placement) -> np.ndarray:
    """``paint`` for a block of one image: a slice copy per digit."""
    strip = np.zeros((1, DIGIT_SIZE, int(placement.strip_width[0])), dtype=np.uint8)
    for j, (x, start, w) in enumerate(zip(placement.x.tolist(), cell_start, widths)):
        strip[0, :, x: x + w] = ink[j, :, start: start + w]
    return strip


def resample(strips: np.ndarray, strip_width: np.ndarray, width: int) -> np.ndarray:
    """Each strip's first ``strip_width[b]`` columns resampled to ``width``: (B, 28, width) uint8."""
    from .imgaug_compat import cv2

    cv = cv2()
    out = np.empty((len(strips), DIGIT_SIZE, width), dtype=np.uint8)
    for b, columns in enumerate(strip_width.tolist()):
        if columns == width:
            out[b] = strips[b, :, :width]
        else:
            mode = cv.INTER_AREA if columns > width else cv.INTER_LINEAR
            out[b] = cv.resize(strips[b, :, :columns], (width, DIGIT_SIZE), interpolation=mode)
    return out


def map_columns(x0: np.ndarray, x1: np.ndarray, strip_width: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The output columns that strip columns [x0, x1) reach once a strip of ``strip_width``
    columns is resampled to ``width`` (arrays per box; the answer errs by at most a pixel on the
    generous side, never the other).

    Growing (s = strip/width <= 1), OpenCV's linear output column j reads strip columns
    floor(u) and floor(u) + 1 with u = (j + 0.5) s - 0.5. Shrinking, area averaging reads every
    column that the footprint [j s, (j + 1) s) overlaps. Solving both for j gives the bounds.
    """
    s = strip_width / width
    grow = s <= 1.0
    margin = 1e-4  # OpenCV computes u in float32; stay on the generous side of its rounding
    first = np.where(grow, np.ceil((x0 - 0.5) / s - 0.5 - margin), np.floor(x0 / s - margin))
    last = np.where(grow, np.ceil((x1 + 0.5) / s - 0.5 + margin), np.ceil(x1 / s + margin))
    same = strip_width == width  # not resampled: the columns stay where they are
    first = np.where(same, x0, np.clip(first, 0, width - 1))
    last = np.where(same, x1, np.clip(last, 1, width))
    return first.astype(np.int64), last.astype(np.int64)
