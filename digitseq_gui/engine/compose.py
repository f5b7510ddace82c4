"""From sequence texts to pixels: the one route that the export, SequenceDataset and the window share.

A sequence text is digits with separators between them (``090-1234-5678``, ``12/05``), and
possibly before the first and after the last (``(03)1234``, ``12.50-``). The digits are
generated at the image width minus the separator gaps (``generate_batch``), then a blank column
run of ``separator_width`` pixels is inserted halfway between the two digits' boxes, or at the
image's edge for a run before or after every digit (``render.insert_separator_gaps``), and the
boxes to its right move over. Out come the
images, the labels (digits only), one box per drawn digit and the provenance (source rows).
With ``separators.style = "drawn"`` the drawn symbols are characters like digits (symbols.py):
in the label, with a box each and source row -1; only spaces and underscores stay gaps.

Seeding (the export's contract, see seeding.py): ``first_index`` is a multiple of BLOCK_SIZE
and block b of the result is seeded from (seed, b), so any cut into chunks of whole blocks
gives the same bytes.

- ``uniform_separators``: every text of the whole run (not only of this call) has the same
  number of separators. Then the call is one ``generate_batch``. Otherwise each block is split
  by separator count and each group is seeded from (seed, block, count).
- Noise, one rule for every caller: the whole-image augmentations go on last, over the gaps too
  (else a model could learn the clean stripes), on each block of images drawn together, with
  the whole-image seed that block drew from its own stream (``seeding.draw_block``). A text
  without separators thus gets exactly the noise ``generate_batch`` has always given it.
- the finishing stage (finish.py: ink over paper, capture) goes on after everything else, each
  block seeded from ``seeding.finish_stream(seed, block)``; at its defaults it changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import seeding
from .errors import InvalidInputError
from .finish import finish
from .render import insert_separator_gaps
from .seeding import BLOCK_SIZE
from .symbols import label_and_gaps

if TYPE_CHECKING:
    from .generator import DigitSequence


@dataclass
class Composed:
    """Images [first_index, first_index + n) of a run with their annotations."""

    labels: list[str]  # the digits (and, drawn, the symbols)
    texts: list[str]  # with separators
    boxes: list[np.ndarray]  # (digits, 4) int32 per image: x_min, y_min, x_max, y_max (max exclusive)
    sources: list[np.ndarray]  # the digits' rows in the data file
    images: np.ndarray  # (n, H, W) uint8, 255 = white; (n, H, W, 3) RGB with image.color "rgb"
    writers: list[np.ndarray]  # the digits' writers (int32, -1 where the data set does not say)
    writer: np.ndarray  # (n,) int32: each image's one writer (sampling.writer = same), else -1
    # Printed marks beside each number (paper.printed; "" for none). Never part of the label.
    printed: list[str] | None = None

    def __len__(self) -> int:
        return len(self.labels)


def split_texts(
    texts: list[str], style: str, separator_width: int, width: int
) -> tuple[list[str], list[list[int]], np.ndarray]:
    """(labels, the characters each text has a blank gap after, gaps per text) in separators
    ``style``, or a clear error when the gaps leave no room for the digits of a ``width`` px image."""
    joined = "".join(texts)
    if joined.isascii() and joined.isdigit() and all(texts):
        # Digits only, the common case: no gaps (one empty list for all: it is only read).
        return list(texts), [[]] * len(texts), np.zeros(len(texts), dtype=np.int64)
    # With drawn separators (config separators.style) the label keeps the drawn symbols, each a
    # character of its own, and only spaces and underscores are gaps (symbols.py).
    split = [label_and_gaps(t, style) for t in texts]
    labels = [label for label, _ in split]
    gaps = [g for _, g in split]
    counts = np.array([len(g) for g in gaps])
    widest = int(counts.max()) if len(counts) else 0
    if widest and widest * separator_width >= width:
        raise InvalidInputError(
            f"{widest} separator gap(s) of {separator_width} px leave nothing of the {width} px image for the "
            "digits; use a wider image or a smaller separator gap",
            field="separator_width",
        )
    return labels, gaps, counts


def compose(
    generator: DigitSequence,
    texts: list[str],
    seed: int,
    separator_width: int,
    first_index: int = 0,
    uniform_separators: bool = True,
    spacing_range=None,
    image_width: int | None = None,
    image_augmentation: bool = True,
) -> Composed:
    """Images for ``texts`` (see the module's docstring for the seeding rules). ``spacing_range``
    and ``image_width`` default to the config's; ``image_augmentation=False`` leaves the noise out."""
    if first_index % BLOCK_SIZE:
        raise ValueError(f"compose starts at a multiple of {BLOCK_SIZE}, got {first_index}")
    width = int(generator.config.image.width if image_width is None else image_width)
    labels, gaps, counts = split_texts(texts, generator.config.separators.style, separator_width, width)
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
    noise_last = image_augmentation and generator.has_whole_image_augmentation
    images = None
    boxes: list = [None] * n
    sources: list = [None] * n
    writers: list = [None] * n
    writer = np.empty(n, dtype=np.int32)
    for members, group_seed, group_first in groups:
        k = int(counts[members[0]])
        batch = generator.generate_batch(
            [labels[i] for i in members],
            spacing_range=spacing_range,
            image_width=width - k * separator_width,
            seed=group_seed,
            first_index=group_first,
            as_uint8=True,
            image_augmentation=False,
            finishing=False,  # after the gaps and the noise, below
        )
        if len(groups) == 1 and not counts.any():
            # One group of texts without gaps (digits only, the common case): the batch as it is.
            images, boxes = batch.images, list(batch.boxes)
            sources, writers = list(batch.source_indices), list(batch.writers)
        else:
            if images is None:
                images = np.empty((n, batch.images.shape[1], width), dtype=np.uint8)
            for j, i in enumerate(members):
                images[i], boxes[i] = insert_separator_gaps(
                    batch.images[j], batch.boxes[j], gaps[i], separator_width
                )
                sources[i], writers[i] = batch.source_indices[j], batch.writers[j]
        assert batch.writer is not None  # generate_batch always reports it
        writer[members] = batch.writer
        if noise_last:
            assert batch.noise_seeds is not None
            for b, noise_seed in enumerate(batch.noise_seeds):
                drawn_together = members[b * BLOCK_SIZE : (b + 1) * BLOCK_SIZE]
                images[drawn_together] = generator.augment_whole_images(images[drawn_together], noise_seed)
    if images is None:
        raise InvalidInputError("no sequences to generate; give at least one", field="digits")
    # The finishing stage (ink, paper, capture) last, over the whole image; nothing when off.
    finished = finish(generator.config, images, boxes, seed, first_index)
    return Composed(
        labels, list(texts), finished.boxes, sources, finished.images, writers, writer, finished.printed
    )
