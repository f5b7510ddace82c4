"""Chosen images of blocks, without the rest of their blocks: what a shuffled read needs.

The images of a block draw their randomness together (seeding.py): the rows and gaps of image j
come from the block's stream after those of the images before it, and each augmenter draws for
every image of the block at once. So image j depends on the whole block's texts, though not on
its pixels. A ``Pick`` names a block, all its texts and the images wanted of it. The block's draws
are made whole (cheap); only the wanted images are laid out, painted, resampled and augmented
(``augment._augment_kept`` keeps each augmenter's draws those of the whole block), so each comes
out byte for byte as the whole block makes it. ``DigitSequence.generate_picked`` does this for
``generate_batch`` and ``compose_picked`` for ``compose``; SequenceDataset reads through them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import seeding
from .compose import Composed, noise_goes_last, split_texts
from .errors import InvalidInputError
from .render import insert_separator_gaps
from .seeding import BLOCK_SIZE

if TYPE_CHECKING:
    from .generator import DigitSequence


@dataclass(frozen=True)
class Pick:
    """Images ``keep`` (increasing positions) of block ``block`` of a ``generate_batch`` call with
    seed ``seed``, whose block holds ``sequences`` (all of them: their digits and gaps decide
    what the kept images draw)."""

    seed: int
    block: int
    sequences: tuple
    keep: tuple[int, ...]

    def __post_init__(self):
        seeding.check_seed(self.seed)
        if not seeding.is_int(self.block):
            raise InvalidInputError(f"block must be a whole number, got {self.block!r}", field="block")
        seeding.check_first_index(self.block * BLOCK_SIZE)
        n = len(self.sequences)
        if not 0 < n <= BLOCK_SIZE:
            raise InvalidInputError(f"a block holds 1 to {BLOCK_SIZE} sequences, got {n}", field="digits")
        keep = list(self.keep)
        whole = bool(keep) and all(map(seeding.is_int, keep))
        if not (whole and all(a < b for a, b in zip(keep, keep[1:])) and 0 <= keep[0] and keep[-1] < n):
            raise InvalidInputError(
                f"keep must be one or more increasing positions 0 to {n - 1} in the block, got {keep!r}",
                field="keep",
            )


def compose_picked(
    generator: DigitSequence,
    blocks: list[tuple[int, list[str], list[int]]],
    seed: int,
    separator_width: int,
    uniform_separators: bool = True,
    noise_after_gaps: bool | str = True,
) -> Composed:
    """Of each (block number, every text of the block, positions kept) of ``blocks``, the kept
    images of ``compose(generator, texts, seed, separator_width, first_index=...)``, block after
    block, with exactly its bytes and annotations (the same seeding rules: see compose.py)."""
    width = int(generator.config.image.width)
    split = [split_texts(list(texts), separator_width, width) for _, texts, _ in blocks]
    widest = max((int(counts.max()) for _, _, counts in split if len(counts)), default=0)
    noise_last = noise_goes_last(generator, noise_after_gaps, widest, separator_width)
    # Each kept image becomes one output row; the picks of one separator count share a width.
    texts_out: list[str] = []
    gaps_out: list[list[int]] = []
    by_count: dict[int, list[tuple[Pick, list[int]]]] = {}
    for (block, texts, keep), (labels, gaps, counts) in zip(blocks, split):
        rows = {j: len(texts_out) + r for r, j in enumerate(keep)}
        texts_out += [texts[j] for j in keep]
        gaps_out += [gaps[j] for j in keep]
        if uniform_separators:
            pick = Pick(seed, block, tuple(labels), tuple(keep))
            by_count.setdefault(int(counts[0]), []).append((pick, [rows[j] for j in keep]))
            continue
        for k in sorted({int(counts[j]) for j in keep}):
            members = np.flatnonzero(counts == k).tolist()  # compose's separator group of the block
            wanted = [r for r, m in enumerate(members) if m in rows]
            group_seed = seeding.separator_group_seed(seed, block, k)
            pick = Pick(group_seed, 0, tuple(labels[m] for m in members), tuple(wanted))
            by_count.setdefault(k, []).append((pick, [rows[members[r]] for r in wanted]))
    n = len(texts_out)
    if not n:
        raise InvalidInputError("no images picked; keep at least one", field="keep")
    images = None
    boxes: list = [None] * n
    sources: list = [None] * n
    labels_out: list = [None] * n
    for k, picks in by_count.items():
        batch = generator.generate_picked(
            [pick for pick, _ in picks],
            image_width=width - k * separator_width,
            as_uint8=True,
            image_augmentation=not noise_last,
        )
        if images is None:
            images = np.empty((n, batch.images.shape[1], width), dtype=np.uint8)
        for j, row in enumerate(row for _, rows in picks for row in rows):
            images[row], boxes[row] = insert_separator_gaps(
                batch.images[j], batch.boxes[j], gaps_out[row], separator_width
            )
            sources[row], labels_out[row] = batch.source_indices[j], batch.labels[j]
    assert images is not None  # n > 0 images were rendered
    if noise_last:
        row = 0
        for block, texts, keep in blocks:
            mask = np.zeros(len(texts), dtype=bool)
            mask[list(keep)] = True
            chunk = slice(row, row + len(keep))
            images[chunk] = generator.augment_whole_images(
                images[chunk], seeding.noise_seed(seed, block), mask
            )
            row += len(keep)
    return Composed(labels_out, texts_out, boxes, sources, images)
