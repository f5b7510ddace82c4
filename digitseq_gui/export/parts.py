"""The images of a data set, apart from how they are written: its parts (the whole set, or train /
val / test), each part's texts, seed and digit rows, and how its images are rendered.

``ImagesSpec`` is what decides the pixels and labels (sequences, count, config, seed, splits,
unique, separator width): no folder, no format, no workers. ``plan_parts`` checks it and works out
the parts; ``plan_export`` builds an export on them, and SequenceDataset reads the same images
from them without writing anything. ``stream_part`` is the one part of an endless stream (no count,
no splits: only the split its digits come from).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..engine import seeding
from ..engine.config import Config
from ..engine.errors import InputTypeError, InvalidInputError
from ..engine.seeding import check_seed
from ..engine.sequences import DEFAULT_SEPARATOR_WIDTH, MAX_SEPARATOR_WIDTH, SequenceSource, SequenceTexts
from . import splits as splitting
from .rendering import Rendered, RenderSpec, render_blocks


@dataclass(frozen=True)
class ImagesSpec:
    """Everything that decides a data set's images and labels. ``count`` None means the length
    of an explicit list."""

    sequences: SequenceSource
    count: int | None = None
    config: Config = field(default_factory=Config)
    seed: int = 0
    splits: dict | str | None = None
    unique: bool = False
    separator_width: int = DEFAULT_SEPARATOR_WIDTH


@dataclass(frozen=True)
class Part:
    """One part: its texts are ``stream`` texts [offset, offset + count), drawn as ``render`` says."""

    name: str  # "" without splits
    number: int
    offset: int
    count: int
    seed: int
    render: RenderSpec
    digits: dict  # the digit rows, as the manifest describes them


@dataclass
class Parts:
    """The checked spec's parts and the texts they share."""

    config: Config  # validated
    seed: int
    count: int
    stream: SequenceTexts
    parts: list[Part]
    fractions: dict[str, float]
    fingerprints: dict[str, str]  # data file -> fingerprint, of the files the parts read

    def part_named(self, name: str | None) -> Part | None:
        return next((p for p in self.parts if p.name == (name or "")), None)

    def texts(self, part: Part, start: int, stop: int) -> list[str]:
        """The texts of images [start, stop) of ``part``."""
        start, stop = max(0, start), min(part.count, stop)
        return self.stream.texts(part.offset + start, part.offset + stop)


