"""Rendering: digit cells painted onto strips, strips resampled to the width, ink to output.

Ink is uint8 inside (0 = background, 255 = full ink); the output is ``255 - ink`` (uint8) or
``1 - ink / 255`` (float32), so a saved 8-bit file holds exactly the generated array.

Variable spacing makes strips of different widths, each fitted to the image (scaling.py: area
averaging to shrink, linear to grow: non-negative weights, so nothing overshoots). OpenCV
treats every row on its own, so the strips of a block that share a width are stacked and
resampled in one call, with exactly the bytes of one call per strip. Digits of one strip may
overlap (negative spacing): the larger ink wins. Boxes are mapped through the same resampling
by its input footprints, so a box covers every column (and row) its ink can reach.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

from . import scaling
from .imgaug_compat import cv2 as _cv2

_MARGIN = 1e-4  # OpenCV computes source positions in float32: stay on the generous side


def paint(
    ink: np.ndarray,
    cell_start: np.ndarray,
    widths: np.ndarray,
    slot: np.ndarray,
    x: np.ndarray,
    strips: np.ndarray,
    local: np.ndarray | None = None,
) -> None:
    """Copy columns [cell_start, cell_start + width) of each digit of ``ink`` (K, H, cell width)
    to columns [x, x + width) of strip ``slot`` of ``strips`` (B, H, strip width), which must be
    zero where nothing is painted. Digits of one strip may overlap (negative spacing) only when
    ``local`` (each digit's place in its image) is given: they are then painted place by place,
    each over the others with the larger ink (the darker pixel) winning."""
    if local is None:
        _copy(ink, cell_start, widths, slot, x, strips, composite=False)
        return
    for place in range(int(local.max()) + 1 if len(local) else 0):
        chosen = np.flatnonzero(local == place)  # one digit per strip: no overlap within a pass
        _copy(
            ink[chosen],
            cell_start[chosen],
            widths[chosen],
            slot[chosen],
            x[chosen],
            strips,
            composite=place > 0,
        )


def _copy(ink, cell_start, widths, slot, x, strips, composite: bool) -> None:
    count, height, cell_width = ink.shape
    if count and bool((widths == cell_width).all()):
        # Whole cells: each is one (H, cell width) tile, copied through a view of the strips
        # that starts a tile at every byte (the tiles of one call never overlap).
        if not strips.flags.c_contiguous:
            raise ValueError("paint needs C-contiguous strips")  # a reshape would copy, losing the paint
        row = strips.shape[2]
        flat = strips.reshape(-1)
        tiles = as_strided(
            flat,
            shape=(flat.size - (height - 1) * row - cell_width + 1, height, cell_width),
            strides=(1, row, 1),
        )
        at = slot * (height * row) + x
        tiles[at] = np.maximum(tiles[at], ink) if composite else ink
        return
    digit_of_column = np.repeat(np.arange(count), widths)
    offset = np.arange(len(digit_of_column)) - (np.cumsum(widths) - widths)[digit_of_column]
    # Advanced indices around a slice: both sides are (columns, H).
    where = slot[digit_of_column], slice(None), x[digit_of_column] + offset
    columns = ink[digit_of_column, :, cell_start[digit_of_column] + offset]
    strips[where] = np.maximum(strips[where], columns) if composite else columns


def places(image_of_digit: np.ndarray) -> np.ndarray:
    """Each digit's place in its image (0 for the first), given the sorted image of each digit."""
    return np.arange(len(image_of_digit)) - np.searchsorted(image_of_digit, image_of_digit)


def paint_one(tiles: list[np.ndarray], blank_runs: list[int]) -> np.ndarray:
    """``paint`` for one image: its (H, columns) ink strip, ``blank_runs[j]`` blank columns
    before tile j (a digit's used columns) and ``blank_runs[-1]`` after the last, joined in one
    call (numpy's per-call cost dominates at this size). A negative run overlaps tile j with
    the tile before it; the larger ink wins there."""
    if min(blank_runs[1:-1], default=0) < 0:
        return _paint_overlapping(tiles, blank_runs)
    blank = _blank(tiles[0].shape[0], max(blank_runs))
    pieces = []
    for run, tile in zip(blank_runs, tiles):
        if run:
            pieces.append(blank[:, :run])
        pieces.append(tile)
    if blank_runs[-1]:
        pieces.append(blank[:, : blank_runs[-1]])
    return np.concatenate(pieces, axis=1)


def _paint_overlapping(tiles: list[np.ndarray], blank_runs: list[int]) -> np.ndarray:
    at, starts = 0, []
    for run, tile in zip(blank_runs, tiles):
        at += run
        starts.append(at)
        at += tile.shape[1]
    strip = np.zeros((tiles[0].shape[0], at + blank_runs[-1]), dtype=np.uint8)
    for start, tile in zip(starts, tiles):
        target = strip[:, start : start + tile.shape[1]]
        np.maximum(target, tile, out=target)
    return strip


_BLANKS: dict[int, np.ndarray] = {}


def _blank(height: int, columns: int) -> np.ndarray:
    """A read-only blank (H, >= columns) block to cut blank runs from, kept between calls."""
    blank = _BLANKS.get(height)
    if blank is None or blank.shape[1] < columns:
        blank = np.zeros((height, max(columns, 256)), dtype=np.uint8)
        blank.flags.writeable = False
        _BLANKS[height] = blank
    return blank


class Workspace:
    """Scratch arrays reused from block to block of one call (fresh large arrays cost page faults)."""

    def __init__(self):
        self._flat: dict[str, np.ndarray] = {}

    def zeros(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        array = self.empty(name, shape)
        array.fill(0)
        return array

    def empty(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        size = math.prod(shape)
        flat = self._flat.get(name)
        if flat is None or flat.size < size:
            flat = self._flat[name] = np.empty(size, dtype=np.uint8)
        return flat[:size].reshape(shape)


def render_block(
    ink: np.ndarray,
    cell_start: np.ndarray,
    widths: np.ndarray,
    image_of_digit: np.ndarray,
    x: np.ndarray,
    strip_width: np.ndarray,
    out: np.ndarray,
    workspace: Workspace | None = None,
    fit: str = "stretch",
    overlapping: bool = False,
) -> tuple[np.ndarray, ...]:
    """Paint a block's digits and fit its strips into ``out`` (B, height, width) uint8 ink
    (see scaling.py). Returns each strip's target (h, w, top, left) for mapping boxes."""
    workspace = workspace or Workspace()
    height, width = out.shape[1:]
    cell_height = ink.shape[1]
    local = places(image_of_digit) if overlapping else None
    h, w, top, left = scaling.targets(strip_width, cell_height, height, width, fit)
    if height == cell_height and bool((strip_width == width).all()):  # fixed spacing: paint in place
        out.fill(0)
        paint(ink, cell_start, widths, image_of_digit, x, out, local)
        return h, w, top, left
    # Strips sorted by width, so that those of one width (and so one target) are neighbours.
    order = np.argsort(strip_width, kind="stable")
    slot = np.empty_like(order)
    slot[order] = np.arange(len(order))
    strips = workspace.zeros("strips", (len(order), cell_height, int(strip_width.max())))
    paint(ink, cell_start, widths, slot[image_of_digit], x, strips, local)
    sorted_widths = strip_width[order]
    edges = [0, *(np.flatnonzero(np.diff(sorted_widths)) + 1).tolist(), len(order)]
    if fit == "stretch":
        # Every strip to the same size: columns, one call per strip width, then (for another
        # height) rows, one call for the whole block.
        resampled = workspace.empty("resampled", (len(order), cell_height, width))
        rows, rows_out = strips.reshape(-1, strips.shape[2]), resampled.reshape(-1, width)
        for start, stop in zip(edges[:-1], edges[1:]):
            used = int(sorted_widths[start])  # the strips' columns that hold ink
            scaling.resample_rows(
                rows[start * cell_height : stop * cell_height, :used],
                width,
                out=rows_out[start * cell_height : stop * cell_height],
            )
        out[order] = resampled if height == cell_height else scaling.resample_stack(resampled, height, width)
        return h, w, top, left
    # keep-aspect: columns, one call per strip width; then rows, one call per target height
    # (the columns of strips of every width stacked: the rows pass reads each column on its own).
    out.fill(0)
    by_height: dict[int, list] = {}
    for start, stop in zip(edges[:-1], edges[1:]):
        first = int(order[start])
        target = int(h[first]), int(w[first]), int(top[first]), int(left[first])
        wide = scaling.resample_stack(
            strips[start:stop, :, : int(sorted_widths[start])], cell_height, target[1]
        )
        by_height.setdefault(target[0], []).append((order[start:stop], target, wide))
    for th, groups in by_height.items():
        if th == cell_height:
            tall = [wide for _, _, wide in groups]
        else:
            columns = np.concatenate(
                [wide.transpose(0, 2, 1).reshape(-1, cell_height) for _, _, wide in groups]
            )
            done = scaling.resample_rows(columns, th)
            ends = np.cumsum([wide.shape[0] * wide.shape[2] for _, _, wide in groups])[:-1]
            tall = [
                part.reshape(wide.shape[0], wide.shape[2], th).transpose(0, 2, 1)
                for part, (_, _, wide) in zip(np.split(done, ends), groups)
            ]
        for (images, (_, tw, y, x0), _), image in zip(groups, tall):
            out[images, y : y + th, x0 : x0 + tw] = image
    return h, w, top, left


# -- separator gaps ------------------------------------------------------------------------


def insert_separator_gaps(image: np.ndarray, boxes: np.ndarray, after: list[int], gap: int):
    """Insert ``gap`` white columns after digit j for each j in ``after`` (ascending), cut halfway
    between the two digits' boxes; j = -1 (a run before the first digit) cuts at the image's left
    edge, the last digit at its right edge. Every box edge right of a cut moves right with it, so a
    box whose ink was cut (boxes that overlap, with zero spacing) stretches across the gap: ink
    never leaves its box."""
    if not after or gap == 0:
        return image, boxes
    cuts, previous, last = [], 0, len(boxes) - 1
    for j in after:
        if j < 0 or j >= last:  # an edge: the blank goes outside every box
            cut = 0 if j < 0 else image.shape[1]
        else:
            cut = int(np.clip((int(boxes[j, 2]) + int(boxes[j + 1, 0])) // 2, previous, image.shape[1]))
        cuts.append(cut)
        previous = cut
    blank = np.full((image.shape[0], gap), 255, dtype=np.uint8)
    pieces, previous = [], 0
    for cut in cuts:
        pieces += [image[:, previous:cut], blank]
        previous = cut
    pieces.append(image[:, previous:])
    cut_array = np.asarray(cuts)[None, :]
    moved = boxes.copy()
    moved[:, 0] += gap * (boxes[:, [0]] >= cut_array).sum(axis=1)  # a left edge at or past a cut
    moved[:, 2] += gap * (boxes[:, [2]] > cut_array).sum(axis=1)  # a right edge (exclusive) past it
    return np.concatenate(pieces, axis=1), moved


# -- output ------------------------------------------------------------------------------------


# 1 - v / 255 in float32 for every ink value v, computed as numpy computes it elementwise.
_FLOAT_OF_INK = np.float32(1.0) - np.arange(256, dtype=np.float32) / np.float32(255.0)


def ink_to_float(ink: np.ndarray) -> np.ndarray:
    """One (H, W) ink image as float32 ``1 - ink / 255``, in one table look-up."""
    return _cv2().LUT(ink, _FLOAT_OF_INK)


def ink_to_output(ink: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Ink 0-255 into ``out``: uint8 ``255 - ink``, or float32 ``1 - ink / 255`` (on the exact
    1/255 grid that 8-bit files store) by table look-up."""
    if out.dtype == np.uint8:
        np.subtract(255, ink, out=out)
        return out
    if not out.flags.c_contiguous:  # a reshape would copy and the table's answer be lost
        np.divide(ink, np.float32(255.0), out=out, dtype=np.float32)
        np.subtract(np.float32(1.0), out, out=out)
        return out
    rows = ink.reshape(-1, ink.shape[-1])
    target = out.reshape(rows.shape)
    done = _cv2().LUT(rows, _FLOAT_OF_INK, dst=target)
    if done is not target:  # OpenCV wrote a new array instead
        target[...] = done
    return out


# -- boxes -------------------------------------------------------------------------------------


def map_columns(
    x0: np.ndarray, x1: np.ndarray, strip_width: np.ndarray, width: int
) -> tuple[np.ndarray, np.ndarray]:
    """The output columns that strip columns [x0, x1) reach once a strip of ``strip_width``
    columns is resampled to ``width`` (arrays per box; the answer errs by at most a pixel on the
    generous side, never the other).

    Growing (s = strip/width <= 1), OpenCV's linear output column j reads strip columns
    floor(u) and floor(u) + 1 with u = (j + 0.5) s - 0.5. Shrinking, area averaging reads every
    column that the footprint [j s, (j + 1) s) overlaps. Solving both for j gives the bounds.
    """
    s = strip_width / width
    grow = s <= 1.0
    first = np.where(grow, np.ceil((x0 - 0.5) / s - 0.5 - _MARGIN), np.floor(x0 / s - _MARGIN))
    last = np.where(grow, np.ceil((x1 + 0.5) / s - 0.5 + _MARGIN), np.ceil(x1 / s + _MARGIN))
    same = strip_width == width  # not resampled: the columns stay where they are
    first = np.where(same, x0, np.clip(first, 0, width - 1))
    last = np.where(same, x1, np.clip(last, 1, width))
    return first.astype(np.int64), last.astype(np.int64)


def map_columns_one(x0: int, x1: int, strip_width: int, width: int) -> tuple[int, int]:
    """``map_columns`` for one box, in plain Python (the same float64 arithmetic)."""
    if strip_width == width:
        return x0, x1
    s = strip_width / width
    if s <= 1.0:
        first, last = math.ceil((x0 - 0.5) / s - 0.5 - _MARGIN), math.ceil((x1 + 0.5) / s - 0.5 + _MARGIN)
    else:
        first, last = math.floor(x0 / s - _MARGIN), math.ceil(x1 / s + _MARGIN)
    return min(max(first, 0), width - 1), min(max(last, 1), width)
