"""Ink: the colour and darkness the digits are written in (the finishing stage, finish.py).

The composed grey image is the ink's coverage: ``alpha = 1 - grey / 255``. Each image gets one
ink colour (a name, ``#RRGGBB``, or a random pick from a list) and a darkness that may vary a
little along the sequence, as a pen's pressure does: ``alpha * darkness(x)``. Compositing over the
paper (``composite``) lets the paper show through pale strokes instead of pasting a white box.
"""

from __future__ import annotations

import re

import numpy as np

from .errors import InvalidInputError

# Typical colours, sRGB. Black is pure black so that black ink on white paper is today's image.
NAMED_INKS = {
    "black": (0, 0, 0),
    "blue": (22, 42, 140),  # ballpoint blue
    "pencil": (88, 88, 94),  # graphite grey
}
MAX_PRESSURE = 0.5
_HEX = re.compile(r"#[0-9a-fA-F]{6}")
_PRESSURE_POINTS = 4  # control points of the pressure curve along the width


def parse_ink_colour(text: object, where: str = "ink.color") -> tuple[int, int, int]:
    if isinstance(text, str) and text in NAMED_INKS:
        return NAMED_INKS[text]
    if isinstance(text, str) and _HEX.fullmatch(text):
        return int(text[1:3], 16), int(text[3:5], 16), int(text[5:7], 16)
    raise InvalidInputError(
        f"{where} must be {', '.join(NAMED_INKS)} or a colour #RRGGBB, got {text!r}", field=where
    )


def draw_inks(
    colours: tuple[str, ...],
    darkness: float,
    pressure: float,
    stream: np.random.Generator,
    n: int,
    width: int,
) -> tuple[np.ndarray, np.ndarray | None]:
    """(n, 3) float32 ink colours and (n, 1, width) float32 darkness along each image (None: full).

    Draws (in this order): which colour of the list (only for a list of two or more), then the
    pressure curve's control points (only when pressure > 0)."""
    table = np.array([parse_ink_colour(c) for c in colours], dtype=np.float32)
    pick = stream.integers(0, len(table), size=n) if len(table) > 1 else np.zeros(n, dtype=np.int64)
    if darkness == 1 and pressure == 0:
        return table[pick], None
    profile = np.full((n, 1, width), np.float32(darkness), dtype=np.float32)
    if pressure > 0:
        # A smooth curve: control points uniform in [0, 1], linearly joined across the width.
        points = stream.random((n, _PRESSURE_POINTS)).astype(np.float32)
        position = np.linspace(0, _PRESSURE_POINTS - 1, width, dtype=np.float32)
        left = np.minimum(position.astype(np.int64), _PRESSURE_POINTS - 2)
        frac = position - left
        curve = points[:, left] * (1 - frac) + points[:, left + 1] * frac
        profile *= (1 - np.float32(pressure) * curve)[:, None, :]
    return table[pick], profile


_ALPHA = ((255 - np.arange(256)) / 255).astype(np.float32)  # ink coverage of each grey level
# ITU-R BT.601 luma, as OpenCV's and Pillow's RGB-to-grey conversions weigh the channels.
LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


# Images composited at a time: a few of their float32 planes fit in a core's cache (16 images of
# 28 x 200 are 350 kB a plane), which made compositing 1.5x faster than a whole block of 64 at
# once. Every pixel's arithmetic is the same either way, so the bytes do not depend on it.
COMPOSITE_CHUNK = 16


