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
from .compose import Composed, split_texts
from .errors import InvalidInputError
from .finish import is_plain
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


def serves(config) -> bool:
    """Whether ``compose_picked`` gives a configuration's images exactly: the one place that
    decides it (SequenceDataset renders whole blocks otherwise). Writers (``sampling.writer``
    same: one writer per image, drawn from the image's own uniform) and drawn symbols (each from
    its own uniform and its image's digits) are per image, so picks serve them; the finishing
    stage (finish.py: ink, paper, capture) draws each block's randomness from one stream for all
    its images at once, so an image of it needs its whole block."""
    return is_plain(config)


def compose_picked(
    generator: DigitSequence,
    blocks: list[tuple[int, list[str], list[int]]],
    seed: int,
    separator_width: int,
    uniform_separators: bool = True,
) -> Composed:
    """Of each (block number, every text of the block, positions kept) of ``blocks``, the kept
    images of ``compose(generator, texts, seed, separator_width, first_index=...)``, block after
    block, with exactly its bytes and annotations (the same seeding rules: see compose.py), for
    a configuration it ``serves``."""
    if not serves(generator.config):
        raise InvalidInputError(
            "picked images cannot be finished (ink, paper, colour or capture settings draw for a "
            "whole block); render whole blocks with engine.compose instead",
            field="config",
        )
    width = int(generator.config.image.width)
    style = generator.config.separators.style
    split = [split_texts(list(texts), style, separator_width, width) for _, texts, _ in blocks]
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
    noise_last = generator.has_whole_image_augmentation
    images = None
    boxes: list = [None] * n
    sources: list = [None] * n
    writers: list = [None] * n
    writer = np.empty(n, dtype=np.int32)
    labels_out: list = [None] * n
    for k, picks in by_count.items():
        batch = generator.generate_picked(
            [pick for pick, _ in picks],
            image_width=width - k * separator_width,
            as_uint8=True,
            image_augmentation=False,
        )
        if images is None:
            images = np.empty((n, batch.images.shape[1], width), dtype=np.uint8)
        j = 0
        for i, (pick, places) in enumerate(picks):
            for row in places:
                images[row], boxes[row] = insert_separator_gaps(
                    batch.images[j], batch.boxes[j], gaps_out[row], separator_width
                )
                sources[row], labels_out[row] = batch.source_indices[j], batch.labels[j]
                writers[row] = batch.writers[j]
                j += 1
            assert batch.writer is not None  # generate_picked always reports it
            writer[places] = batch.writer[j - len(places) : j]
            if noise_last:
                # compose's rule: noise last, over the gaps, on the block drawn together with the
                # seed it drew; the kept images get what the whole block's call gives them.
                assert batch.noise_seeds is not None
                mask = np.zeros(len(pick.sequences), dtype=bool)
                mask[list(pick.keep)] = True
                images[places] = generator.augment_whole_images(images[places], batch.noise_seeds[i], mask)
    assert images is not None  # n > 0 images were rendered
    return Composed(labels_out, texts_out, boxes, sources, images, writers, writer, [""] * n)
