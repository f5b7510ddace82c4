"""Rendering the images of an export part: the one code path the export's workers and
SequenceDataset share, so a data set item is byte for byte the exported image.

``RenderSpec`` carries everything by value (the config as a dict, the digit rows, the part seed),
so a process started with 'spawn' needs nothing from its parent. Each process (and thread) keeps
its generators, one per (config, digit rows), between calls.

Reproducibility: when every image of the part has the same number of separator gaps (always the
case for random lengths and patterns) a range is one ``generate_batch(labels, seed=part_seed,
first_index=start)`` call, so by the engine's block contract (BLOCK_SIZE images per block,
block b seeded from (seed, b)) any chunk size that is a multiple of BLOCK_SIZE gives the same
bytes. Otherwise (explicit lists mixing separator counts) each block is split by separator count
and each group is seeded from (part seed, block, count): still a function of the block alone.

Separators: the digits are generated at the image width minus the gaps, then a blank column run
of ``separator_width`` pixels is inserted halfway between the two digits' boxes, and the boxes
to its right move over.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

import numpy as np

from ..engine.render import insert_separator_gaps

# Per thread: exports may run in threads too (a Dask worker with threads, the window's QThread).
_LOCAL = threading.local()


@dataclass(frozen=True)
class RenderSpec:
    """How a part's images are drawn: what plan.part_spec() returns and render_blocks() takes."""

    config: dict
    rows: tuple[str, str, int, int]  # source, file split, start, stop
    seed: int  # the part's seed
    separator_width: int
    # Whether every sequence of the whole part has the same number of separators: it decides how
    # blocks are seeded, so it must be a property of the part, never of one chunk.
    uniform_separators: bool = True


@dataclass
class Rendered:
    """Images [start, start + n) of a part with their annotations."""

    start: int
    labels: list[str]
    texts: list[str]
    boxes: list[np.ndarray]
    sources: list[np.ndarray]
    images: np.ndarray | None  # (n, H, W) uint8, 255 = white; None once written and dropped

    def __len__(self) -> int:
        return len(self.labels)


def generator_for(config: dict, rows: tuple[str, str, int, int]):
    from ..engine.config import Config
    from ..engine.data.dataset import shared_dataset
    from ..engine.generator import DigitSequence

    generators = _LOCAL.__dict__.setdefault("generators", {})
    key = (json.dumps(config, sort_keys=True), rows)
    if key not in generators:
        source, file_split, start, stop = rows
        data = shared_dataset(source, file_split)
        if (start, stop) != (0, len(data)):
            data = data.subset(np.arange(start, stop), f"{data.name} rows {start}-{stop - 1}")
        if len(generators) > 8:
            generators.clear()
        generators[key] = DigitSequence(Config.from_dict(config), dataset=data, seed=0)
    return generators[key]


def render_blocks(spec: RenderSpec, start: int, texts: list[str]) -> Rendered:
    """Images [start, start + len(texts)) of a part whose texts are ``texts``; ``start`` must be a
    multiple of BLOCK_SIZE. Block b (BLOCK_SIZE images) is ``generate_batch(labels, seed=spec.seed,
    first_index=64*b)`` at the width the separator gaps leave, the gaps inserted, then the
    whole-image augmentations (noise) over each block with a seed from (part seed, b)."""
    from ..engine import seeding
    from ..engine.seeding import BLOCK_SIZE
    from ..engine.sequences import split_text

    if start % BLOCK_SIZE:
        raise ValueError(f"render_blocks starts at a multiple of {BLOCK_SIZE}, got {start}")
    generator = generator_for(spec.config, spec.rows)
    width = int(spec.config["image"]["width"])
    split = [split_text(t) for t in texts]
    labels = [label for label, _ in split]
    gaps = [[j for j, s in enumerate(seps) if s] for _, seps in split]
    counts = np.array([len(g) for g in gaps])
    n = len(labels)
    images = None
    boxes: list = [None] * n
    sources: list = [None] * n
    groups = []
    if spec.uniform_separators:
        groups.append((np.arange(n), spec.seed, start))
    else:
        for block_start in range(0, n, BLOCK_SIZE):
            block = (start + block_start) // BLOCK_SIZE
            members = np.arange(block_start, min(n, block_start + BLOCK_SIZE))
            for k in sorted(set(counts[members].tolist())):
                groups.append(
                    (members[counts[members] == k], seeding.separator_group_seed(spec.seed, block, k), 0)
                )
    # Noise goes on last, over the separator gaps too (else a model could learn the clean
    # stripes), one call per block of BLOCK_SIZE images so that any chunk size gives the same bytes.
    noise_last = generator.has_whole_image_augmentation
    for members, seed, first_index in groups:
        k = int(counts[members[0]])
        batch = generator.generate_batch(
            [labels[i] for i in members],
            image_width=width - k * spec.separator_width,
            seed=seed,
            first_index=first_index,
            as_uint8=True,
            image_augmentation=not noise_last,
        )
        if images is None:
            images = np.empty((n, batch.images.shape[1], width), dtype=np.uint8)
        for j, i in enumerate(members):
            images[i], boxes[i] = insert_separator_gaps(
                batch.images[j], batch.boxes[j], gaps[i], spec.separator_width
            )
            sources[i] = batch.source_indices[j]
    if noise_last:
        for block_start in range(0, n, BLOCK_SIZE):
            block = (start + block_start) // BLOCK_SIZE
            images[block_start : block_start + BLOCK_SIZE] = generator.augment_whole_images(
                images[block_start : block_start + BLOCK_SIZE], seeding.noise_seed(spec.seed, block)
            )
    return Rendered(start, labels, list(texts), boxes, sources, images)