def composite(
    grey: np.ndarray,
    sheet,
    inks: np.ndarray,
    profile: np.ndarray | None,
    light,
    rgb: bool,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Ink over paper: (n, H, W) uint8 grey (255 = no ink) over ``sheet`` (paper.Sheet), lit by
    ``light`` ((n, H, W) float32 or None). Returns uint8 (n, H, W, 3), or (n, H, W) luma, written
    into ``out`` (C-contiguous, that shape) when given.

    ``out = paper + alpha * (ink - paper)`` with each printed layer blended into the paper
    before; expanded, every output channel is a sum of per-image colours times a few shared
    planes, so the per-pixel work is done once, not once per channel, and the result is exact
    float32 arithmetic (the same bytes on every machine)."""
    n = len(grey)
    if out is None:
        out = np.empty(grey.shape + ((3,) if rgb else ()), dtype=np.uint8)
    for start in range(0, n, COMPOSITE_CHUNK):
        part = slice(start, start + COMPOSITE_CHUNK)
        _composite(
            grey[part],
            sheet.part(start, start + COMPOSITE_CHUNK),
            inks[part],
            None if profile is None else profile[part],
            None if light is None else light[part],
            rgb,
            out[part],
        )
    return out


def _composite(
    grey: np.ndarray, sheet, inks: np.ndarray, profile: np.ndarray | None, light, rgb: bool, out: np.ndarray
) -> None:
    from .imgaug_compat import cv2

    cv = cv2()
    n, height, width = grey.shape
    alpha = cv.LUT(np.ascontiguousarray(grey).reshape(n * height, width), _ALPHA).reshape(n, height, width)
    if profile is not None:
        alpha *= profile
    keep = 1 - alpha  # the paper's share
    if light is not None:
        alpha *= light
        keep *= light
    terms: list[tuple[np.ndarray, np.ndarray]] = []  # (colour (n, 3) or picture planes (3, n, H, W), plane)
    for coverage, colour in reversed(sheet.layers):  # the top layer first
        terms.append((colour, keep * coverage))
        keep *= 1 - coverage
    if sheet.picture is not None:
        terms.append((sheet.picture, keep))
    else:
        terms.append((sheet.tint, keep if sheet.shade is None else keep * sheet.shade))
    terms.append((inks, alpha))
    # Ruled lines touch a row or two per image: blended there alone, as the paper's bottom layer.
    images = np.arange(n)[:, None]
    ruled = [
        (images, rows, strength[:, None, None] * keep[images, rows], colour)
        for rows, strength, colour in sheet.rows
    ]
    planes = []
    total = np.empty((n, height, width), dtype=np.float32)
    part = np.empty_like(total)
    for c in range(3) if rgb else (None,):
        for k, (colour, plane) in enumerate(terms):
            if colour.ndim == 4:  # a picture: one plane per channel
                factor = colour[c] if c is not None else _luma(colour)
            else:
                factor = (colour[:, c] if c is not None else _luma_of(colour))[:, None, None]
            np.multiply(factor, plane, out=total if k == 0 else part)
            if k:
                total += part
        for images, rows, share, colour in ruled:
            line = colour[:, c] if c is not None else _luma_of(colour)
            total[images, rows] += share * (line[:, None, None] - _paper_at(sheet, c, images, rows))
        # Rounded to 0-255, and written where the caller wants it (no copy of the result).
        if rgb:
            planes.append(cv.convertScaleAbs(total.reshape(n * height, width)))
        else:
            cv.convertScaleAbs(total.reshape(n * height, width), dst=out.reshape(n * height, width))
    if rgb:
        cv.merge(planes, dst=out.reshape(n * height, width, 3))


def _paper_at(sheet, c: int | None, images: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The bare paper's channel ``c`` (None: luma) on the given rows, (n, k, W)."""
    if sheet.picture is not None:
        planes = sheet.picture[:, images, rows]
        return planes[c] if c is not None else _luma(planes)
    tint = (sheet.tint[:, c] if c is not None else _luma_of(sheet.tint))[:, None, None]
    return tint if sheet.shade is None else tint * sheet.shade[images, rows]


def _luma_of(colours: np.ndarray) -> np.ndarray:
    # Channel by channel, not a matrix product: BLAS may sum in another order elsewhere.
    return colours[:, 0] * LUMA[0] + colours[:, 1] * LUMA[1] + colours[:, 2] * LUMA[2]


def _luma(planes: np.ndarray) -> np.ndarray:
    return planes[0] * LUMA[0] + planes[1] * LUMA[1] + planes[2] * LUMA[2]
