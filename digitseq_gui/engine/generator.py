"""DigitSequence: the facade over the engine's steps.

    sample digits (sampling.py) -> augment them (augment.py) -> lay them out (layout.py)
    -> paint and resample (render.py) -> augment the whole image -> output

with every seed, block and stream rule in seeding.py. ``generate_batch`` draws and augments per
block of BLOCK_SIZE images and runs the other steps on a group of blocks at once, vectorised;
``generate`` runs them for one image in plain Python where numpy's per-call overhead would
dominate. Both give the same bytes for the same seed (a test holds them equal).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

from . import finish, imageinfo, layout, render, sampling, scaling, seeding, symbols
from .augment import AUGMENTATIONS_BY_NAME, DigitAugmenter
from .config import Config, load_config
from .data.dataset import DIGIT_SIZE, DigitDataset, shared_dataset
from .data.writer_index import sequence_masks
from .digits import digit_values, label_of, parse_digits, parse_many
from .errors import InputTypeError, InvalidInputError
from .imagefile import save_named
from .picked import Pick
from .seeding import BLOCK_SIZE, MAX_SEED, check_seed
from .sequences import DEFAULT_SEPARATOR_WIDTH, SEPARATORS

__all__ = [
    "BLOCK_SIZE",
    "MAX_SEED",
    "DigitSequence",
    "SequenceBatch",
    "SequenceImage",
    "check_layout",
    "check_seed",
]


# Blocks rendered together by generate_batch: numpy's and OpenCV's per-call costs spread over
# up to 512 images instead of 64, as long as their pixels stay few (wide images: fewer blocks, so
# the scratch arrays stay small). Draws and augmentation stay per block: the bytes do not depend on it.
GROUP_BLOCKS = 8
GROUP_PIXELS = 1 << 22
# Blank columns each side of a drawn symbol's ink in an untrimmed layout (an MNIST digit's
# 20-pixel box sits in its 28-pixel cell with 4 columns each side).
SYMBOL_MARGIN = 4


class _BlockSpan(NamedTuple):
    """One block of a render group: its number, and its digits and images within the group."""

    block: int
    digit_start: int
    digit_stop: int
    image_start: int
    image_stop: int
    gap_count: int | None  # gaps it draws (variable spacing), None for fixed spacing


# What an image made for its pixels alone carries instead of boxes and rows (read-only, shared).
_NO_BOXES = np.empty((0, 4), dtype=np.int32)
_NO_SOURCES = np.empty(0, dtype=np.int64)
_NO_BOXES.flags.writeable = _NO_SOURCES.flags.writeable = False


@dataclass
class SequenceImage:
    """One generated image with what an exporter needs to label it.

    ``boxes`` is (n, 4) int32: x_min, y_min, x_max, y_max of each digit's ink in output pixels,
    max exclusive. ``source_indices`` are the digits' rows in the original data file, ``writers``
    their writers' ids (-1 where the data set does not say who wrote a digit).
    """

    image: np.ndarray  # (height, width) float32, 1.0 background
    label: str
    boxes: np.ndarray
    source_indices: np.ndarray
    seed: int
    writers: np.ndarray | None = None  # (n,) int32 per digit; None only for a bare image
    writer: int = -1  # the one writer of every digit (sampling.writer = same), else -1


@dataclass
class SequenceBatch:
    images: np.ndarray  # (N, height, width) float32, or uint8 (255 = white) with as_uint8
    labels: list[str]
    boxes: list[np.ndarray]
    source_indices: list[np.ndarray]
    seed: int
    writers: list[np.ndarray] = field(default_factory=list)  # per image, each digit's writer (-1: unknown)
    # With image_augmentation=False and whole-image augmentation configured: the seed each block
    # of the call would have noised with, for a caller that noises later (engine.compose).
    noise_seeds: list[int] | None = None
    writer: np.ndarray | None = None  # (N,) int32: each image's one writer (sampling.writer = same), else -1

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> SequenceImage:
        writers = self.writers[i] if self.writers else None
        writer = -1 if self.writer is None else int(self.writer[i])
        return SequenceImage(
            self.images[i], self.labels[i], self.boxes[i], self.source_indices[i], self.seed, writers, writer
        )


def check_layout(config: Config, lengths: Iterable[int], spacing_range, image_width) -> tuple[int, int, int]:
    """``layout.check_layout`` for MNIST-sized digit cells: (min gap, max gap, width) or a clear error."""
    return layout.check_layout(config, lengths, spacing_range, image_width, DIGIT_SIZE)


class DigitSequence:
    """Generates images of digit sequences from a digit data set (the embedded MNIST by default).

    ``config`` is a Config, a path to a JSON config file, or None for the defaults; it is read
    when the generator is made (make a new one for another configuration). ``dataset`` is a
    loaded DigitDataset, a source for ``load_dataset`` ("mnist", a folder, an .npz), or None for
    the config's. ``seed`` seeds the stream of per-call seeds, so a whole session is reproducible.
    """

    def __init__(
        self,
        config: Config | str | Path | None = None,
        dataset: DigitDataset | str | Path | None = None,
        seed: int | None = None,
    ):
        if config is None:
            config = Config()
        elif isinstance(config, (str, Path)):
            config = load_config(config)
        elif not isinstance(config, Config):
            raise InputTypeError(
                f"config must be a Config, a path to a JSON file or None, got {type(config).__name__}",
                field="config",
            )
        self.config = config.validated()
        if not isinstance(dataset, DigitDataset):
            dataset = shared_dataset(
                dataset if dataset is not None else self.config.dataset.source, self.config.dataset.split
            )
        self.dataset = dataset
        self._seeds = seeding.session_stream(seed)
        self._variable = self.config.spacing.type == "variable"
        self._subtype = self.config.spacing.subtype
        self._trim = self.config.image.trim_padding
        self._same_writer = self.config.sampling.writer == "same"
        self._height, self._fit = self.config.image.height, self.config.image.fit
        self._enabled_augmentations = self.config.image.enabled_augmentations()
        self._drawn = self.config.separators.style == "drawn"
        self._plain_finish = finish.is_plain(self.config)  # no ink, paper, colour or capture
        self._augmenter: DigitAugmenter | None = None
        self._source: sampling.DigitSource | None = None
        if self._same_writer:
            self._digit_source().writer_index()  # refused up front for a data set without writers
        self._checked_layouts: dict[tuple, tuple[int, int, int]] = {}
        # The newest single image and the call that made it, so that save_image can record the
        # settings that really made it (the seed-compatible call returns a bare array).
        self._newest: tuple[weakref.ref, int, int, int, int] | None = None

    # -- the seed-compatible API -------------------------------------------------------------

    def generate_numbers_sequence(self, digits, spacing_range, image_width) -> np.ndarray:
        """The image of ``digits``: (height, image_width) float32, 1.0 background, 0.0 ink
        (height from the config, 28 by default)."""
        if spacing_range is None or image_width is None:
            raise InputTypeError(
                "generate_numbers_sequence needs spacing_range, a (min, max) pair, and "
                "image_width, a whole number of pixels; neither may be None",
                field="spacing_range" if spacing_range is None else "image_width",
            )
        return self._generate_one(digits, spacing_range, image_width, None, annotate=False).image

    def save_image(
        self,
        image: np.ndarray,
        digits,
        save_dir: str | Path = ".",
        *,
        seed: int | None = None,
        text: str | None = None,
        writers: tuple[int, list[int]] | None = None,
    ) -> Path:
        """Save as ``seq_0123.png`` (format from the config) in ``save_dir``; never overwrites.
        A PNG carries its label, ``text`` (the sequence as given; the label by default), ``seed``
        (when given), ``writers`` (the image's writer and its digits', when given: see
        ``writers_of``) and this generator's settings in text chunks (see ``image_info``)."""
        if self._drawn and symbols.has_symbols(digits):
            label = symbols.parse_characters([digits])[2][0]
        else:
            label = label_of(parse_digits(digits))
        return save_named(
            image,
            f"seq_{symbols.file_name_safe(label)}",
            save_dir,
            self.config.output_format,
            self._info_of(image, label, seed, text, writers),
        )

    def image_info(
        self,
        label: str,
        seed: int | None = None,
        text: str | None = None,
        index: int | None = None,
        writers: tuple[int, list[int]] | None = None,
    ) -> dict[str, str]:
        """The PNG text chunks of an image of this generator (imageinfo.metadata)."""
        return imageinfo.metadata(label, seed, self.config.to_dict(), text, index, writers)

    @staticmethod
    def writers_of(result: SequenceImage) -> tuple[int, list[int]] | None:
        """(the image's writer, its digits' writers) of a result, as ``save_image`` records them."""
        return None if result.writers is None else (int(result.writer), result.writers.tolist())

    def _info_of(self, image, label: str, seed: int | None, text: str | None, writers=None) -> dict[str, str]:
        """The chunks of an image being saved. Its seed and settings (with the spacing range and
        width of the call) are recorded only for the newest single image this generator made:
        for any other array they are not known, and a wrong record would be worse than none."""
        newest = self._newest
        if newest is None or newest[0]() is not image:
            return imageinfo.metadata(label, seed, None, text, writers=writers)
        _, made_seed, low, high, width = newest
        settings = self.config.to_dict()
        settings["spacing"].update(min=low, max=high)
        settings["image"]["width"] = width
        return imageinfo.metadata(label, made_seed if seed is None else seed, settings, text, writers=writers)

    # -- the richer API ----------------------------------------------------------------------

    def generate(
        self,
        digits,
        spacing_range=None,
        image_width=None,
        seed: int | None = None,
        separator_width: int = DEFAULT_SEPARATOR_WIDTH,
    ) -> SequenceImage:
        """One image with its label, boxes, provenance and the seed that reproduces it: exactly
        image 0 of ``generate_batch([digits], spacing_range, image_width, seed)``. ``digits`` may
        be a sequence text with separators (``090-1234-5678``): each separator is a blank gap of
        ``separator_width`` pixels, as in an export of that text with that seed. With ink, paper,
        colour or capture settings (finish.py) the image is finished as the export finishes it."""
        # the batch route draws writers and symbols and finishes; compose (through it) makes gaps
        if (
            self._same_writer
            or self._has_gaps(digits)
            or (self._drawn and symbols.has_symbols(digits))
            or not self._plain_finish
        ):
            seed = seeding.next_call_seed(self._seeds) if seed is None else check_seed(seed)
            batch = self.generate_batch(
                [digits], spacing_range, image_width, seed, separator_width=separator_width
            )
            result = batch[0]
            low, high = self._default_range(spacing_range)
            self._newest = (
                weakref.ref(result.image),
                seed,
                int(low),
                int(high),
                int(self._default_width(image_width)),
            )
            return result
        return self._generate_one(digits, spacing_range, image_width, seed, annotate=True)

    def generate_batch(
        self,
        sequences: Iterable,
        spacing_range=None,
        image_width=None,
        seed: int | None = None,
        first_index: int = 0,
        as_uint8: bool = False,
        image_augmentation: bool = True,
        separator_width: int = DEFAULT_SEPARATOR_WIDTH,
        finishing: bool = True,
    ) -> SequenceBatch:
        """Images for many sequences at once (the fast path for data sets).

        ``spacing_range`` and ``image_width`` default to the config's. ``first_index`` numbers
        the first image (a multiple of BLOCK_SIZE): a data set cut into chunks calls this once
        per chunk with the same seed and gets exactly the images one big call would give.
        ``as_uint8`` returns 0-255 images (255 = white), exactly ``round(image * 255)`` of the
        float ones, without making the float ones first: what 8-bit files and arrays store.
        ``image_augmentation=False`` leaves out the whole-image augmentations (noise), for a
        caller that changes the images first and then calls ``augment_whole_images``.
        Sequence texts with separators (``12/05/2024``) take the engine's route from text to
        pixels (``engine.compose``), each separator a blank gap of ``separator_width`` pixels.
        So do images with ink, paper, colour or capture settings (finish.py), which compose adds
        after the gaps; ``finishing=False`` leaves them out (compose itself asks for that).
        """
        if (
            isinstance(sequences, (str, bytes))
            or not hasattr(sequences, "__iter__")
            or (isinstance(sequences, np.ndarray) and sequences.ndim == 0)
        ):
            raise InputTypeError(
                "sequences must be a list of digit sequences, e.g. ['0123', '987']; "
                "for a single sequence use generate()",
                field="digits",
            )
        sequences = list(sequences)
        if not sequences:
            raise InvalidInputError("no sequences to generate; give at least one", field="digits")
        if any(self._has_gaps(s) for s in sequences) or (finishing and not self._plain_finish):
            return self._composed_batch(
                sequences,
                spacing_range,
                image_width,
                seed,
                first_index,
                as_uint8,
                image_augmentation,
                separator_width,
            )
        # Drawn separators: symbols are characters with codes from SYMBOL_CODE (symbols.py).
        digits, counts, labels = symbols.parse_characters(sequences) if self._drawn else parse_many(sequences)
        low, high, width = check_layout(
            self.config,
            set(counts.tolist()),
            self._default_range(spacing_range),
            self._default_width(image_width),
        )
        self.dataset.require_digits(digits[digits < symbols.SYMBOL_CODE])
        first_index = seeding.check_first_index(first_index)
        seed = seeding.next_call_seed(self._seeds) if seed is None else check_seed(seed)

        height = self._height
        images = np.empty((len(counts), height, width), dtype=np.uint8 if as_uint8 else np.float32)
        boxes = np.empty((len(digits), 4), dtype=np.int32)
        sources = np.empty(len(digits), dtype=np.int64)
        writers = np.empty(len(digits), dtype=np.int32)
        noise_seeds: list[int] = []
        digit_first = np.concatenate(([0], np.cumsum(counts))).tolist()
        gap_counts = (counts + 1 if self._subtype == "edge" else counts - 1) if self._variable else None
        # uint8 images are rendered in place as ink, then inverted; float ones from a reused buffer.
        group_blocks = max(1, min(GROUP_BLOCKS, GROUP_PIXELS // (BLOCK_SIZE * height * width)))
        group_size = min(group_blocks * BLOCK_SIZE, len(counts))
        buffer = None if as_uint8 else np.empty((group_size, height, width), dtype=np.uint8)
        workspace = render.Workspace()
        all_blocks = list(seeding.blocks(len(counts), first_index))
        for g in range(0, len(all_blocks), group_blocks):
            group = all_blocks[g : g + group_blocks]
            start, stop = group[0][0], group[-1][1]
            d0, d1 = digit_first[start], digit_first[stop]
            ink = images[start:stop] if buffer is None else buffer[: stop - start]  # None: uint8
            spans = [
                _BlockSpan(
                    block,
                    digit_first[a] - d0,
                    digit_first[b] - d0,
                    a - start,
                    b - start,
                    None if gap_counts is None else int(gap_counts[a:b].sum()),
                )
                for a, b, block in group
            ]
            noise_seeds += self._render_group(
                digits[d0:d1],
                counts[start:stop],
                spans,
                seed,
                low,
                high,
                ink,
                boxes[d0:d1],
                sources[d0:d1],
                writers[d0:d1],
                image_augmentation,
                workspace,
            )
            render.ink_to_output(ink, images[start:stop])
        return SequenceBatch(
            images,
            labels,
            [boxes[a:b] for a, b in zip(digit_first[:-1], digit_first[1:])],
            [sources[a:b] for a, b in zip(digit_first[:-1], digit_first[1:])],
            seed,
            [writers[a:b] for a, b in zip(digit_first[:-1], digit_first[1:])],
            noise_seeds if not image_augmentation and self.has_whole_image_augmentation else None,
            writers[digit_first[:-1]] if self._same_writer else np.full(len(counts), -1, dtype=np.int32),
        )

    def _has_gaps(self, sequence) -> bool:
        """Whether ``sequence`` is a text with blank gaps between its characters (``090-1234``;
        with drawn separators only spaces and underscores are gaps)."""
        if not isinstance(sequence, str):
            return False
        if self._drawn:
            return any(c in symbols.GAP_ONLY for c in sequence.strip())
        return any(c in SEPARATORS for c in sequence.strip())

    def _composed_batch(
        self,
        sequences,
        spacing_range,
        image_width,
        seed,
        first_index,
        as_uint8,
        image_augmentation,
        separator_width,
    ) -> SequenceBatch:
        """``generate_batch`` of texts with separators, by ``engine.compose``. Texts with different
        numbers of separators are seeded per (block, count), as an export part that mixes them."""
        from .compose import compose

        texts = [s if isinstance(s, str) else label_of(parse_digits(s)) for s in sequences]
        first_index = seeding.check_first_index(first_index)
        seed = seeding.next_call_seed(self._seeds) if seed is None else check_seed(seed)
        composed = compose(
            self,
            texts,
            seed,
            separator_width,
            first_index,
            uniform_separators=len(
                {len(symbols.label_and_gaps(t, self.config.separators.style)[1]) for t in texts}
            )
            == 1,
            spacing_range=spacing_range,
            image_width=image_width,
            image_augmentation=image_augmentation,
        )
        images = composed.images
        if not as_uint8:
            images = render.ink_to_output(255 - images, np.empty(images.shape, dtype=np.float32))
        return SequenceBatch(
            images,
            composed.labels,
            composed.boxes,
            composed.sources,
            seed,
            composed.writers,
            writer=composed.writer,
        )

    def generate_picked(
        self,
        picks: Iterable[Pick],
        spacing_range=None,
        image_width=None,
        as_uint8: bool = False,
        image_augmentation: bool = True,
    ) -> SequenceBatch:
        """The kept images of each pick (picked.Pick: seed, block, the block's sequences, keep),
        pick after pick: image ``keep[j]`` of a pick is exactly image ``block * BLOCK_SIZE +
        keep[j]`` of ``generate_batch(..., finishing=False)`` with the pick's seed (writers,
        drawn symbols and noise included), but only the kept images are laid out, painted,
        resampled and augmented. ``noise_seeds`` (image_augmentation=False): one per pick."""
        picks = list(picks)
        if not picks or not all(isinstance(p, Pick) for p in picks):
            raise InputTypeError("picks must be a non-empty list of picked.Pick", field="picks")
        every_sequence = [s for p in picks for s in p.sequences]
        parse = symbols.parse_characters if self._drawn else parse_many
        every_digit, every_count, every_label = parse(every_sequence)
        low, high, width = check_layout(
            self.config,
            set(every_count.tolist()),
            self._default_range(spacing_range),
            self._default_width(image_width),
        )
        self.dataset.require_digits(every_digit[every_digit < symbols.SYMBOL_CODE])
        augmented = self._augmenter_for_config() is not None
        every_gap = None
        if self._variable:
            every_gap = every_count + 1 if self._subtype == "edge" else every_count - 1
        # Each block draws whole; the kept images take their digits', gaps' and writers' share.
        block_sizes = [len(p.sequences) for p in picks]
        block_starts = np.cumsum([0] + block_sizes)[:-1]
        keep = np.zeros(len(every_count), dtype=bool)  # every image of every block: kept or not
        keep[[first + j for p, first in zip(picks, block_starts.tolist()) for j in p.keep]] = True
        digit_totals = np.add.reduceat(every_count, block_starts).tolist()
        gap_totals = None if every_gap is None else np.add.reduceat(every_gap, block_starts).tolist()
        drawn = [
            seeding.draw_block(
                p.seed,
                p.block,
                digits,
                None if gap_totals is None else gap_totals[i],
                low,
                high,
                augmented,
                size if self._same_writer else None,
            )
            for i, (p, digits, size) in enumerate(zip(picks, digit_totals, block_sizes))
        ]
        image_keep = np.split(keep, block_starts[1:])
        digit_keep = np.repeat(keep, every_count)
        kept_split = np.cumsum(np.add.reduceat(np.where(keep, every_count, 0), block_starts))[:-1]
        uniforms = np.split(np.concatenate([d.uniforms for d in drawn])[digit_keep], kept_split)
        gaps: list = [None] * len(picks)
        if every_gap is not None:
            gap_split = np.cumsum(np.add.reduceat(np.where(keep, every_gap, 0), block_starts))[:-1]
            gaps = np.split(np.concatenate([d.gaps for d in drawn])[np.repeat(keep, every_gap)], gap_split)
        chosen: list = [
            None if d.writer_uniforms is None else d.writer_uniforms[k] for d, k in zip(drawn, image_keep)
        ]
        draws = [
            d._replace(uniforms=u, gaps=g, writer_uniforms=w)
            for d, u, g, w in zip(drawn, uniforms, gaps, chosen)
        ]
        masks = list(zip(np.split(digit_keep, np.cumsum(digit_totals)[:-1]), image_keep))
        kept_digits = np.split(every_digit[digit_keep], kept_split)
        counts = every_count[keep]
        labels = [every_label[i] for i in np.flatnonzero(keep).tolist()]
        digit_first = np.concatenate(([0], np.cumsum(counts))).tolist()
        image_first = np.cumsum([0] + [len(p.keep) for p in picks]).tolist()
        n, digit_total = len(counts), digit_first[-1]
        out = np.empty((n, self._height, width), dtype=np.uint8 if as_uint8 else np.float32)
        boxes = np.empty((digit_total, 4), dtype=np.int32)
        sources = np.empty(digit_total, dtype=np.int64)
        writers = np.empty(digit_total, dtype=np.int32)
        noise_seeds: list[int] = []
        gap_counts = [None if d.gaps is None else len(d.gaps) for d in draws]
        workspace = render.Workspace()
        # Picks rendered together as generate_batch groups blocks: up to GROUP_PIXELS at a time.
        group_images = max(1, min(GROUP_BLOCKS * BLOCK_SIZE, GROUP_PIXELS // (self._height * width)))
        p = 0
        while p < len(picks):
            q = p + 1
            while q < len(picks) and image_first[q + 1] - image_first[p] <= group_images:
                q += 1
            start, stop = image_first[p], image_first[q]
            d0, d1 = digit_first[start], digit_first[stop]
            spans = [
                _BlockSpan(
                    picks[i].block,
                    digit_first[image_first[i]] - d0,
                    digit_first[image_first[i + 1]] - d0,
                    image_first[i] - start,
                    image_first[i + 1] - start,
                    gap_counts[i],
                )
                for i in range(p, q)
            ]
            ink = (
                out[start:stop] if as_uint8 else np.empty((stop - start, self._height, width), dtype=np.uint8)
            )
            noise_seeds += self._render_drawn(
                np.concatenate(kept_digits[p:q]),
                counts[start:stop],
                spans,
                draws[p:q],
                low,
                high,
                ink,
                boxes[d0:d1],
                sources[d0:d1],
                writers[d0:d1],
                image_augmentation,
                workspace,
                masks[p:q],
            )
            render.ink_to_output(ink, out[start:stop])
            p = q
        return SequenceBatch(
            out,
            labels,
            [boxes[a:b] for a, b in zip(digit_first[:-1], digit_first[1:])],
            [sources[a:b] for a, b in zip(digit_first[:-1], digit_first[1:])],
            picks[0].seed,
            [writers[a:b] for a, b in zip(digit_first[:-1], digit_first[1:])],
            noise_seeds if not image_augmentation and self.has_whole_image_augmentation else None,
            writers[digit_first[:-1]] if self._same_writer else np.full(n, -1, dtype=np.int32),
        )

    def augment_whole_images(
        self, images: np.ndarray, seed: int, keep: np.ndarray | None = None
    ) -> np.ndarray:
        """Apply the config's whole-image augmentations (noise) to finished uint8 images
        (255 = white), reproducibly for ``seed``; images are returned unchanged when there are none.
        ``keep``: ``images`` are the ones ``keep`` marks of a larger call, and get what it gives them."""
        augmenter = self._augmenter_for_config()
        if augmenter is None:
            return images
        return 255 - augmenter.augment_images(255 - images, seeding.whole_image_seed(seed), keep)

    @property
    def has_whole_image_augmentation(self) -> bool:
        return any(AUGMENTATIONS_BY_NAME[name].whole_image for name in self._enabled_augmentations)

    # -- internals ---------------------------------------------------------------------------

    def _default_range(self, spacing_range):
        return self.config.spacing_range if spacing_range is None else spacing_range

    def _default_width(self, image_width):
        return self.config.image.width if image_width is None else image_width

    def _layout(self, spacing_range, image_width, length: int) -> tuple[int, int, int]:
        """``check_layout`` for one length, remembered for plain (int, int) ranges and int widths."""
        spacing_range, image_width = self._default_range(spacing_range), self._default_width(image_width)
        key = None
        if (
            type(spacing_range) is tuple
            and type(image_width) is int
            and len(spacing_range) == 2
            and type(spacing_range[0]) is int
            and type(spacing_range[1]) is int
        ):
            key = (spacing_range, image_width, length)
            checked = self._checked_layouts.get(key)
            if checked is not None:
                return checked
        checked = check_layout(self.config, (length,), spacing_range, image_width)
        if key is not None:
            if len(self._checked_layouts) > 256:
                self._checked_layouts.clear()
            self._checked_layouts[key] = checked
        return checked

    def _digit_source(self) -> sampling.DigitSource:
        if self._source is None:
            self._source = sampling.source_for(self.dataset)
        return self._source

    def _augmenter_for_config(self) -> DigitAugmenter | None:
        if self._augmenter is None and self._enabled_augmentations:
            self._augmenter = DigitAugmenter(self._enabled_augmentations)
        return self._augmenter

    def _generate_one(
        self, digits, spacing_range, image_width, seed: int | None, annotate: bool
    ) -> SequenceImage:
        """The steps of ``_render_group`` for a block of one image, in plain Python; without
        ``annotate`` the boxes and source rows are left out (None)."""
        if self._drawn and symbols.has_symbols(digits):  # symbols are drawn by the batch route only
            batch = self.generate_batch([digits], spacing_range, image_width, seed)
            return batch[0]
        values = digit_values(digits)
        n = len(values)
        low, high, width = self._layout(spacing_range, image_width, n)
        source = self._digit_source()
        if source.missing_digits(values):
            self.dataset.require_digits(np.asarray(values))  # raises, naming the missing digits
        seed = seeding.next_call_seed(self._seeds) if seed is None else check_seed(seed)
        augmenter = self._augmenter_for_config()
        draws = seeding.draw_one(
            seed,
            n,
            layout.gap_count(n, self._subtype) if self._variable else None,
            low,
            high,
            augmenter is not None,
        )
        rows = source.rows_one(values, draws.uniforms)
        ink: np.ndarray | list[np.ndarray]
        extents: list[list[int]]  # has_ink, x0, x1, y0, y1 per digit: read to trim or to annotate
        if augmenter is not None:
            ink = augmenter.augment_digits(source.images[rows], seeding.augmentation_seed(draws.digit_seed))
            extents = np.stack(sampling.ink_extents(ink), axis=1).tolist()
        else:
            ink = [source.images[row] for row in rows]  # views: nothing is copied before the paint
            extents = source.extents(rows).tolist() if annotate or self._trim else []
        cell_height, cell_width = source.cell_height, source.cell_width
        if self._trim:
            cell_start = [e[1] if e[0] else 0 for e in extents]
            widths = [e[2] - e[1] if e[0] else cell_width for e in extents]
            narrowest = layout.min_cell_width(low)
            if narrowest > 1:  # overlaps: widen narrow cells to the right of their ink
                for i, w in enumerate(widths):
                    if w < narrowest:
                        cell_start[i] = min(cell_start[i], cell_width - narrowest)
                        widths[i] = narrowest
            tiles = [digit[:, start : start + w] for digit, start, w in zip(ink, cell_start, widths)]
        else:
            cell_start, widths, tiles = [0] * n, [cell_width] * n, list(ink)
        laid_out = scaling.layout_width(width, self._height, cell_height, self._fit)
        blank_runs = layout.blank_runs_one(widths, draws.gaps, laid_out, self._subtype, low, high)
        strip = render.paint_one(tiles, blank_runs)
        ink_out, (box_h, box_w, top, left) = scaling.fit_one(strip, self._height, width, self._fit)
        if augmenter is not None:
            ink_out = augmenter.augment_images(ink_out[None], seeding.augmentation_seed(draws.image_seed))[0]
        image = render.ink_to_float(ink_out)
        self._newest = (weakref.ref(image), seed, low, high, width)
        if not annotate:
            return SequenceImage(image, "", _NO_BOXES, _NO_SOURCES, seed)  # only the image is wanted
        label = "".join(map(str, values))
        x, strip_width = layout.positions(widths, blank_runs)
        boxes = []  # the ink's extent in its cell, moved to where the cell landed, then resampled
        for (has_ink, x0, x1, y0, y1), at, start, w in zip(extents, x, cell_start, widths):
            x0, x1 = (x0 + at - start, x1 + at - start) if has_ink else (at, at + w)
            y0, y1 = (y0, y1) if has_ink else (0, cell_height)
            x0, x1 = render.map_columns_one(x0, x1, strip_width, box_w)
            y0, y1 = render.map_columns_one(y0, y1, cell_height, box_h)
            boxes.append((x0 + left, y0 + top, x1 + left, y1 + top))
        return SequenceImage(
            image,
            label,
            np.array(boxes, dtype=np.int32),
            source.source_indices[rows],
            seed,
            source.writers_of(rows),
        )

    def _render_group(
        self,
        digits: np.ndarray,
        counts: np.ndarray,
        spans: list[_BlockSpan],
        seed: int,
        low: int,
        high: int,
        ink_out: np.ndarray,
        boxes: np.ndarray,
        sources: np.ndarray,
        writers: np.ndarray,
        image_augmentation: bool,
        workspace: render.Workspace,
    ) -> list[int]:
        """Consecutive blocks: their ink into ``ink_out`` (B, H, W) uint8, their digits' boxes,
        rows and writers. Each block draws from its own stream and is augmented with its own
        seeds; the layout, paint and resampling (the same for any grouping) run once for the
        group. Returns each block's whole-image seed (for noise left to the caller)."""
        augmented = self._augmenter_for_config() is not None
        draws = [
            seeding.draw_block(
                seed,
                span.block,
                span.digit_stop - span.digit_start,
                span.gap_count,
                low,
                high,
                augmented,
                span.image_stop - span.image_start if self._same_writer else None,
            )
            for span in spans
        ]
        return self._render_drawn(
            digits,
            counts,
            spans,
            draws,
            low,
            high,
            ink_out,
            boxes,
            sources,
            writers,
            image_augmentation,
            workspace,
        )

    def _render_drawn(
        self,
        digits: np.ndarray,
        counts: np.ndarray,
        spans: list[_BlockSpan],
        draws: list[seeding.BlockDraws],
        low: int,
        high: int,
        ink_out: np.ndarray,
        boxes: np.ndarray,
        sources: np.ndarray,
        writers: np.ndarray,
        image_augmentation: bool,
        workspace: render.Workspace,
        kept: list[tuple[np.ndarray, np.ndarray]] | None = None,
    ) -> list[int]:
        """``_render_group`` from the blocks' draws on. ``kept`` (picked.py): per span, the masks of
        the block's digits and images that ``digits``, ``counts`` and the draws hold (the draws
        already cut to them), so that the augmenters draw for the whole block and the kept images
        get the whole block's bytes. Every other step works per image or per digit."""
        source = self._digit_source()
        augmenter = self._augmenter_for_config()
        uniforms = np.concatenate([d.uniforms for d in draws])
        is_symbol = digits >= symbols.SYMBOL_CODE
        drawn = bool(is_symbol.any())
        # A symbol's uniform seeds its drawing; its row is a stand-in, replaced by the drawn cell.
        rows = source.rows(np.where(is_symbol, int(np.argmax(source.label_counts)), digits), uniforms)
        if self._same_writer:
            index = source.writer_index()
            chosen = index.choose_writers(
                sequence_masks(digits, counts, is_symbol), np.concatenate([d.writer_uniforms for d in draws])
            )
            wanted = ~is_symbol
            rows[wanted] = index.rows(np.repeat(chosen, counts)[wanted], digits[wanted], uniforms[wanted])
        ink = source.images[rows]
        if drawn:
            symbols.draw_in_block(ink, digits, counts, uniforms)
        if augmenter is not None:
            ink = np.concatenate(
                [
                    augmenter.augment_digits(
                        ink[span.digit_start : span.digit_stop],
                        seeding.augmentation_seed(d.digit_seed),
                        None if kept is None else kept[i][0],
                    )
                    for i, (span, d) in enumerate(zip(spans, draws))
                ]
            )
            has_ink, ink_x0, ink_x1, ink_y0, ink_y1 = sampling.ink_extents(ink)
        else:
            has_ink, ink_x0, ink_x1, ink_y0, ink_y1 = source.extents(rows).T
            has_ink = has_ink.astype(bool)
            if drawn:
                at = np.flatnonzero(is_symbol)
                for array, values in zip(
                    (has_ink, ink_x0, ink_x1, ink_y0, ink_y1), sampling.ink_extents(ink[at])
                ):
                    array[at] = values
        gaps = None if spans[0].gap_count is None else np.concatenate([d.gaps for d in draws])
        cell_height, cell_width = ink.shape[1:]
        if self._trim:
            cell_start = np.where(has_ink, ink_x0, 0)
            widths = np.where(has_ink, ink_x1 - ink_x0, cell_width)
            narrowest = layout.min_cell_width(low)
            if narrowest > 1:  # overlaps: widen narrow cells to the right of their ink
                narrow = widths < narrowest
                cell_start = np.where(narrow, np.minimum(cell_start, cell_width - narrowest), cell_start)
                widths = np.where(narrow, narrowest, widths)
        else:
            cell_start = np.zeros(len(digits), dtype=np.int64)
            widths = np.full(len(digits), cell_width, dtype=np.int64)
            if drawn:  # a symbol's cell is its ink and a digit's margin, not a whole digit's cell
                start = np.maximum(ink_x0 - SYMBOL_MARGIN, 0)
                stop = np.minimum(ink_x1 + SYMBOL_MARGIN, cell_width)
                narrowest = max(layout.min_cell_width(low), 1)
                stop = np.maximum(stop, np.minimum(start + narrowest, cell_width))
                start = np.minimum(start, stop - narrowest).clip(0)
                cell_start = np.where(is_symbol & has_ink, start, cell_start)
                widths = np.where(is_symbol & has_ink, stop - start, widths)
        width = ink_out.shape[2]
        laid_out = scaling.layout_width(width, self._height, cell_height, self._fit)
        placement = layout.place_block(counts, widths, gaps, laid_out, self._subtype, low, high)
        box_h, box_w, top, left = render.render_block(
            ink,
            cell_start,
            widths,
            placement.image_of_digit,
            placement.x,
            placement.strip_width,
            ink_out,
            workspace,
            self._fit,
            overlapping=low < 0,
        )
        if augmenter is not None and image_augmentation:
            for i, (span, d) in enumerate(zip(spans, draws)):
                block_ink = ink_out[span.image_start : span.image_stop]
                block_ink[...] = augmenter.augment_images(
                    block_ink, seeding.augmentation_seed(d.image_seed), None if kept is None else kept[i][1]
                )

        # Boxes: the ink's extent in its cell, moved to where the cell landed.
        shift = placement.x - cell_start
        x0 = np.where(has_ink, ink_x0 + shift, placement.x)
        x1 = np.where(has_ink, ink_x1 + shift, placement.x + widths)
        y0, y1 = np.where(has_ink, ink_y0, 0), np.where(has_ink, ink_y1, cell_height)
        image = placement.image_of_digit
        x0, x1 = render.map_columns(x0, x1, placement.strip_width[image], box_w[image])
        y0, y1 = render.map_columns(y0, y1, np.full(len(y0), cell_height), box_h[image])
        boxes[:, 0], boxes[:, 2] = x0 + left[image], x1 + left[image]
        boxes[:, 1], boxes[:, 3] = y0 + top[image], y1 + top[image]
        # a drawn symbol has no row and no writer
        sources[:] = np.where(is_symbol, -1, source.source_indices[rows])
        writers[:] = np.where(is_symbol, -1, source.writers_of(rows))
        # the blocks' image seeds (drawn only when there is an augmenter)
        return [d.image_seed for d in draws if d.image_seed is not None]
