"""Drawn symbols: ``- . , / : ( ) +`` drawn as pen strokes in a digit's cell, as a person writes them.

With ``separators.style = "drawn"`` a symbol between, before or after the digits ("(03)", "12.50-")
is a character of its own: it gets a
cell like a digit (the same size as the data set's digit images), goes through the same per-digit
augmentation, layout and resampling, has its own box and stays in the label. A space or an
underscore stays a blank gap in either style (``GAP_ONLY``).

A symbol is measured from the digits of its own image (the nearest digit on each side, before
augmentation; the one on its only side for a symbol before the first or after the last digit): the rows their ink spans (so the symbol has their height and baseline), their stroke
width (twice the ink area over its outline: w for a stroke of width w) and their darkness (the mean
of their solid ink). It is then drawn as round-capped strokes through a distance field with a
two-pixel soft edge, like MNIST's anti-aliased ink, and placed as a person writes it: a dot or a
comma on the baseline (the comma's tail below it), a hyphen at mid-height, a colon's two dots (one
on the baseline, one in the upper half), a slash leaning right (more than a written 1), parentheses
a little taller than the digits, a plus centred.

Every symbol's shape jitters (length, tilt, position) by a generator seeded from the uniform that
the block's stream draws for that character (seeding.py), so a symbol's bytes depend only on
(seed, block, its place in the block), like a digit's choice of image. (Python's ``random.Random``:
cheap to seed per symbol, and its ``random()`` is the same on every Python version.)
"""

from __future__ import annotations

import math
import random
from typing import NamedTuple

import numpy as np

DRAWN_SYMBOLS = "-.,/:()+"
GAP_ONLY = " _"  # separators that stay blank gaps whatever the style
SEPARATOR_STYLES = ("gap", "drawn")
SYMBOL_CODE = 10  # a character's code: 0-9 for digits, SYMBOL_CODE + k for DRAWN_SYMBOLS[k]
_ORDER = {c: k for k, c in enumerate(DRAWN_SYMBOLS)}


def character_code(char: str) -> int:
    """0-9 for a digit, SYMBOL_CODE + k for the k-th drawn symbol."""
    return SYMBOL_CODE + _ORDER[char] if char in _ORDER else int(char)


def characters_of(text: str) -> tuple[str, list[int]]:
    """With drawn separators: the label (digits and drawn symbols, in order) and the characters
    after which a blank gap goes (a space or underscore in the text; -1: before the first)."""
    from .sequences import split_text  # the text's own parser: its errors name the bad character

    digits, runs = split_text(text)
    label: list[str] = []
    gaps: list[int] = []
    for digit, run in zip(("", *digits), runs):  # run 0 stands before the first digit
        if digit:
            label.append(digit)
        for char in run:
            if char in _ORDER:
                label.append(char)
            elif not gaps or gaps[-1] != len(label) - 1:  # one gap however many blanks
                gaps.append(len(label) - 1)
    return "".join(label), gaps


def label_and_gaps(text: str, style: str) -> tuple[str, list[int]]:
    """The label of a text and the characters followed by a blank gap, in ``style``: "gap" (every
    separator a gap; the label is the digits) or "drawn" (see characters_of). A gap "after
    character -1" stands before the first character, one after the last at the image's end."""
    if style == "drawn":
        return characters_of(text)
    from .sequences import split_text

    digits, runs = split_text(text)
    return digits, [j - 1 for j, run in enumerate(runs) if run]  # run j follows digit j - 1


def shape_of(digit_count: int, runs: tuple[str, ...], style: str) -> tuple[int, int]:
    """(characters drawn, blank gaps) of a text with these separator runs (split_text's), in ``style``."""
    if style != "drawn":
        return digit_count, sum(1 for s in runs if s)
    drawn = sum(1 for s in runs for c in s if c in _ORDER)
    gaps = sum(1 for s in runs if any(c not in _ORDER for c in s))
    return digit_count + drawn, gaps


# -- measuring the neighbours -----------------------------------------------------------------


class Pen(NamedTuple):
    """How the neighbouring digits are written: the rows their ink spans (bottom exclusive),
    their stroke width in pixels and their darkness (0-255)."""

    top: float
    bottom: float
    stroke: float
    darkness: float