def check_separator_width(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InputTypeError(
            f"separator width must be a whole number, got {value!r}", field="separator_width"
        )
    if not 0 <= value <= MAX_SEPARATOR_WIDTH:
        raise InvalidInputError(
            f"separator width must be between 0 and {MAX_SEPARATOR_WIDTH}, got {value}",
            field="separator_width",
        )
    return int(value)


def check_sequences(source: object) -> None:
    if not isinstance(source, SequenceSource):
        raise InputTypeError(
            "sequences must come from sequences.explicit/from_file/random_lengths/pattern", field="digits"
        )


def plan_parts(spec: ImagesSpec, writer_splits: bool = True) -> Parts:
    """Check ``spec`` and work out its parts (time and memory do not grow with the count).
    ``writer_splits``: val from writers held out of train (issue 17); False: the row rule of
    exports made before it (splits.py)."""
    from ..engine.data.dataset import shared_dataset

    if not isinstance(spec.config, Config):
        raise InputTypeError(f"config must be a Config, got {type(spec.config).__name__}", field="config")
    config = spec.config.validated()
    seed = check_seed(spec.seed)
    check_separator_width(spec.separator_width)
    check_sequences(spec.sequences)
    count = spec.count
    if count is None:
        count = spec.sequences.default_count()
        if count is None:
            raise InvalidInputError("say how many images to make (count)", field="count")
    stream = SequenceTexts(spec.sequences, count, seed, spec.unique)
    fractions = splitting.parse_splits(spec.splits)
    counts = splitting.split_counts(fractions, count)
    if not fractions:
        files_needed = {config.dataset.split}
    else:
        files_needed = ({"train"} if set(counts) - {"test"} else set()) | (
            {"test"} if "test" in counts else set()
        )
    datasets = {name: shared_dataset(config.dataset.source, name) for name in sorted(files_needed)}
    fingerprints = {name: d.fingerprint for name, d in datasets.items()}
    splitting.check_files_differ(fingerprints)
    sizes = {name: len(d) for name, d in datasets.items()}
    style = config.separators.style
    check_layouts(config, stream.shapes(style), spec.separator_width)
    check_writers(config, datasets.values())
    by_writer = writer_splits and "train" in datasets and splitting_by_writer(datasets["train"])
    parts, offset = [], 0
    for number, (name, n) in enumerate(counts.items()):
        rows, rule = splitting.digit_rows(name, config.dataset.source, config.dataset.split, sizes, by_writer)
        part_seed = seed if name == "" else seeding.part_seed(seed, number)
        render = RenderSpec(
            config.to_dict(),
            rows.key,
            part_seed,
            spec.separator_width,
            spec.sequences.uniform_separators(offset, n, style),
        )
        digits = rows.describe(fingerprints[rows.file_split], rule, datasets[rows.file_split].writers)
        parts.append(Part(name, number, offset, n, part_seed, render, digits))
        offset += n
    return Parts(config, seed, count, stream, parts, fractions, fingerprints)


def stream_part(config: Config, split: str, shapes: set[tuple[int, int]], separator_width: int) -> RenderSpec:
    """How a stream of ``split`` ('' = the config's data file) renders: the digit rows (the
    export's leakage-free rule), after the export's up-front layout checks for every (digits,
    separators) shape the stream can make. Each block then renders with its own seed."""
    from ..engine.data.dataset import shared_dataset

    check_separator_width(separator_width)
    files = {config.dataset.split} if not split else {"test"} if split == "test" else {"train"}
    loaded = {name: shared_dataset(config.dataset.source, name) for name in files}
    sizes = {name: len(d) for name, d in loaded.items()}
    check_writers(config, loaded.values())
    by_writer = "train" in loaded and splitting_by_writer(loaded["train"])
    rows, _ = splitting.digit_rows(split, config.dataset.source, config.dataset.split, sizes, by_writer)
    if split == "test":  # a folder with a single IDX pair would serve train digits as test
        splitting.check_files_differ(
            {name: shared_dataset(config.dataset.source, name).fingerprint for name in ("train", "test")}
        )
    check_layouts(config, shapes, separator_width)
    return RenderSpec(config.to_dict(), rows.key, 0, separator_width)


def splitting_by_writer(train) -> bool:
    """Whether val can be held out by writer: the training file says who wrote its digits, and
    has enough writers for the rule to hold some out (else the row rule applies)."""
    return train.writers is not None and len(np.unique(train.writers)) >= splitting.WRITER_HOLDOUT_EVERY


def check_writers(config: Config, datasets) -> None:
    """``sampling.writer = same`` needs every data file it draws from to name its writers:
    refused up front, saying how to supply them."""
    if config.sampling.writer != "same":
        return
    from ..engine.sampling import source_for

    for dataset in datasets:
        source_for(dataset).writer_index()  # raises, saying how to supply a writers file


def render_texts(
    render: RenderSpec,
    start: int,
    texts: list[str],
    seed: int | None = None,
    uniform_separators: bool | None = None,
) -> Rendered:
    """Images ``start``..``start + len(texts)`` (start a multiple of BLOCK_SIZE) as the export
    renders them; ``seed`` and ``uniform_separators`` replace the part's (a stream's blocks)."""
    if seed is not None:
        render = replace(render, seed=seed, uniform_separators=bool(uniform_separators))
    return render_blocks(render, start, list(texts))


def render_picked(render: RenderSpec, blocks: list[tuple[int, list[str], list[int]]]):
    """Of each (block number, all its texts, positions kept), the kept images of the part as the
    export renders them, block after block, without the rest of their blocks (engine.picked):
    an engine.compose.Composed of just those."""
    from ..engine.picked import compose_picked
    from .rendering import generator_for

    return compose_picked(
        generator_for(render.config, render.rows),
        blocks,
        render.seed,
        render.separator_width,
        uniform_separators=render.uniform_separators,
    )


def check_layouts(config: Config, shapes: set[tuple[int, int]], gap: int) -> None:
    """Every (digits, separators) shape of the export must fit before anything is written: the
    digits are laid out in the width the separator gaps leave."""
    from ..engine.generator import check_layout

    most = max(k for _, k in shapes)
    if most * gap >= config.image.width:
        raise InvalidInputError(
            f"{most} separator gap(s) of {gap} px leave nothing of the {config.image.width} px image for the "
            "digits; use a wider image or a smaller separator width",
            field="separator_width",
        )
    for separators in sorted({k for _, k in shapes}):
        check_layout(
            config,
            [n for n, k in shapes if k == separators],
            config.spacing_range,
            config.image.width - separators * gap,
        )
