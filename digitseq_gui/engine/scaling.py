"""Fitting strips to the image: ``image.height`` and ``image.fit``.

A strip is laid out at the digits' own scale (28 px high for MNIST, gaps in those pixels) and
then resampled to the image of (height, width):

- ``stretch`` (the default, the seed's behaviour): the strip is resampled to exactly
  (height, width), whatever its proportions;
- ``keep-aspect``: the strip is scaled uniformly so that it is ``height`` high, centred and
  padded with background to the width; a strip too wide for that is scaled down uniformly to the
  width instead (and centred vertically).

Sizes are computed in integers, so the batch route and the one-image route agree exactly.
Resampling is two one-dimensional OpenCV passes, columns then rows (area averaging to shrink,
linear to grow: non-negative weights, nothing overshoots). Each pass resamples rows on their own,
so strips of one width are stacked and resampled in one call (the rows pass on the transposed
stack), with the bytes of one call per strip.
"""

from __future__ import annotations

import numpy as np

from .imgaug_compat import cv2 as _cv2

FITS = ("stretch", "keep-aspect")
MIN_HEIGHT, MAX_HEIGHT, DEFAULT_HEIGHT = 16, 128, 28


def layout_width(width: int, height: int, cell_height: int, fit: str) -> int:
    """The strip width, in digit pixels, that fills ``width`` output pixels: the width itself
    when stretching, the width at the digits' scale (rounded) when keeping the aspect."""
    if fit == "stretch":
        return width
    return max(1, (2 * width * cell_height + height) // (2 * height))


def targets(strip_width: np.ndarray, cell_height: int, height: int, width: int, fit: str):
    """Per strip: (resampled height, resampled width, top, left) in the output image."""
    strip_width = np.asarray(strip_width, dtype=np.int64)
    if fit == "stretch":
        full = np.ones_like(strip_width)
        return full * height, full * width, full * 0, full * 0
    fits = strip_width * height <= width * cell_height
    w = np.where(fits, (2 * strip_width * height + cell_height) // (2 * cell_height), width)
    h = np.where(fits, height, (2 * cell_height * width + strip_width) // (2 * strip_width))
    w, h = np.clip(w, 1, width), np.clip(h, 1, height)
    return h, w, (height - h) // 2, (width - w) // 2


def target_one(
    strip_width: int, cell_height: int, height: int, width: int, fit: str
) -> tuple[int, int, int, int]:
    """``targets`` for one strip, in plain Python (the same integer arithmetic)."""
    if fit == "stretch":
        return height, width, 0, 0
    if strip_width * height <= width * cell_height:
        w, h = (2 * strip_width * height + cell_height) // (2 * cell_height), height
    else:
        w, h = width, (2 * cell_height * width + strip_width) // (2 * strip_width)
    w, h = min(max(w, 1), width), min(max(h, 1), height)
    return h, w, (height - h) // 2, (width - w) // 2


def interpolation(cv, size: int, target: int) -> int:
    return cv.INTER_AREA if size > target else cv.INTER_LINEAR


def resample_rows(rows: np.ndarray, target: int, out: np.ndarray | None = None) -> np.ndarray:
    """(R, size) uint8 rows resampled to (R, target), each row on its own."""
    if rows.shape[1] == target:
        if out is None:
            return rows
        out[...] = rows
        return out
    cv = _cv2()
    done = cv.resize(
        rows, (target, rows.shape[0]), dst=out, interpolation=interpolation(cv, rows.shape[1], target)
    )
    if out is not None and done is not out:  # OpenCV wrote a new array instead
        out[...] = done
        return out
    return done


def resample_stack(strips: np.ndarray, h: int, w: int) -> np.ndarray:
    """(n, H0, W0) uint8 strips resampled to (n, h, w): columns, then rows (on the transpose)."""
    n, h0, w0 = strips.shape
    wide = resample_rows(np.ascontiguousarray(strips).reshape(n * h0, w0), w).reshape(n, h0, w)
    if h == h0:
        return wide
    columns = np.ascontiguousarray(wide.transpose(0, 2, 1)).reshape(n * w, h0)
    return resample_rows(columns, h).reshape(n, w, h).transpose(0, 2, 1)


def fit_one(
    strip: np.ndarray, height: int, width: int, fit: str
) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """One (H0, columns) ink strip as its (height, width) ink image, and its target."""
    target = target_one(strip.shape[1], strip.shape[0], height, width, fit)
    h, w, top, left = target
    if (h, w) == (height, width) and h == strip.shape[0]:
        return resample_rows(strip, w), target  # today's route: one pass (or none)
    resampled = resample_stack(strip[None], h, w)[0]
    if (h, w) == (height, width):
        return np.ascontiguousarray(resampled), target
    image = np.zeros((height, width), dtype=np.uint8)
    image[top : top + h, left : left + w] = resampled
    return image, target
