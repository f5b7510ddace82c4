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
    colours: tuple[str, ...], darkness: float, pressure: float, stream: np.random.Generator, n: int, width: int
) -> tuple[np.ndarray, np.ndarray]:
    """(n, 3) float32 ink colours and (n, 1, width) float32 darkness along each image.

    Draws (in this order): which colour of the list (only for a list of two or more), then the
    pressure curve's control points (only when pressure > 0)."""
    table = np.array([parse_ink_colour(c) for c in colours], dtype=np.float32)
    pick = stream.integers(0, len(table), size=n) if len(table) > 1 else np.zeros(n, dtype=np.int64)
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


def composite(grey: np.ndarray, paper: np.ndarray, inks: np.ndarray, profile: np.ndarray) -> np.ndarray:
    """Ink over paper: (n, H, W) uint8 grey (255 = no ink) over (n, H, W, 3) float32 paper, in place
    into the paper. ``out = paper + alpha * (ink - paper)``."""
    alpha = (np.float32(1.0 / 255) * (255 - grey.astype(np.float32))) * profile
    paper += alpha[..., None] * (inks[:, None, None, :] - paper)
    return paper
