"""Rendering one chunk of an export: runs in a worker process (spawn-safe) or in the caller.

A task carries everything by value (the config as a dict, the digit rows, the sequence texts),
so a process started with 'spawn' needs nothing from its parent. Each process keeps its
generators, one per (config, digit rows), between tasks.

Reproducibility: when every image of the part has the same number of separator gaps (always the
case for random lengths and patterns) a chunk is one ``generate_batch(labels, seed=part_seed,
first_index=chunk_start)`` call, so by the engine's block contract (BLOCK_SIZE images per block,
block b seeded from (seed, b)) any chunk size that is a multiple of BLOCK_SIZE gives the same
bytes. Otherwise (explicit lists mixing separator counts) each block is split by separator count
and each group is seeded from (part seed, block, count): still a function of the block alone.

Separators: the digits are generated at the image width minus the gaps, then a blank column run
of ``separator_width`` pixels is inserted halfway between the two digits' boxes, and the boxes
to its right move over.
"""
from __future__ import annotations

import signal
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .formats import write_chunk_files

# Per thread: exports may run in threads too (a Dask worker with threads, the window's QThread).
_LOCAL = threading.local()


@dataclass
class ChunkTask:
    part: str
    chunk: int  # number within the part
    start: int  # index of the first image within the part (a multiple of BLOCK_SIZE)
    texts: list[str]
    config: dict
    rows: tuple[str, str, int, int]  # source, file split, start, stop
    seed: int
    separator_width: int
    encode: str | None  # image file format ("png", "jpeg") or None for raw uint8 arrays
    folder: str | None = None  # where to write the chunk's files; None: return the images instead
    export_format: str = "png"  # png, jsonl or npz
    name_digits: int = 6  # image files are images/<index, zero-padded to this many digits><extension>
    extension: str = ".png"
    # Whether every sequence of the whole part has the same number of separators: it decides how
    # chunks are seeded, so it must be a property of the part, never of one chunk.
    uniform_separators: bool = True


@dataclass
class ChunkResult:
    part: str
    chunk: int
    start: int
    labels: list[str]
    texts: list[str]
    boxes: list[np.ndarray]
    sources: list[np.ndarray]
    images: np.ndarray | None  # (n, 28, W) uint8, when the task names no folder


def init_worker() -> None:
    """Worker initializer: Ctrl+C is the parent's to handle (it cancels cleanly), and one thread
    per process for OpenCV, since the processes already use every core."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from ..engine.imgaug_compat import cv2

    cv2().setNumThreads(1)


def generator_for(config: dict, rows: tuple[str, str, int, int]):
    from ..engine.config import Config
    from ..engine.data.dataset import load_dataset
    from ..engine.generator import DigitSequence
    import json

    generators = _LOCAL.__dict__.setdefault("generators", {})
    key = (json.dumps(config, sort_keys=True), rows)
    if key not in generators:
        source, file_split, start, stop = rows
        data = load_dataset(source, file_split)
        if (start, stop) != (0, len(data)):
            data = data.subset(np.arange(start, stop), f"{data.name} rows {start}-{stop - 1}")
        if len(generators) > 8:
            generators.clear()
        generators[key] = DigitSequence(Config.from_dict(config), dataset=data, seed=0)
    return generators[key]


def render_chunk(task: ChunkTask) -> ChunkResult:
    from ..engine.generator import BLOCK_SIZE
    from ..engine.imagefile import encode
    from ..engine.sequences import split_text

    generator = generator_for(task.config, task.rows)
    width = int(task.config["image"]["width"])
    split = [split_text(t) for t in task.texts]
    labels = [label for label, _ in split]
    gaps = [[j for j, s in enumerate(seps) if s] for _, seps in split]
    counts = np.array([len(g) for g in gaps])
    n = len(labels)
    images = np.empty((n, 28, width), dtype=np.uint8)
    boxes: list = [None] * n
    sources: list = [None] * n
    groups = []
    if task.uniform_separators:
        groups.append((np.arange(n), task.seed, task.start))
    else:
        for block_start in range(0, n, BLOCK_SIZE):
            block = (task.start + block_start) // BLOCK_SIZE
            members = np.arange(block_start, min(n, block_start + BLOCK_SIZE))
            for k in sorted(set(counts[members].tolist())):
                entropy = np.random.SeedSequence(task.seed, spawn_key=(block, k, 0x5E9))
                groups.append((members[counts[members] == k], int(entropy.generate_state(1, np.uint64)[0]) >> 1, 0))
    # Noise goes on last, over the separator gaps too (else a model could learn the clean
    # stripes), one call per block of BLOCK_SIZE images so that any chunk size gives the same bytes.
    noise_last = generator.has_whole_image_augmentation
    for members, seed, first_index in groups:
        k = int(counts[members[0]])
        batch = generator.generate_batch([labels[i] for i in members], image_width=width - k * task.separator_width,
                                         seed=seed, first_index=first_index, as_uint8=True,
                                         image_augmentation=not noise_last)
        for j, i in enumerate(members):
            images[i], boxes[i] = insert_separator_gaps(batch.images[j], batch.boxes[j], gaps[i], task.separator_width)
            sources[i] = batch.source_indices[j]
    if noise_last:
        for block_start in range(0, n, BLOCK_SIZE):
            block = (task.start + block_start) // BLOCK_SIZE
            noise_seed = int(np.random.SeedSequence(task.seed, spawn_key=(block, 0x4015E)).generate_state(1)[0])
            images[block_start: block_start + BLOCK_SIZE] = generator.augment_whole_images(
                images[block_start: block_start + BLOCK_SIZE], noise_seed)
    result = ChunkResult(task.part, task.chunk, task.start, labels, list(task.texts), boxes, sources, images)
    if task.folder is not None:  # the worker writes, so the calling process only commits labels
        write_chunk_files(Path(task.folder), task.export_format, result, images, task.name_digits, task.extension,
                          lambda image: encode(image, task.encode))
        result.images = None
    return result


def insert_separator_gaps(image: np.ndarray, boxes: np.ndarray, after: list[int], gap: int):
    """Insert ``gap`` white columns after digit j for each j in ``after``, cut halfway between the
    two digits' boxes. Every box edge right of a cut moves right with it, so a box whose ink was
    cut (boxes that overlap, with zero spacing) stretches across the gap: ink never leaves its box."""
    if not after or gap == 0:
        return image, boxes
    cuts, previous = [], 0
    for j in after:
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
