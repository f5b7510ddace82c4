"""A judge of drawn symbols that knows nothing of how they are drawn: rules a person would give.

Each symbol's box is cut out of a composed image (engine.compose, drawn separators) and read
against the boxes of its neighbouring digits (their mean top, baseline and height H):

- ``:`` two blobs, one above the other;
- ``(`` and ``)`` tall (over 0.55 H) and curved: the middle third's ink lies more than 0.06 of
  the height left (``(``) or right (``)``) of the midpoint between the top and bottom thirds' ink;
- ``/`` tall, straight, its ink leaning: the columns of its pixels fall as the rows rise
  (correlation of column and row below -0.5);
- ``-`` low (under 0.35 H) and at least 1.5 times as wide as high, its middle in the middle
  half of the digits' height;
- ``,`` its bottom at or below the baseline (less than 0.15 H above it), under 0.55 H high,
  and either at least 0.36 H high (a dot with a tail) or reaching 0.1 H below the baseline;
- ``.`` its bottom at or below the baseline, under 0.36 H high (widths are not judged:
  variable spacing stretches a strip to the image width);
- ``+`` at least 0.3 H high and wide, ink across its centre rows, at most one corner inked.

Anything else is "?". A symbol with a digit on one side only (``(12``, ``12-``: a run before
the first or after the last digit) is read against that one neighbour; a symbol with no digit
beside it (the ``-`` of a trailing ``.-``) against all the image's digits.
``python tests/engine/symbol_judge.py`` prints the figures.
"""

from __future__ import annotations

import numpy as np

from digitseq_gui.engine.symbols import DRAWN_SYMBOLS

INK = 96  # ink (255 - pixel) above this counts as a stroke


def _components(mask: np.ndarray) -> int:
    from digitseq_gui.engine.imgaug_compat import cv2

    count, _ = cv2().connectedComponents(mask.astype(np.uint8), connectivity=8)
    return count - 1


def judge(image: np.ndarray, boxes: np.ndarray, label: str, k: int) -> str:
    """What character ``k`` of ``label`` (a symbol) reads as in ``image`` (uint8, 255 = white)."""
    near = [j for j in (k - 1, k + 1) if 0 <= j < len(label) and label[j].isdigit()]
    digit_boxes = boxes[near] if near else np.array([b for b, c in zip(boxes, label) if c.isdigit()])
    top, base = float(np.mean(digit_boxes[:, 1])), float(np.mean(digit_boxes[:, 3]))
    height = max(base - top, 1.0)
    x0, y0, x1, y1 = (int(v) for v in boxes[k])
    ink = (255 - image[y0:y1, x0:x1].astype(np.int32)) > INK
    if not ink.any():
        return "?"
    rows, cols = np.nonzero(ink)
    h, w = rows.max() - rows.min() + 1, cols.max() - cols.min() + 1
    r0, c0 = rows.min(), cols.min()
    ink = ink[r0 : r0 + h, c0 : c0 + w]
    rows, cols = rows - r0, cols - c0
    bottom = y0 + r0 + h  # exclusive, in image rows
    if _components(ink) == 2 and h > 0.25 * height:
        return ":"
    if h > 0.55 * height:
        third = max(h // 3, 1)
        top_x, bottom_x = cols[rows < third].mean(), cols[rows >= h - third].mean()
        bow = cols[(rows >= third) & (rows < h - third)].mean() - (top_x + bottom_x) / 2
        if abs(bow) > 0.06 * h:  # the middle off the line between the ends: a curve
            return "(" if bow < 0 else ")"
        lean = np.corrcoef(cols, rows)[0, 1] if w > 1 else 0.0
        if lean < -0.5:
            return "/"
        if w > 0.3 * height and ink[h // 2, :].any() and ink[:, w // 2].any():
            return "+"
        return "?"
    middle_row = y0 + r0 + h / 2
    if w >= 1.5 * h and h < 0.35 * height and top + 0.25 * height <= middle_row <= base - 0.25 * height:
        return "-"
    # Widths are left out below: a variable-spacing strip is stretched to the image width.
    low = bottom >= base - 0.15 * height  # down at the baseline
    if low and h < 0.55 * height and (h >= 0.36 * height or bottom > base + 0.1 * height):
        return ","
    if low and h < 0.36 * height:
        return "."
    if h >= 0.3 * height and w >= 0.3 * height:
        corners = ink[: h // 4, : w // 4].any() + ink[: h // 4, -(w // 4) :].any()
        corners += ink[-(h // 4) :, : w // 4].any() + ink[-(h // 4) :, -(w // 4) :].any()
        if corners <= 1 and ink[h // 2 - 1 : h // 2 + 2, :].any(axis=0).mean() > 0.6:
            return "+"
    return "?"


def ink_outside_boxes(image: np.ndarray, boxes: np.ndarray) -> int:
    """Dark pixels that no box covers."""
    covered = np.zeros(image.shape, dtype=bool)
    for x0, y0, x1, y1 in boxes:
        covered[y0:y1, x0:x1] = True
    return int(((255 - image.astype(np.int32)) > INK)[~covered].sum())


def texts_with_every_symbol(count: int, seed: int, where: str = "between") -> list[str]:
    """``count`` texts ``DD<s>DD`` (random digits), each drawn symbol equally often; ``where``
    "leading" gives ``<s>DD`` and "trailing" ``DD<s>``: the symbol at place ``symbol_place``."""
    rng = np.random.default_rng(seed)

    def two() -> str:
        return "".join(map(str, rng.integers(0, 10, 2)))

    texts = []
    for i in range(count):
        symbol = DRAWN_SYMBOLS[i % len(DRAWN_SYMBOLS)]
        before = two() if where != "leading" else ""  # only the digits used are drawn
        texts.append(before + symbol + (two() if where != "trailing" else ""))
    return texts


def symbol_place(where: str) -> int:
    """Where ``texts_with_every_symbol(..., where)`` puts the symbol in the label."""
    return {"between": 2, "leading": 0, "trailing": 2}[where]


def scores(document: dict, count: int = 400, seed: int = 1, where: str = "between") -> dict[str, float]:
    """Per symbol, the share of ``count`` composed images whose symbol the judge reads right
    (``where``: between two digits, before them or after them; see texts_with_every_symbol)."""
    from digitseq_gui.engine.compose import compose
    from digitseq_gui.engine.config import Config
    from digitseq_gui.engine.generator import DigitSequence

    document = dict(document, separators={"style": "drawn"})
    generator = DigitSequence(Config.from_dict(document))
    texts = texts_with_every_symbol(count, seed, where)
    composed = compose(generator, texts, seed, 10)
    right: dict[str, list[bool]] = {s: [] for s in DRAWN_SYMBOLS}
    k = symbol_place(where)
    for image, boxes, label in zip(composed.images, composed.boxes, composed.labels):
        right[label[k]].append(judge(image, boxes, label, k) == label[k])
    return {s: float(np.mean(v)) for s, v in right.items()}


if __name__ == "__main__":
    for name, document in (
        ("default", {}),
        ("trimmed", {"image": {"trim_padding": True}}),
        ("keep-aspect (the presets')", {"image": {"fit": "keep-aspect"}}),
        ("augmented", {"image": {"transform": True}}),
    ):
        for where in ("between", "leading", "trailing"):
            print(name, where, {s: round(v, 3) for s, v in scores(document, 800, 1, where).items()})
