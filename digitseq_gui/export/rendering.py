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
    rows: tuple  # splits.DigitRows.key: source, file split, start, stop, writers ("" = all)
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
    images: np.ndarray  # (n, H, W) uint8, 255 = white
    writers: list[np.ndarray] | None = None  # per image, each digit's writer (-1: unknown)
    writer: np.ndarray | None = None  # (n,) each image's one writer (sampling.writer = same), else -1

    def __len__(self) -> int:
        return len(self.labels)


def generator_for(config: dict, rows: tuple):
    from ..engine.config import Config
    from ..engine.data.dataset import shared_dataset
    from ..engine.generator import DigitSequence
    from .splits import DigitRows

    newest = _LOCAL.__dict__.get("newest")
    if newest is not None and newest[0] is config and newest[1] == rows:
        return newest[2]  # the same spec's config again (a data set reads one part): no JSON key
    generators = _LOCAL.__dict__.setdefault("generators", {})
    key = (json.dumps(config, sort_keys=True), rows)
    if key not in generators:
        selection = DigitRows(*rows)
        data = shared_dataset(selection.source, selection.file_split)
        selected = selection.select(data.writers, len(data))
        if selected is not None:
            what = (
                f"writers {selection.writers}"
                if selection.writers
                else f"rows {selection.start}-{selection.stop - 1}"
            )
            data = data.subset(selected, f"{data.name} {what}")
        if len(generators) > 8:
            generators.clear()
        generators[key] = DigitSequence(Config.from_dict(config), dataset=data, seed=0)
    _LOCAL.newest = (config, rows, generators[key])
    return generators[key]


def render_blocks(spec: RenderSpec, start: int, texts: list[str]) -> Rendered:
    """Images [start, start + len(texts)) of a part whose texts are ``texts``; ``start`` must be a
    multiple of BLOCK_SIZE. The engine's one route from text to pixels (``engine.compose``),
    with the part's seed (noise last, over the gaps, per block, as everywhere)."""
    from ..engine.compose import compose

    composed = compose(
        generator_for(spec.config, spec.rows),
        list(texts),
        spec.seed,
        spec.separator_width,
        first_index=start,
        uniform_separators=spec.uniform_separators,
    )
    return Rendered(
        start,
        composed.labels,
        composed.texts,
        composed.boxes,
        composed.sources,
        composed.images,
        composed.writers,
        composed.writer,
    )
