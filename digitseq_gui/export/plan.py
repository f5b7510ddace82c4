"""What an export is, worked out before anything is written, in time and memory that do not
grow with the count: the parts, their seeds and digit rows, the chunks, the manifest.

    >>> from digitseq_gui import export
    >>> from digitseq_gui.engine import sequences
    >>> request = export.ExportRequest("out", count=1000, sequences=sequences.random_lengths(4, 8),
    ...                                format="npz", splits="train=0.8,val=0.1,test=0.1", seed=7)
    >>> result = export.run_export(request, progress=lambda done, total: None, cancel=None)

Reproducibility: the texts come from a SequenceTexts (text i from (seed, i)); part p has its own
seed derived from ``seed``; image i of a part is in block i // BLOCK_SIZE, rendered by
``rendering.render_blocks`` from (part seed, block). So the bytes depend on neither the number
of workers, nor the order chunks finish in, nor the chunk size.

Shards: the chunks of all parts, in order, are numbered 0..C-1; shard I of N owns the contiguous
range [C*(I-1)//N, C*I//N) (``layout.ChunkLayout``, ``plan.layout``).

For SequenceDataset (the same images as the export, without writing them): ``plan_export``,
then ``part_texts``, ``render_seed`` and ``render_range``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Protocol

import numpy as np

from ..engine.alphabet import BLANK, alphabet_for
from ..engine.config import Config
from ..engine.errors import InputTypeError, InvalidInputError
from ..engine.finish import opencv_dependent
from ..engine.imageinfo import export_chunks
from ..engine.imgaug_compat import AUGMENTATION_STACK_NOTE, FINISHING_STACK_NOTE, stack_versions
from ..engine.seeding import BLOCK_SIZE, MAX_SEED, check_seed
from ..engine.sequences import (
    DEFAULT_SEPARATOR_WIDTH,
    SEQUENCE_RULE,
    SequenceSource,
    SequenceTexts,
)
from .formats import COMPRESSIONS, DEFAULT_COMPRESSION, DEFAULT_FORMAT, Format, PartContext, format_named
from .layout import ChunkLayout
from .manifest import SCHEMA, WRITERS_NOTE, made_before_writers
from .parts import ImagesSpec, check_separator_width, check_sequences, plan_parts
from .rendering import Rendered, RenderSpec, render_blocks
from .splits import ROW_RULE, SPLIT_RULE

DEFAULT_CHUNK_SIZE = 512
DEFAULT_SHARD_SIZE = 10_000
MAX_CHUNK_SIZE = 1 << 16
Progress = Callable[[int, int], None]


class CancelFlag(Protocol):
    def is_set(self) -> bool: ...


@dataclass
class ExportRequest:
    """Everything that defines an export (all but ``workers``, ``resume`` and ``overwrite``
    changes the output). ``count`` None means the length of an explicit list."""

    output: str | Path
    sequences: SequenceSource
    count: int | None = None
    config: Config = field(default_factory=Config)
    seed: int = 0
    format: str = DEFAULT_FORMAT
    splits: dict | str | None = None
    unique: bool = False
    separator_width: int = DEFAULT_SEPARATOR_WIDTH
    chunk_size: int = DEFAULT_CHUNK_SIZE
    workers: int = 1
    shard: tuple[int, int] | str | None = None
    resume: bool = False
    overwrite: bool = False
    compression: str = DEFAULT_COMPRESSION  # fast, default or none: deflate effort for png and npz
    shard_size: int = DEFAULT_SHARD_SIZE  # samples per tar (webdataset)


@dataclass
class PartPlan:
    """One part (the whole data set, or train / val / test)."""

    name: str  # "" without splits
    number: int
    offset: int  # the part's first text in the sequence stream
    count: int
    seed: int
    spec: RenderSpec
    context: PartContext
    describe: dict

    @property
    def folder(self) -> Path:
        return self.context.folder


@dataclass
class ExportPlan:
    request: ExportRequest
    config: Config
    output: Path
    format: Format
    stream: SequenceTexts
    parts: list[PartPlan]
    chunk_size: int
    shard: tuple[int, int] | None  # (I, N), or None for the whole export
    manifest: dict

    @cached_property
    def layout(self) -> ChunkLayout:
        return ChunkLayout.from_plan(self)

    def chunk(self, c: int) -> tuple[PartPlan, int, int, int]:
        """Global chunk c -> (part, chunk number in the part, first image, images)."""
        chunk = self.layout.chunk(c)
        return self.parts[chunk.part], chunk.index, chunk.start, chunk.count

    @property
    def owned(self) -> range:
        """The chunks this run (shard) makes."""
        return self.layout.owned

    @property
    def first_chunk(self) -> int:
        return self.layout.owned.start

    @property
    def total(self) -> int:
        return self.layout.owned_images

    def part_named(self, name: str) -> PartPlan:
        for part in self.parts:
            if part.name == name or (name in ("all", None) and part.name == ""):
                return part
        raise InvalidInputError(
            f"the export has no part {name!r}; it has {', '.join(p.describe['name'] for p in self.parts)}",
            field="split",
        )


# -- the public functions SequenceDataset uses ------------------------------------------------


def part_texts(plan: ExportPlan, part: str | PartPlan, start: int, stop: int) -> list[str]:
    """The sequence texts of images [start, stop) of ``part`` ('' or 'all' without splits,
    else 'train' / 'val' / 'test'): exactly what the export labels them."""
    part = part if isinstance(part, PartPlan) else plan.part_named(part)
    start, stop = max(0, start), min(part.count, stop)
    return plan.stream.texts(part.offset + start, part.offset + stop)


def render_seed(plan: ExportPlan, part: str | PartPlan, index: int) -> tuple[int, int]:
    """(part seed, block) image ``index`` of ``part`` is drawn with: its block of BLOCK_SIZE
    images is ``generate_batch(texts, seed=part seed, first_index=block * BLOCK_SIZE)``."""
    part = part if isinstance(part, PartPlan) else plan.part_named(part)
    return part.seed, index // BLOCK_SIZE


def render_range(plan: ExportPlan, part: str | PartPlan, start: int, stop: int) -> Rendered:
    """Images [start, stop) of ``part``, byte for byte what the export writes (uint8, 255 =
    white), with labels, texts, boxes and source indices. Whole blocks are rendered (a block's
    draws depend on all its images) and cut to the range; the export's workers call the same
    ``rendering.render_blocks``."""
    part = part if isinstance(part, PartPlan) else plan.part_named(part)
    start, stop = max(0, int(start)), min(part.count, int(stop))
    first = start - start % BLOCK_SIZE
    last = min(part.count, -(-stop // BLOCK_SIZE) * BLOCK_SIZE)
    rendered = render_blocks(part.spec, first, part_texts(plan, part, first, last))
    a, b = start - first, stop - first
    return Rendered(
        start,
        rendered.labels[a:b],
        rendered.texts[a:b],
        rendered.boxes[a:b],
        rendered.sources[a:b],
        rendered.images[a:b],
    )


# -- planning ---------------------------------------------------------------------------------


def parse_shard(shard) -> tuple[int, int] | None:
    """'2/4' or (2, 4) -> (2, 4): shard 2 of 4, numbered from 1."""
    if shard is None or shard == "":
        return None
    if isinstance(shard, str):
        index, sep, count = shard.partition("/")
        try:
            shard = (int(index), int(count))
        except ValueError:
            raise InvalidInputError(f"shard {shard!r} must be I/N, e.g. 1/4", field="shard") from None
    if not (
        isinstance(shard, (tuple, list))
        and len(shard) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in shard)
    ):
        raise InvalidInputError(
            f"shard {shard!r} must be 'I/N' or a pair of whole numbers (I, N)", field="shard"
        )
    index, count = shard
    if not 1 <= index <= count:
        raise InvalidInputError(f"shard {index}/{count}: I must be between 1 and N", field="shard")
    return int(index), int(count)


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def max_workers() -> int:
    """More worker processes than cores only add memory (each holds the engine, ~150 MB): two at
    least, so that a parallel export can always be tried."""
    return max(2, usable_cores())


def default_workers() -> int:
    """What the CLI and the window start from: a process per core, at most 8 (beyond that the
    writing, not the drawing, is what limits an export)."""
    return min(usable_cores(), 8)


def _whole(value, name: str, field_name: str, low: int, high: int | None = None, why: str = "") -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InputTypeError(f"{name} must be a whole number, got {value!r}", field=field_name)
    if value < low or (high is not None and value > high):
        limit = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise InvalidInputError(f"{name} must be {limit}, got {value}{why}", field=field_name)
    return int(value)


def check_request(request: ExportRequest) -> tuple[Config, Format, int]:
    if not isinstance(request, ExportRequest):
        raise InputTypeError(f"give an ExportRequest, got {type(request).__name__}", field="request")
    if not isinstance(request.config, Config):
        raise InputTypeError(f"config must be a Config, got {type(request.config).__name__}", field="config")
    if not isinstance(request.output, (str, Path)) or not str(request.output).strip():
        raise InputTypeError(f"output must be a folder path, got {request.output!r}", field="output")
    config = request.config.validated()
    fmt = format_named(request.format)
    seed = check_seed(request.seed)
    chunk_size = _whole(request.chunk_size, "chunk size", "chunk_size", BLOCK_SIZE, MAX_CHUNK_SIZE)
    if chunk_size % BLOCK_SIZE:
        raise InvalidInputError(
            f"chunk size must be a positive multiple of {BLOCK_SIZE}, got {chunk_size}", field="chunk_size"
        )
    cores = usable_cores()
    _whole(
        request.workers,
        "workers",
        "workers",
        1,
        max_workers(),
        f" (this machine has {cores} core{'s' if cores != 1 else ''}; more processes than cores only add memory, "
        "about 150 MB each)",
    )
    check_separator_width(request.separator_width)
    _whole(request.shard_size, "shard size", "shard_size", 1, 10**9)
    if request.compression not in COMPRESSIONS:
        raise InvalidInputError(
            f"compression {request.compression!r}: use one of {', '.join(COMPRESSIONS)}", field="compression"
        )
    check_sequences(request.sequences)
    return config, fmt, seed


def plan_export(request: ExportRequest) -> ExportPlan:
    """Check the request and work out the parts, chunks and manifest (writes nothing; time and
    memory do not grow with the count)."""
    from ..version import __version__

    config, fmt, seed = check_request(request)
    shard = parse_shard(request.shard)
    # An export made before issue 17, resumed: its own rules (row split, no writer columns, npz
    # targets as digits padded with -1).
    writers = not (request.resume and made_before_writers(Path(request.output).expanduser()))
    images = plan_parts(
        ImagesSpec(
            request.sequences,
            request.count,
            config,
            seed,
            request.splits,
            request.unique,
            request.separator_width,
        ),
        writer_splits=writers,
    )
    count, stream, fractions = images.count, images.stream, images.fractions
    output = Path(request.output).expanduser()
    label_length, text_length = stream.longest()
    if config.separators.style == "drawn":
        label_length = text_length  # drawn symbols are characters of the label too
    image_format = config.output_format if config.output_format in ("png", "jpeg", "jpg") else "png"
    parts = []
    for part in images.parts:
        name, n = part.name, part.count
        context = PartContext(
            str(output),
            name,
            n,
            image_format,
            request.compression,
            label_length,
            text_length,
            request.shard_size,
            export_chunks(seed, config.to_dict(), name),
            writers=writers,
            ctc_targets=writers,  # both came with issue 17: an older export has neither
        )
        describe = {
            "name": name or "all",
            "folder": name or ".",
            "count": n,
            "seed": part.seed,
            "label_length": label_length,
            "text_length": text_length,
            "digits": part.digits,
        }
        parts.append(PartPlan(name, part.number, part.offset, n, part.seed, part.render, context, describe))
    plan = ExportPlan(request, config, output, fmt, stream, parts, request.chunk_size, shard, manifest={})
    layout = plan.layout
    plan.manifest = {  # made from the plan it describes
        "schema": SCHEMA,
        "package": {"name": "digitseq", "version": __version__},
        "stack": dict(stack_versions(), **_stack_note(config)),
        "status": "partial",
        "seed": seed,
        "count": count,
        "format": fmt.name,
        "image_format": image_format if fmt.name != "npz" else None,
        "compression": request.compression,
        **({"shard_size": request.shard_size} if fmt.name in ("webdataset", "parquet") else {}),
        "sequences": dict(request.sequences.describe(), unique=bool(request.unique), rule=SEQUENCE_RULE),
        "separator_width": request.separator_width,
        # CTC targets: class k + 1 for alphabet[k], the blank class 0 (engine/alphabet.py); an
        # export made before issue 17 has digits padded with -1 and no such keys.
        **({"alphabet": alphabet_for(config.separators.style), "blank": BLANK} if writers else {}),
        "config": config.to_dict(),
        "block_size": BLOCK_SIZE,
        "chunk_size": layout.chunk_size,
        "chunk_seeding": "part k of the data set: generate_batch(texts[start:start+size], seed=part seed, "
        "first_index=start); block b of BLOCK_SIZE images draws from a Philox stream keyed (part seed, b)",
        "split_rule": (SPLIT_RULE if writers else ROW_RULE) if fractions else "no splits",
        **({"writers": WRITERS_NOTE} if writers else {}),
        "data_fingerprints": images.fingerprints,
        "parts": [p.describe for p in parts],
        "shard": None
        if shard is None
        else {
            "index": shard[0],
            "count": shard[1],
            "chunks": [layout.owned.start, layout.owned.stop],
            "chunk_count": layout.chunk_count,
        },
    }
    return plan


def preview(request: ExportRequest, count: int = 4) -> list[tuple[np.ndarray, str]]:
    """The first ``count`` images of the export (uint8, 255 = white) with their texts; writes nothing."""
    plan = plan_export(request)
    part, _, start, _ = plan.chunk(plan.first_chunk)
    rendered = render_range(plan, part, start, start + min(count, part.count - start))
    return [(rendered.images[i], rendered.texts[i]) for i in range(len(rendered))]


__all__ = [
    "ExportRequest",
    "ExportPlan",
    "PartPlan",
    "plan_export",
    "parse_shard",
    "part_texts",
    "render_seed",
    "render_range",
    "preview",
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_SHARD_SIZE",
    "MAX_SEED",
]


def _stack_note(config) -> dict[str, str]:
    """The manifest's warning that these pixels depend on the OpenCV version, when they do."""
    notes = [AUGMENTATION_STACK_NOTE] if config.image.enabled_augmentations() else []
    finishing = opencv_dependent(config)
    if finishing:
        notes.append(FINISHING_STACK_NOTE.format(settings=" and ".join(finishing)))
    return {"note": "; ".join(notes)} if notes else {}
