"""Stroke width: make each digit's strokes thicker or thinner by a fractional number of pixels.

Grey-level morphology with a soft disc: a pixel at distance d from the centre of the disc counts
with weight clip(r + 1 - d, 0, 1), so the radius r grows continuously (r = 0 is the identity,
r = 0.5 lends every neighbour half its ink) instead of in the whole-pixel steps of a square
kernel, which at 28 x 28 jump from nothing to erasing a thin stroke. A width change of c pixels
is a radius of |c| / 2 (half on each side of the stroke).

Thinning is guarded: a digit keeps at least ``KEEP_INK`` of its ink. Where the drawn thinning
would take more (thin strokes fade fast), it is halved, then halved again, then left out, so
no digit comes out faint or empty. Everything depends only on the digit and its drawn change.
"""

from __future__ import annotations

import numpy as np

KEEP_INK = 0.6  # thinning never takes more than 40% of a digit's ink
_THINNING_TRIES = (1.0, 0.5, 0.25)  # fractions of the drawn thinning, largest first


def soft_dilate(ink: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """(N, H, W) float32 ink spread over a soft disc of ``radius[i]`` pixels per image."""
    reach = int(np.ceil(radius.max(initial=0.0)))
    out = ink.copy()
    if reach == 0:
        return out
    height, width = ink.shape[1:]
    padded = np.pad(ink, ((0, 0), (reach, reach), (reach, reach)))  # outside the cell: no ink
    for dy in range(-reach, reach + 1):
        for dx in range(-reach, reach + 1):
            weight = np.clip(radius + 1.0 - np.hypot(dy, dx), 0.0, 1.0).astype(np.float32)
            if (dy == 0 and dx == 0) or not weight.any():
                continue
            shifted = padded[:, reach + dy : reach + dy + height, reach + dx : reach + dx + width]
            np.maximum(out, shifted * weight[:, None, None], out=out)
    return out


def soft_erode(ink: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """The dual of ``soft_dilate``: the background spreads into the strokes (not from outside
    the cell: a stroke cut by the cell's edge keeps its end)."""
    return 255.0 - soft_dilate(255.0 - ink, radius)


def change_stroke_width(images: np.ndarray, change: np.ndarray) -> np.ndarray:
    """(N, H, W) uint8 ink images with strokes ``change[i]`` pixels wider (negative: thinner)."""
    ink = images.astype(np.float32)
    out = ink.copy()
    radius = np.abs(change).astype(np.float32) / 2
    grow = np.flatnonzero(change > 0)
    if len(grow):
        out[grow] = soft_dilate(ink[grow], radius[grow])
    thin = np.flatnonzero(change < 0)
    floor = KEEP_INK * ink.sum(axis=(1, 2))
    for fraction in _THINNING_TRIES:
        if len(thin) == 0:
            break
        thinned = soft_erode(ink[thin], radius[thin] * fraction)
        kept = thinned.sum(axis=(1, 2)) >= floor[thin]
        out[thin[kept]] = thinned[kept]
        thin = thin[~kept]  # what is left keeps its strokes as they are
    return np.rint(np.clip(out, 0, 255)).astype(np.uint8)
