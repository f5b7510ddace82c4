"""Rendering the images of an export part: the export's workers and SequenceDataset call the
engine's one route from text to pixels (``engine.compose``) through here, so a data set item is
byte for byte the exported image (and the window's preview is drawn by the same route).

``RenderSpec`` carries everything by value (the config as a dict, the digit rows, the part seed),
so a process started with 'spawn' needs nothing from its parent. Each process (and thread) keeps
its generators, one per (config, digit rows), between calls.

Reproducibility and separators: see ``engine.compose`` (block b seeded from (part seed, b);
parts mixing separator counts seed each count's group from (part seed, block, count)).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

import numpy as np

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

    newest = _LOCAL.__dict__.get("newest")
    if newest is not None and newest[0] is config and newest[1] == rows:
        return newest[2]  # the same spec's config again (a data set reads one part): no JSON key
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
    _LOCAL.newest = (config, rows, generators[key])
    return generators[key]


def render_blocks(spec: RenderSpec, start: int, texts: list[str]) -> Rendered:
    """Images [start, start + len(texts)) of a part whose texts are ``texts``; ``start`` must be a
    multiple of BLOCK_SIZE. The engine's one route from text to pixels (``engine.compose``),
    with the part's seed and the export's rule: noise last, over the gaps, per block."""
    from ..engine.compose import compose

    composed = compose(
        generator_for(spec.config, spec.rows),
        list(texts),
        spec.seed,
        spec.separator_width,
        first_index=start,
        uniform_separators=spec.uniform_separators,
        noise_after_gaps=True,
    )
    return Rendered(start, composed.labels, composed.texts, composed.boxes, composed.sources, composed.images)
