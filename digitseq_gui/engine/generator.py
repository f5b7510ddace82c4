"""DigitSequence: pick real MNIST digits, augment them, lay them out, return image + boxes.

Randomness comes in blocks of BLOCK_SIZE images: block ``b`` of a call with seed ``s`` draws
everything (which digit images, the gaps, the augmentation) from a Philox stream keyed (s, b).
A block is generated in one go, all its digits augmented in one imgaug call, so the same seed
gives byte-identical images however a batch is cut into chunks (in multiples of the block) and
however many processes make them.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from . import layout, render
from .config import Config, load_config
from .data.dataset import DIGIT_SIZE, DigitDataset, load_dataset
from .digits import label_of, parse_digits
from .errors import InputTypeError, InvalidInputError, LayoutError
from .imagefile import save_named
from .augment import AUGMENTATIONS_BY_NAME, DigitAugmenter

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
    images: np.ndarray  # (N, 28, W) float32, or uint8 (255 = white) with as_uint8
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


def check_layout(config: Config, lengths: Iterable[int], spacing_range, image_width) -> tuple[int, int, int]:
    """Reject up front a layout that could fail for some sequence of these lengths; return
    (min gap, max gap, width). Every check the generator relies on is here, so a caller that
    knows all its lengths in advance (an export) can fail before writing anything."""
    lengths = sorted(set(lengths))
    low, high = layout.check_spacing_range(spacing_range)
    width = layout.check_image_width(image_width, lengths[-1])
    spacing = config.spacing
    layout.check_spacing_type(spacing.type, spacing.subtype)
    if spacing.type != "fixed":
        return low, high, width
    trimmed = config.image.trim_padding
    if len(lengths) > 1 and not trimmed:
        ranges = [layout.fixed_width_range(n * DIGIT_SIZE, layout.gap_count(n, spacing.subtype), low, high) for n in lengths]
        shortest, longest = max(r[0] for r in ranges), min(r[1] for r in ranges)
        if not shortest <= width <= longest:
            works = f"widths that work for all of them: {shortest} to {longest}" if shortest <= longest else \
                "no width works for all of them"
            raise LayoutError(
                f"fixed spacing of {low}-{high} px cannot fill {width} px for every length {lengths[0]}-{lengths[-1]}; "
                f"{works} (or use variable spacing, trim padding, a wider spacing range, or one length)",
                field="image_width")
    for n in lengths:
        layout.check_fixed_width(width, n, DIGIT_SIZE, spacing.subtype, low, high, trimmed)
    return low, high, width


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
        if spacing_range is None or image_width is None:
            raise InputTypeError("generate_numbers_sequence needs spacing_range, a (min, max) pair, and "
                                 "image_width, a whole number of pixels; neither may be None",
                                 field="spacing_range" if spacing_range is None else "image_width")
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
                       seed: int | None = None, first_index: int = 0, as_uint8: bool = False,
                       image_augmentation: bool = True) -> SequenceBatch:
        """Images for many sequences at once (the fast path for data sets).

        ``spacing_range`` and ``image_width`` default to the config's. ``first_index`` numbers
        the first image (a multiple of BLOCK_SIZE): a data set cut into chunks calls this once
        per chunk with the same seed and gets exactly the images one big call would give.
        ``as_uint8`` returns 0-255 images (255 = white), exactly ``round(image * 255)`` of the
        float ones, without making the float ones first: what 8-bit files and arrays store.
        ``image_augmentation=False`` leaves out the whole-image augmentations (noise), for a
        caller that changes the images first and then calls ``augment_whole_images``.
        """
        if isinstance(sequences, (str, bytes)) or not hasattr(sequences, "__iter__"):
            raise InputTypeError("sequences must be a list of digit sequences, e.g. ['0123', '987']; "
                                 "for a single sequence use generate()", field="digits")
        parsed = [parse_digits(s) for s in sequences]
        if not parsed:
            raise InvalidInputError("no sequences to generate; give at least one", field="digits")
        if spacing_range is None:
            spacing_range = self.config.spacing_range
        if image_width is None:
            image_width = self.config.image.width
        low, high, width = check_layout(self.config, {len(p) for p in parsed}, spacing_range, image_width)
        self.dataset.require_digits(np.concatenate(parsed))
        if not layout.is_int(first_index) or first_index < 0 or first_index % BLOCK_SIZE:
            raise InvalidInputError(f"first_index must be a non-negative multiple of {BLOCK_SIZE}, got {first_index}")
        seed = int(self._seeds.integers(0, MAX_SEED)) if seed is None else check_seed(seed)

        images = np.empty((len(parsed), DIGIT_SIZE, width), dtype=np.uint8 if as_uint8 else np.float32)
        boxes: list[np.ndarray] = []
        sources: list[np.ndarray] = []
        for start in range(0, len(parsed), BLOCK_SIZE):
            block = (first_index + start) // BLOCK_SIZE
            block_boxes, block_sources = self._render_block(
                parsed[start: start + BLOCK_SIZE], images[start: start + BLOCK_SIZE], seed, block, low, high,
                image_augmentation)
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

    def augment_whole_images(self, images: np.ndarray, seed: int) -> np.ndarray:
        """Apply the config's whole-image augmentations (noise) to finished uint8 images
        (255 = white), reproducibly for ``seed``; images are returned unchanged when there are none."""
        augmenter = self._augmenter_for_config()
        if augmenter is None:
            return images
        return 255 - augmenter.augment_images(255 - images, check_seed(seed) % 2**32)

    @property
    def has_whole_image_augmentation(self) -> bool:
        return any(AUGMENTATIONS_BY_NAME[name].whole_image for name in self.config.image.enabled_augmentations())

    def _render_block(self, sequences: Sequence[np.ndarray], out: np.ndarray, seed: int, block: int,
                      low: int, high: int, image_augmentation: bool = True) -> tuple[list[np.ndarray], list[np.ndarray]]:
        # One counter-based stream per block, keyed by (seed, block) and always consumed in the
        # same order: digit picks, then gaps, then the augmenters' seeds.
        rng = np.random.Generator(np.random.Philox(key=[seed, block]))
        counts = np.fromiter((len(s) for s in sequences), dtype=np.int64, count=len(sequences))
        digits = np.concatenate(sequences)
        data = self.dataset

        # Uniform choice among each label's images, every digit of the block in one draw.
        positions = (rng.random(len(digits)) * data.label_counts[digits]).astype(np.int64)
        rows = data.sampling_table[digits, positions]
        gaps = self._draw_gaps(rng, counts, low, high)
        ink = data.images[rows]
        augmenter = self._augmenter_for_config()
        if augmenter is not None:  # its seeds are the stream's last draws, so skipping them is safe
            digit_aug_seed, image_aug_seed = (int(v) for v in rng.integers(0, 2**32, size=2))
            ink = augmenter.augment_digits(ink, digit_aug_seed)
        extents = _ink_extents(ink)
        trim = self.config.image.trim_padding
        cell_start = np.where(extents.has_ink & trim, extents.x0, 0)
        widths = np.where(extents.has_ink & trim, extents.x1 - extents.x0, DIGIT_SIZE)

        width = out.shape[2]
        if len(sequences) == 1:  # one image: plain Python beats numpy's per-call overhead
            placement = self._place_one(widths.tolist(), gaps, width, low, high)
            strips = render.paint_one(ink, cell_start.tolist(), widths.tolist(), placement)
        else:
            gap_before, trail = self._spacing(counts, widths, gaps, width, low, high)
            placement = render.place(counts, widths, gap_before, trail)
            strips = render.paint(ink, cell_start, widths, placement)

        # Boxes: the ink's extent in its cell, moved to where the cell landed.
        shift = placement.x - cell_start
        x0 = np.where(extents.has_ink, extents.x0 + shift, placement.x)
        x1 = np.where(extents.has_ink, extents.x1 + shift, placement.x + widths)
        y0 = np.where(extents.has_ink, extents.y0, 0)
        y1 = np.where(extents.has_ink, extents.y1, DIGIT_SIZE)
        if all(w == width for w in placement.strip_width.tolist()):
            ink_out = strips
        else:
            ink_out = render.resample(strips, placement.strip_width, width)
            strip_width = placement.strip_width[placement.image_of_digit]
            x0, x1 = render.map_columns(x0, x1, strip_width, width)
        if augmenter is not None and image_augmentation:
            ink_out = augmenter.augment_images(ink_out, image_aug_seed)
        # Ink 0-255 becomes 1 - ink/255: white background, black ink, on the exact 1/255 grid
        # that 8-bit files store, so a saved PNG holds exactly the generated array.
        if out.dtype == np.uint8:
            np.subtract(255, ink_out, out=out)
        else:
            out[...] = 1.0 - ink_out.astype(np.float32) / np.float32(255.0)

        boxes = np.stack([x0, y0, x1, y1], axis=1).astype(np.int32)
        if len(sequences) == 1:
            return [boxes], [data.source_indices[rows]]
        splits = np.cumsum(counts)[:-1]
        return np.split(boxes, splits), np.split(data.source_indices[rows], splits)

    def _draw_gaps(self, rng: np.random.Generator, counts: np.ndarray, low: int, high: int) -> np.ndarray | None:
        """Variable spacing: every gap of the block, image after image, drawn in one call."""
        if self.config.spacing.type != "variable":
            return None
        total = int(sum(layout.gap_count(int(n), self.config.spacing.subtype) for n in counts))
        return layout.variable_gaps(rng, total, low, high)

    def _place_one(self, widths: list[int], gaps: np.ndarray | None, width: int, low: int, high: int) -> render.Placement:
        """The same layout as ``_spacing`` + ``render.place``, for a single image."""
        n, edge = len(widths), self.config.spacing.subtype == "edge"
        if gaps is None:
            fixed, slack = layout.fixed_gaps(width - sum(widths), n + 1 if edge else n - 1, low, high)
            gap_list = fixed.tolist()
        else:
            gap_list, slack = gaps.tolist(), 0
        lead, inner, trail = (gap_list[0], gap_list[1:-1], gap_list[-1]) if edge else (0, gap_list, 0)
        x = [slack // 2 + lead]
        for digit_width, gap in zip(widths[:-1], inner):
            x.append(x[-1] + digit_width + gap)
        strip_width = x[-1] + widths[-1] + trail + slack - slack // 2
        return render.Placement(np.zeros(n, dtype=np.int64), np.asarray(x, dtype=np.int64),
                                 np.asarray([strip_width], dtype=np.int64))

    def _spacing(self, counts, widths, gaps, width, low, high) -> tuple[np.ndarray, np.ndarray]:
        """Per digit, the space before it (the first digit's includes the left margin); per
        image, the space after its last digit."""
        edge = self.config.spacing.subtype == "edge"
        n_images = len(counts)
        first = np.cumsum(counts) - counts
        if gaps is None:  # fixed: equal gaps solved per image, the remainder spread
            gaps, slack = _fixed_gaps_per_image(counts, widths, width, edge, low, high)
        else:
            slack = np.zeros(n_images, dtype=np.int64)
        gap_counts = counts + 1 if edge else counts - 1
        gap_first = np.cumsum(gap_counts) - gap_counts
        image_of_digit = np.repeat(np.arange(n_images), counts)
        local = np.arange(len(widths)) - first[image_of_digit]
        if edge:  # gaps g0 (left edge), g1..g(n-1) (between), gn (right edge)
            gap_before = gaps[gap_first[image_of_digit] + local]
            trail = gaps[gap_first + counts]
        else:
            has_gap = local > 0
            gap_before = np.zeros(len(widths), dtype=np.int64)
            gap_before[has_gap] = gaps[gap_first[image_of_digit[has_gap]] + local[has_gap] - 1]
            trail = np.zeros(n_images, dtype=np.int64)
        gap_before[first] += slack // 2
        return gap_before, trail + (slack - slack // 2)


def _fixed_gaps_per_image(counts, widths, width, edge, low, high) -> tuple[np.ndarray, np.ndarray]:
    gaps, slack = [], []
    offsets = np.cumsum(counts) - counts
    for start, n in zip(offsets.tolist(), counts.tolist()):
        free = width - int(widths[start: start + n].sum())
        image_gaps, image_slack = layout.fixed_gaps(free, n + 1 if edge else n - 1, low, high)
        gaps.append(image_gaps)
        slack.append(image_slack)
    return np.concatenate(gaps), np.asarray(slack, dtype=np.int64)


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
