"""Labelled data sets on disk, made with the engine: plan, run, resume, shard and merge.

Export knows nothing of how an image is drawn: it asks the engine for batches and writes them.
Its modules::

    parts.py      the images of a data set apart from how they are written (ImagesSpec,
                  plan_parts): what plan_export and SequenceDataset both build on
    plan.py       what an export is (streaming: nothing grows with the count); the functions
                  SequenceDataset shares with the workers: part_texts, render_seed, render_range
    rendering.py  render_blocks: the images of a part, block by block
    run.py        run_export: the pool of workers, commits in order, progress, cancel
    workers.py    what a worker process does; workers die with their parent
    resume.py     fresh / resume / overwrite: cutting back to the last commit, foreign files
    merge.py      merge_exports: checks shards (same run, coverage, wholeness), then joins them
    lock.py       one writer per folder
    manifest.py, ledger.py   what the export is and how far it got; what it wrote
    disk.py       temporary names, durable writes, the room check
    formats/      png, jsonl, npz, lmdb, webdataset behind one interface (formats/base.py)
"""

from .errors import ExportFolderError, with_advice
from .formats import COMPRESSIONS, DEFAULT_COMPRESSION, DEFAULT_FORMAT, FORMATS
from .merge import merge_exports
from .parts import ImagesSpec, Part, Parts, plan_parts, render_picked, render_texts, stream_part
from .plan import (
    DEFAULT_CHUNK_SIZE,
    DEFAULT_SHARD_SIZE,
    ExportPlan,
    ExportRequest,
    default_workers,
    max_workers,
    parse_shard,
    part_texts,
    plan_export,
    preview,
    render_range,
    render_seed,
)
from .read import load_export
from .rendering import Rendered, RenderSpec
from .run import ExportResult, run_export
from .splits import SPLIT_NAMES

__all__ = [
    "ExportRequest",
    "ExportResult",
    "ExportPlan",
    "ExportFolderError",
    "with_advice",
    "FORMATS",
    "DEFAULT_FORMAT",
    "COMPRESSIONS",
    "DEFAULT_COMPRESSION",
    "default_workers",
    "load_export",
    "merge_exports",
    "plan_export",
    "ImagesSpec",
    "Part",
    "Parts",
    "plan_parts",
    "stream_part",
    "render_texts",
    "render_picked",
    "Rendered",
    "RenderSpec",
    "SPLIT_NAMES",
    "max_workers",
    "preview",
    "run_export",
    "parse_shard",
    "part_texts",
    "render_seed",
    "render_range",
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_SHARD_SIZE",
]