def measure_many(tiles: np.ndarray) -> tuple[np.ndarray, ...]:
    """The pens of (K, H, W) uint8 digit tiles at once: (has ink, top, bottom, stroke, darkness),
    each (K,). Ink is "solid" from 128 up; darkness is the mean of the solid ink."""
    solid: np.ndarray = np.greater_equal(tiles, 128)
    rows = np.asarray(solid.any(axis=2))
    has_ink = np.asarray(rows.any(axis=1))
    height = tiles.shape[1]
    top = rows.argmax(axis=1).astype(np.float64)
    bottom = (height - rows[:, ::-1].argmax(axis=1)).astype(np.float64)
    area = solid.sum(axis=(1, 2))
    # The outline: every change between ink and paper along rows and columns (the borders included).
    outline = (solid[:, 1:] != solid[:, :-1]).sum(axis=(1, 2)) + (solid[:, :, 1:] != solid[:, :, :-1]).sum(
        axis=(1, 2)
    )
    outline += solid[:, [0, -1]].sum(axis=(1, 2)) + solid[:, :, [0, -1]].sum(axis=(1, 2))
    stroke = 2.0 * area / np.maximum(outline, 1) * 1.6  # outlines over-count ragged and diagonal edges
    darkness = (tiles * solid).sum(axis=(1, 2)) / np.maximum(area, 1)
    return has_ink, top, bottom, stroke, darkness


def measure(tile: np.ndarray) -> Pen | None:
    """The pen of one digit tile (H, W) uint8 ink, None when it has no ink."""
    has_ink, top, bottom, stroke, darkness = (float(v[0]) for v in measure_many(tile[None]))
    return Pen(top, bottom, stroke, darkness) if has_ink else None


def pen_of(measured: list[tuple[float, float, float, float]], cell_height: int) -> Pen:
    """The average pen of the neighbouring digits' (top, bottom, stroke, darkness), a default
    pen when none has ink."""
    if not measured:  # MNIST's typical digit: 20 rows from row 4, strokes about 3 px, dark
        scale = cell_height / 28
        return Pen(4 * scale, 24 * scale, 3.0 * scale, 250.0)
    top, bottom, stroke, darkness = (sum(v) / len(measured) for v in zip(*measured))
    return Pen(top, bottom, min(max(stroke, 1.5), 6.0), darkness)


# -- drawing ----------------------------------------------------------------------------------


def draw(symbol: str, pen: Pen, uniform: float, shape: tuple[int, int]) -> np.ndarray:
    """The (H, W) uint8 ink tile of ``symbol`` in ``pen``'s hand; ``uniform`` (in [0, 1)) seeds
    its jitter."""
    rng = random.Random(int(uniform * 2**53))  # Python's generator: cheap to seed, stable across versions
    height, width = shape
    top, bottom = pen.top, pen.bottom
    h = max(bottom - top, 6.0)
    mid = (top + bottom) / 2
    u = rng.uniform
    cx = width / 2 + u(-1.0, 1.0)
    r = pen.stroke / 2
    dot = max(r * u(1.0, 1.25), 1.2)  # a dot is a pen pressed a little longer
    strokes: list[tuple[list[tuple[float, float]], float]] = []  # (points, radius)

    def blob(x: float, y: float) -> None:
        angle = u(0, math.pi)
        dx, dy = 0.2 * dot * math.cos(angle), 0.2 * dot * math.sin(angle)
        strokes.append(([(x - dx, y - dy), (x + dx, y + dy)], dot))

    if symbol == "-":
        half = h * u(0.22, 0.32)
        y = mid + h * u(-0.04, 0.06)
        tilt = half * u(-0.12, 0.08)
        strokes.append(([(cx - half, y - tilt), (cx + half, y + tilt)], r))
    elif symbol == ".":
        blob(cx, bottom - dot)
    elif symbol == ",":
        drop = h * u(0.3, 0.4)  # the tail hangs below the baseline, by less when the cell ends there
        y = min(bottom - dot, height - r - 1.0 - drop * 0.7)
        end = min(y + drop, height - r - 0.5)
        drop = end - y
        blob(cx, y)
        strokes.append(
            (
                [(cx + 0.4 * dot, y), (cx + 0.3 * dot, y + drop * 0.5), (cx - drop * 0.6, end)],
                max(r * 0.9, 1.0),
            )
        )
    elif symbol == "/":
        # Leaning more than a written 1 and a little past the digits' top and baseline, as a
        # slash between two numbers is drawn (a short upright one reads as a 1).
        lean = h * u(0.28, 0.4)
        over = h * u(0.0, 0.08)
        y0, y1 = max(top - over, r + 0.5), min(bottom + over, height - r - 0.5)
        strokes.append(([(cx + lean, y0), (cx - lean, y1)], r))
    elif symbol == ":":
        x = cx
        blob(x + u(-0.5, 0.5), bottom - dot - h * u(0.0, 0.06))
        blob(x + u(-0.5, 0.5), top + h * u(0.3, 0.42))
    elif symbol in "()":
        bulge = h * u(0.16, 0.24) * (1 if symbol == ")" else -1)
        over = h * u(0.02, 0.08)
        y0, y1 = max(top - over, r + 0.5), min(bottom + over, height - r - 0.5)
        t = np.linspace(0.0, 1.0, 13)
        xs = cx - bulge / 2 + 2 * bulge * t * (1 - t) * 2  # a quadratic curve bowing by ``bulge``
        ys = y0 + (y1 - y0) * t
        strokes.append((list(zip(xs.tolist(), ys.tolist())), r))
    elif symbol == "+":
        arm = h * u(0.2, 0.27)
        y = mid + h * u(-0.04, 0.04)
        tilt = arm * u(-0.1, 0.1)
        strokes.append(([(cx - arm, y - tilt), (cx + arm, y + tilt)], r))
        strokes.append(([(cx + tilt, y - arm), (cx - tilt, y + arm)], r))
    else:
        raise ValueError(f"{symbol!r} is not one of the drawn symbols {DRAWN_SYMBOLS!r}")
    return _ink(strokes, pen.darkness, height, width)


