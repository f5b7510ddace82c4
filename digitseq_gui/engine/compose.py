"""From sequence texts to pixels: the one route that the export, SequenceDataset and the window share.

A sequence text is digits with separators between them (``090-1234-5678``, ``12/05``). The
digits are generated at the image width minus the separator gaps (``generate_batch``), then a
blank column run of ``separator_width`` pixels is inserted halfway between the two digits'
boxes (``render.insert_separator_gaps``) and the boxes to its right move over. Out come the
images, the labels (digits only), one box per drawn digit and the provenance (source rows).

Seeding (the export's contract, see seeding.py): ``first_index`` is a multiple of BLOCK_SIZE
and block b of the result is seeded from (seed, b), so any cut into chunks of whole blocks
gives the same bytes.

- ``uniform_separators``: every text of the whole run (not only of this call) has the same
  number of separators. Then the call is one ``generate_batch``. Otherwise each block is split
  by separator count and each group is seeded from (seed, block, count).
- ``noise_after_gaps``: the whole-image augmentations (noise) go on last, over the gaps too
  (else a model could learn the clean stripes), one call per block seeded from
  ``seeding.noise_seed(seed, block)``. None chooses what the route has always done: the
  export always noises last; the window's preview (``noise_after_gaps="gaps"``) only when the
  texts have gaps, so that a preview without separators is the ``generate_batch`` image.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import seeding
from .errors import InvalidInputError
from .render import insert_separator_gaps
from .seeding import BLOCK_SIZE
from .sequences import split_text

if TYPE_CHECKING:
    from .generator import DigitSequence


@dataclass
class Composed:
    """Images [first_index, first_index + n) of a run with their annotations."""

    labels: list[str]  # the digits
    texts: list[str]  # with separators
    boxes: list[np.ndarray]  # (digits, 4) int32 per image: x_min, y_min, x_max, y_max (max exclusive)
    sources: list[np.ndarray]  # the digits' rows in the data file
    images: np.ndarray  # (n, H, W) uint8, 255 = white

    def __len__(self) -> int:
        return len(self.labels)


def split_texts(
    texts: list[str], separator_width: int, width: int
) -> tuple[list[str], list[list[int]], np.ndarray]:
    """(labels, the digit places each text has a separator gap after, gaps per text), or a clear
    error when the gaps leave no room for the digits of a ``width`` px image."""
    joined = "".join(texts)
    if joined.isascii() and joined.isdigit() and all(texts):
        # Digits only, the common case: no gaps (one empty list for all: it is only read).
        return list(texts), [[]] * len(texts), np.zeros(len(texts), dtype=np.int64)
    split = [split_text(t) for t in texts]
    labels = [label for label, _ in split]
    gaps = [[j for j, s in enumerate(seps) if s] for _, seps in split]
    counts = np.array([len(g) for g in gaps])
    widest = int(counts.max()) if len(counts) else 0
    if widest and widest * separator_width >= width:
        raise InvalidInputError(
            f"{widest} separator gap(s) of {separator_width} px leave nothing of the {width} px image for the "
            "digits; use a wider image or a smaller separator gap",
            field="separator_width",
        )
    return labels, gaps, counts


def noise_goes_last(
    generator: DigitSequence, noise_after_gaps: bool | str, widest: int, separator_width: int
) -> bool:
    """Whether the whole-image augmentations go on after the separator gaps (``compose``'s rule)."""
    if noise_after_gaps == "gaps":
        noise_after_gaps = bool(widest and separator_width)
    return bool(noise_after_gaps) and generator.has_whole_image_augmentation


def compose(
    generator: DigitSequence,
    texts: list[str],
    seed: int,
    separator_width: int,
    first_index: int = 0,
    uniform_separators: bool = True,
    noise_after_gaps: bool | str = True,
) -> Composed:
    """Images for ``texts`` (see the module's docstring for the seeding rules)."""
    if first_index % BLOCK_SIZE:
        raise ValueError(f"compose starts at a multiple of {BLOCK_SIZE}, got {first_index}")
    width = int(generator.config.image.width)
    labels, gaps, counts = split_texts(texts, separator_width, width)
    widest = int(counts.max()) if len(counts) else 0
    n = len(labels)
    groups = []
    if uniform_separators:
        groups.append((np.arange(n), seed, first_index))
    else:
        for block_start in range(0, n, BLOCK_SIZE):
            block = (first_index + block_start) // BLOCK_SIZE
            members = np.arange(block_start, min(n, block_start + BLOCK_SIZE))
            for k in sorted(set(counts[members].tolist())):
                groups.append(
                    (members[counts[members] == k], seeding.separator_group_seed(seed, block, k), 0)
                )
    noise_last = noise_goes_last(generator, noise_after_gaps, widest, separator_width)
    images = None
    boxes: list = [None] * n
    sources: list = [None] * n
    for members, group_seed, group_first in groups:
        k = int(counts[members[0]])
        batch = generator.generate_batch(
            [labels[i] for i in members],
            image_width=width - k * separator_width,
            seed=group_seed,
            first_index=group_first,
            as_uint8=True,
            image_augmentation=not noise_last,
        )
        if images is None:
            images = np.empty((n, batch.images.shape[1], width), dtype=np.uint8)
        for j, i in enumerate(members):
            images[i], boxes[i] = insert_separator_gaps(
                batch.images[j], batch.boxes[j], gaps[i], separator_width
            )
            sources[i] = batch.source_indices[j]
    if images is None:
        raise InvalidInputError("no sequences to generate; give at least one", field="digits")
    if noise_last:
        for block_start in range(0, n, BLOCK_SIZE):
            block = (first_index + block_start) // BLOCK_SIZE
            images[block_start : block_start + BLOCK_SIZE] = generator.augment_whole_images(
                images[block_start : block_start + BLOCK_SIZE], seeding.noise_seed(seed, block)
            )
    return Composed(labels, list(texts), boxes, sources, images)
