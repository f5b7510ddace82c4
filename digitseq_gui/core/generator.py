"""DigitSequence: pick real MNIST digits, augment them, lay them out, return image + boxes.

Randomness comes in blocks of BLOCK_SIZE images: block ``b`` of a call with seed ``s`` draws
everything (which digit images, the gaps, the augmentation) from ``SeedSequence(s, spawn_key=(b,))``.
A block is generated in one go, all its digits augmented in one imgaug call, so the same seed
gives byte-identical images however a batch is cut into chunks (in multiples of the block) and
however many processes make them.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from . import layout
from .config import Config, load_config
from .dataset import DIGIT_SIZE, DigitDataset, load_dataset
from .digits import label_of, parse_digits
from .errors import InputTypeError, InvalidInputError
from .imagefile import save_named
from .transform import DigitAugmenter

BLOCK_SIZE = 64
MAX_SEED = 2**63 - 1


@dataclass
class SequenceImage:
    """One generated image with what an exporter needs to label it.

    ``boxes`` is (n, 4) int32: x_min, y_min, x_max, y_max of each digit's ink in output pixels,
    max exclusive. ``source_indices`` are the digits' rows in the original data file.
    """

    image: np.ndarray
    label: str
    boxes: np.ndarray
    source_indices: np.ndarray
    seed: int


@dataclass
class SequenceBatch:
    images: np.ndarray  # (N, 28, W) float32
    labels: list[str]
    boxes: list[np.ndarray]
    source_indices: list[np.ndarray]
    seed: int

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> SequenceImage:
        return SequenceImage(self.images[i], self.labels[i], self.boxes[i], self.source_indices[i], self.seed)


def check_seed(seed: object) -> int:
    if not layout.is_int(seed):
        raise InputTypeError(f"seed must be a whole number, got {seed!r}", field="seed")
    if not 0 <= int(seed) <= MAX_SEED:
        raise InvalidInputError(f"seed must be between 0 and {MAX_SEED}, got {seed}", field="seed")
    return int(seed)


class DigitSequence:
    """Generates images of digit sequences from a digit data set (the embedded MNIST by default).

    ``config`` is a Config, a path to a JSON config file, or None for the defaults. ``dataset`` is
    a loaded DigitDataset, a source for ``load_dataset`` ("mnist", a folder, an .npz), or None for
    the config's. ``seed`` seeds the stream of per-call seeds, so a whole session is reproducible.
    """

    def __init__(self, config: Config | str | Path | None = None,
                 dataset: DigitDataset | str | Path | None = None, seed: int | None = None):
        if config is None:
            config = Config()
        elif isinstance(config, (str, Path)):
            config = load_config(config)
        elif not isinstance(config, Config):
            raise InputTypeError(f"config must be a Config, a path to a JSON file or None, got {type(config).__name__}", field="config")
        self.config = config.validated()
        if not isinstance(dataset, DigitDataset):
            dataset = load_dataset(dataset if dataset is not None else self.config.dataset.source,
                                   self.config.dataset.split)
        self.dataset = dataset
        self._seeds = np.random.default_rng(None if seed is None else check_seed(seed))
        self._augmenter: DigitAugmenter | None = None
        self._augmenter_key: tuple | None = None

    # -- the seed-compatible API -------------------------------------------------------------

    def generate_numbers_sequence(self, digits, spacing_range, image_width) -> np.ndarray:
        """The image of ``digits``: (28, image_width) float32, 1.0 background, 0.0 ink."""
        return self.generate(digits, spacing_range, image_width).image

    def save_image(self, image: np.ndarray, digits, save_dir: str | Path = ".") -> Path:
        """Save as ``seq_0123.png`` (format from the config) in ``save_dir``; never overwrites."""
        label = label_of(parse_digits(digits))
        return save_named(image, f"seq_{label}", save_dir, self.config.output_format)

    # -- the richer API ----------------------------------------------------------------------

    def generate(self, digits, spacing_range=None, image_width=None, seed: int | None = None) -> SequenceImage:
        """One image with its label, boxes and the seed that reproduces it."""
        return self.generate_batch([digits], spacing_range, image_width, seed)[0]

    def generate_batch(self, sequences: Iterable, spacing_range=None, image_width=None,
                       seed: int | None = None, first_index: int = 0) -> SequenceBatch:
        """Images for many sequences at once (the fast path for data sets).

        ``spacing_range`` and ``image_width`` default to the config's. ``first_index`` numbers
        the first image (a multiple of BLOCK_SIZE): a data set cut into chunks calls this once
        per chunk with the same seed and gets exactly the images one big call would give.
        """
        parsed = [parse_digits(s) for s in sequences]
        if not parsed:
            raise InvalidInputError("no sequences to generate; give at least one", field="digits")
        if spacing_range is None:
            spacing_range = self.config.spacing_range
        if image_width is None:
            image_width = self.config.image.width
        low, high = layout.check_spacing_range(spacing_range)
        longest = max(len(p) for p in parsed)
        width = layout.check_image_width(image_width, longest)
        spacing = self.config.spacing
        layout.check_spacing_type(spacing.type, spacing.subtype)
        if spacing.type == "fixed":
            for count in sorted({len(p) for p in parsed}):
                layout.check_fixed_width(width, count, DIGIT_SIZE, spacing.subtype, low, high,
                                         self.config.image.trim_padding)
        else:
            for count in sorted({len(p) for p in parsed}):
                layout.check_image_width(width, count)
        self.dataset.require_digits(np.concatenate(parsed))
        if not layout.is_int(first_index) or first_index < 0 or first_index % BLOCK_SIZE:
            raise InvalidInputError(f"first_index must be a non-negative multiple of {BLOCK_SIZE}, got {first_index}")
        seed = int(self._seeds.integers(0, MAX_SEED)) if seed is None else check_seed(seed)

        images = np.empty((len(parsed), DIGIT_SIZE, width), dtype=np.float32)
        boxes: list[np.ndarray] = []
        sources: list[np.ndarray] = []
        for start in range(0, len(parsed), BLOCK_SIZE):
            block = (first_index + start) // BLOCK_SIZE
            block_boxes, block_sources = self._render_block(
                parsed[start: start + BLOCK_SIZE], images[start: start + BLOCK_SIZE], seed, block, low, high)
            boxes.extend(block_boxes)
            sources.extend(block_sources)
        return SequenceBatch(images, [label_of(p) for p in parsed], boxes, sources, seed)

    # -- internals ---------------------------------------------------------------------------

    def _augmenter_for_config(self) -> DigitAugmenter | None:
        enabled = self.config.image.enabled_augmentations()
        if not enabled:
            return None
        key = tuple(sorted(enabled.items()))
        if key != self._augmenter_key:
            self._augmenter, self._augmenter_key = DigitAugmenter(enabled), key
        return self._augmenter

    def _render_block(self, sequences: Sequence[np.ndarray], out: np.ndarray, seed: int, block: int,
                      low: int, high: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
        entropy = np.random.SeedSequence(seed, spawn_key=(block,))
        pick_seed, gap_seed = entropy.spawn(2)
        digit_aug_seed, image_aug_seed = (int(v) for v in entropy.generate_state(2))
        all_digits = np.concatenate(sequences)

        # Uniform choice among each label's images, all digits of the block in one draw.
        data = self.dataset
        positions = (np.random.default_rng(pick_seed).random(len(all_digits)) * data.label_counts[all_digits]).astype(np.int64)
        rows = data.sampling_table[all_digits, positions]
        ink = np.asarray(data.images[rows])
        augmenter = self._augmenter_for_config()
        if augmenter is not None:
            ink = augmenter.augment_digits(ink, digit_aug_seed)

        extents = _ink_extents(ink)
        trim = self.config.image.trim_padding
        cell_start = np.where(extents.has_ink & trim, extents.x0, 0)
        cell_width = np.where(extents.has_ink & trim, extents.x1 - extents.x0, DIGIT_SIZE)

        gap_rng = np.random.default_rng(gap_seed)
        spacing = self.config.spacing
        width = out.shape[2]
        ink_out = np.zeros((len(sequences), DIGIT_SIZE, width), dtype=np.uint8)
        boxes, sources = [], []
        offset = 0
        for i, digits in enumerate(sequences):
            k = slice(offset, offset + len(digits))
            offset += len(digits)
            box = _place(ink[k], cell_start[k], cell_width[k], extents, k, spacing.type, spacing.subtype,
                         low, high, gap_rng, ink_out[i])
            boxes.append(box)
            sources.append(data.source_indices[rows[k]])
        if augmenter is not None:
            ink_out = augmenter.augment_images(ink_out, image_aug_seed)
        # Ink 0-255 becomes 1 - ink/255: white background, black ink, on the exact 1/255 grid
        # that 8-bit files store, so a saved PNG holds exactly the generated array.
        out[...] = 1.0 - ink_out.astype(np.float32) / np.float32(255.0)
        return boxes, sources


@dataclass
class _Extents:
    has_ink: np.ndarray
    x0: np.ndarray
    x1: np.ndarray
    y0: np.ndarray
    y1: np.ndarray


def _ink_extents(ink: np.ndarray) -> _Extents:
    """Per digit: whether it has ink, and the tight column/row range of its ink (end exclusive)."""
    columns = ink.max(axis=1) > 0
    rows = ink.max(axis=2) > 0
    size = ink.shape[1]
    return _Extents(
        has_ink=columns.any(axis=1),
        x0=columns.argmax(axis=1), x1=size - columns[:, ::-1].argmax(axis=1),
        y0=rows.argmax(axis=1), y1=size - rows[:, ::-1].argmax(axis=1),
    )


def _place(ink, cell_start, cell_width, extents, k, spacing_type, subtype, low, high, gap_rng, canvas) -> np.ndarray:
    """Lay out one sequence's digits on ``canvas`` (28, W) uint8 ink; return its boxes."""
    n = len(ink)
    width = canvas.shape[1]
    gaps_needed = layout.gap_count(n, subtype)
    if spacing_type == "variable":
        gaps = layout.variable_gaps(gap_rng, gaps_needed, low, high)
        slack = 0
    else:
        gaps, slack = layout.fixed_gaps(width - int(cell_width.sum()), gaps_needed, low, high)
    lead = int(gaps[0]) if subtype == "edge" else 0
    inner = gaps[1:-1] if subtype == "edge" else gaps
    x = slack // 2 + lead + np.concatenate(([0], np.cumsum(cell_width[:-1] + inner)))
    strip_width = int(x[-1] + cell_width[-1] + (int(gaps[-1]) if subtype == "edge" else 0) + (slack - slack // 2))

    has_ink = extents.has_ink[k]
    shift = x - cell_start  # cell column c lands at strip column c + shift
    boxes = np.empty((n, 4), dtype=np.int32)
    boxes[:, 0] = np.where(has_ink, extents.x0[k] + shift, x)
    boxes[:, 2] = np.where(has_ink, extents.x1[k] + shift, x + cell_width)
    boxes[:, 1] = np.where(has_ink, extents.y0[k], 0)
    boxes[:, 3] = np.where(has_ink, extents.y1[k], DIGIT_SIZE)

    if strip_width == width:
        for j in range(n):
            canvas[:, x[j]: x[j] + cell_width[j]] = ink[j, :, cell_start[j]: cell_start[j] + cell_width[j]]
        return boxes
    # Variable spacing: build the strip, then resample it to the width. The box masks ride along
    # as extra rows of the same resize, so each box covers exactly the columns its ink reached.
    strip = np.zeros((DIGIT_SIZE + n, strip_width), dtype=np.float32)
    for j in range(n):
        strip[:DIGIT_SIZE, x[j]: x[j] + cell_width[j]] = ink[j, :, cell_start[j]: cell_start[j] + cell_width[j]]
        strip[DIGIT_SIZE + j, boxes[j, 0]: boxes[j, 2]] = 1.0
    resized = _resize_columns(strip, width)
    canvas[:] = np.clip(np.rint(resized[:DIGIT_SIZE]), 0, 255).astype(np.uint8)
    masks = resized[DIGIT_SIZE:] > 0
    boxes[:, 0] = masks.argmax(axis=1)
    boxes[:, 2] = width - masks[:, ::-1].argmax(axis=1)
    return boxes


def _resize_columns(strip: np.ndarray, width: int) -> np.ndarray:
    """Resample the strip's columns to ``width``: area averaging when shrinking, linear when
    growing. Both weigh neighbours with non-negative weights, so nothing overshoots [0, 255]
    (the seed's bicubic resize gave values of -0.10 and 1.08)."""
    from .imgaug_compat import cv2

    cv = cv2()
    interpolation = cv.INTER_AREA if strip.shape[1] > width else cv.INTER_LINEAR
    return cv.resize(strip, (width, strip.shape[0]), interpolation=interpolation)