_GRIDS: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}


def _centres(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The pixel centres' x and y of a cell, kept between calls."""
    grid = _GRIDS.get((height, width))
    if grid is None:
        ys, xs = np.mgrid[0:height, 0:width].astype(np.float64)
        grid = _GRIDS[height, width] = (xs + 0.5, ys + 0.5)
    return grid


def _ink(strokes, darkness: float, height: int, width: int) -> np.ndarray:
    """Round-capped strokes as ink, half dark at the pen's radius and fading over two pixels
    (MNIST's anti-aliased edge)."""
    xs, ys = _centres(height, width)
    coverage = np.zeros((height, width))
    for points, radius in strokes:
        for (x0, y0), (x1, y1) in zip(points[:-1], points[1:]):
            dx, dy = x1 - x0, y1 - y0
            length2 = dx * dx + dy * dy
            t = np.clip(((xs - x0) * dx + (ys - y0) * dy) / length2, 0, 1) if length2 else 0.0
            distance = np.hypot(xs - (x0 + t * dx), ys - (y0 + t * dy))
            np.maximum(coverage, np.clip((radius + 1.0 - distance) / 2.0, 0.0, 1.0), out=coverage)
    return np.rint(coverage * darkness).astype(np.uint8)


def draw_in_block(ink: np.ndarray, codes: np.ndarray, counts: np.ndarray, uniforms: np.ndarray) -> None:
    """Draw every symbol of a block in place: ``ink`` (K, H, W) holds each character's cell
    (symbols' cells are overwritten), ``codes`` the characters, ``counts`` the characters per image,
    ``uniforms`` the block stream's uniform of each character."""
    symbol_at = np.flatnonzero(codes >= SYMBOL_CODE)
    if not len(symbol_at):
        return
    first = np.repeat(np.cumsum(counts) - counts, counts)
    last = first + np.repeat(counts, counts) - 1
    is_digit = codes < SYMBOL_CODE
    height, width = ink.shape[1:]
    neighbours = []
    for k in symbol_at.tolist():
        found = []
        for step in (-1, 1):  # the nearest digit on each side, within the image
            j = k + step
            while first[k] <= j <= last[k] and not is_digit[j]:
                j += step
            if first[k] <= j <= last[k]:
                found.append(j)
        neighbours.append(found)
    measured_at = sorted({j for found in neighbours for j in found})
    pens = (
        dict(zip(measured_at, zip(*(v.tolist() for v in measure_many(ink[measured_at])))))
        if measured_at
        else {}
    )
    for k, found in zip(symbol_at.tolist(), neighbours):
        measured = [pens[j][1:] for j in found if pens[j][0]]
        symbol = DRAWN_SYMBOLS[int(codes[k]) - SYMBOL_CODE]
        ink[k] = draw(symbol, pen_of(measured, height), float(uniforms[k]), (height, width))


def parse_characters(sequences: list) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """``digits.parse_many`` for drawn separators: a text may hold drawn symbols between, before
    and after its digits (codes SYMBOL_CODE + k); blank gaps (spaces) are compose's, not one batch's."""
    from .digits import parse_many
    from .errors import InvalidInputError

    if not any(isinstance(s, str) and not s.strip().isdigit() for s in sequences):
        return parse_many(sequences)
    codes: list[int] = []
    counts: list[int] = []
    labels: list[str] = []
    for text in sequences:
        if not isinstance(text, str):
            digits, _, (label,) = parse_many([text])
            codes += digits.tolist()
        else:
            label, gaps = characters_of(text.strip())
            if gaps:
                raise InvalidInputError(
                    f"{text!r}: a space or underscore is a blank gap, which only the export, the window and "
                    "engine.compose make; leave it out here, or use engine.compose.compose",
                    field="digits",
                )
            codes += [character_code(c) for c in label]
        counts.append(len(label))
        labels.append(label)
    return np.array(codes, dtype=np.int64), np.array(counts, dtype=np.int64), labels


def has_symbols(text: object) -> bool:
    """Whether a text holds a drawn symbol (so it needs the batch route)."""
    return isinstance(text, str) and any(c in _ORDER for c in text)


def file_name_safe(label: str) -> str:
    """A label in a file name: ``/`` and ``:`` (path separators on some systems) become ``_``."""
    return label.replace("/", "_").replace(":", "_")
