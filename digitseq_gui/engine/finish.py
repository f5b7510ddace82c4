"""The finishing stage: ink over paper, then capture, on composed images (compose.py calls it last).

    grey image (255 = white) -> alpha = 1 - grey / 255 -> ink colour x darkness(x) over the paper
    (its printed lines and marks under the ink), lit by the shadow -> RGB or grey (BT.601 luma)
    uint8 -> capture effects (perspective, blur, exposure, noise, JPEG) -> (n, H, W[, 3]) uint8

Block b of a call (image i is in block (first_index + i) // BLOCK_SIZE) draws everything from
``seeding.finish_stream(seed, b)``, in the order ink, paper, capture: so any chunking into whole
blocks, batch size or worker count gives the same bytes. A configuration with all of it at its
defaults is not touched (``is_plain``): today's images, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import ink as ink_module
from . import paper as paper_module
from . import seeding
from .capture import capture, draw_light
from .seeding import BLOCK_SIZE


@dataclass
class Finished:
    images: np.ndarray  # (n, H, W) or (n, H, W, 3) uint8
    boxes: list[np.ndarray]  # moved by a perspective change
    printed: list[str]  # printed marks beside each number ("" for none): NOT part of the label


def opencv_dependent(config) -> list[str]:
    """The finishing settings of ``config`` whose pixels depend on the OpenCV version (measured
    between 4.11, 5.0 and 5.1, tests/golden: JPEG, blurs, noise and folder backgrounds gave the
    same bytes; a perspective warp and the printed marks' text did not)."""
    found = []
    if "perspective" in config.capture.enabled_effects():
        found.append("the perspective change is")
    if config.paper.printed:
        found.append("printed marks are")
    return found


def is_plain(config) -> bool:
    """True when the finishing stage would change nothing (every setting at its default)."""
    return (
        config.image.color == "gray"
        and _plain_ink(config)
        and _plain_paper(config)
        and not config.capture.enabled_effects()
    )


def _plain_ink(config) -> bool:
    ink = config.ink
    return ink.colours == ("black",) and ink.darkness == 1.0 and ink.pressure == 0


def _plain_paper(config) -> bool:
    paper = config.paper
    return paper.background == "white" and paper.lines == "none" and not paper.printed


def finish(config, images: np.ndarray, boxes: list[np.ndarray], seed: int, first_index: int) -> Finished:
    """Finished images of (n, H, W) uint8 composed ``images`` whose first is number ``first_index``
    (a multiple of BLOCK_SIZE) of a call seeded ``seed``."""
    n = len(images)
    if is_plain(config):
        return Finished(images, boxes, [""] * n)
    # Each block is finished in its own part of one array: no copy of the whole result at the end.
    out = np.empty(images.shape + ((3,) if config.image.color == "rgb" else ()), dtype=np.uint8)
    all_boxes, printed = [], []
    for start in range(0, n, BLOCK_SIZE):
        block = (first_index + start) // BLOCK_SIZE
        stop = min(n, start + BLOCK_SIZE)
        moved, marks = _finish_block(
            config, images[start:stop], boxes[start:stop], seeding.finish_stream(seed, block), out[start:stop]
        )
        all_boxes += moved
        printed += marks
    return Finished(out, all_boxes, printed)


def _finish_block(
    config, grey: np.ndarray, boxes: list[np.ndarray], stream: np.random.Generator, out: np.ndarray
) -> tuple[list[np.ndarray], list[str]]:
    """Finish ``grey`` into ``out`` (its shape, with three channels for RGB), in place."""
    n, height, width = grey.shape
    printed = [""] * n
    ink, paper = config.ink, config.paper
    rgb = config.image.color == "rgb"
    effects = config.capture.enabled_effects()
    if _plain_ink(config) and _plain_paper(config) and "shadow" not in effects:
        # Black ink on white paper in even light is the grey image itself: nothing to composite.
        out[...] = grey[..., None] if rgb else grey
    else:
        inks, profile = ink_module.draw_inks(ink.colours, ink.darkness, ink.pressure, stream, n, width)
        sheet = paper_module.draw_background(paper.background, stream, n, height, width)
        paper_module.draw_lines(paper.lines, sheet, stream, boxes, height, width)
        if paper.printed:
            printed = paper_module.draw_printed(sheet, stream, boxes, height, width)
        light = draw_light(effects, stream, n, height, width)
        ink_module.composite(grey, sheet, inks, profile, light, rgb, out)
    if effects:
        boxes = capture(effects, out, boxes, stream)  # the images in place
    return list(boxes), printed
