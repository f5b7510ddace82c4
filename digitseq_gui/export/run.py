"""Labelled data sets on disk: chunked, parallel, reproducible, resumable, shardable.

    >>> from digitseq_gui import export
    >>> from digitseq_gui.engine import sequences
    >>> request = export.ExportRequest("out", count=1000, sequences=sequences.random_lengths(4, 8),
    ...                                format="npz", splits="train=0.8,val=0.1,test=0.1", seed=7)
    >>> result = export.run_export(request, progress=lambda done, total: None, cancel=None)

How it stays reproducible: the sequence texts come from ``seed`` (sequences.make_sequences);
each part (split) has its own seed derived from ``seed``; a part is cut into chunks of
``chunk_size`` images (a multiple of the engine's BLOCK_SIZE, 64) and chunk k is rendered by
``generate_batch(texts, seed=part_seed, first_index=k * chunk_size)``, which seeds each block of
64 images from (part_seed, block number). So the bytes depend on neither the number of workers,
nor the order chunks finish in, nor the chunk size; the manifest records block and chunk size.

How it stays consistent: the calling process is the only writer. Chunks are committed in order
(images, then their label rows, fsynced, then the manifest's progress); a cancel (``cancel``
event, Ctrl+C in the CLI, Cancel in the window) stops after the current commit. ``resume=True``
cleans anything an abrupt stop left beyond the last commit and renders the remaining chunks.

Shards: the chunks of all parts, in order, are numbered 0..C-1; shard I of N owns the contiguous
range [C*(I-1)//N, C*I//N). Shards are independent exports; ``merge_exports`` joins them into
exactly the single-machine export.
"""
from __future__ import annotations

import multiprocessing
import os
import shutil
import threading
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol

import numpy as np

from . import formats
from . import splits as splitting
from ..engine.config import Config
from ..engine.errors import InputTypeError, InvalidInputError
from .worker import ChunkTask, init_worker, render_chunk
from ..engine.imgaug_compat import AUGMENTATION_STACK_NOTE, stack_versions
from ..engine.generator import BLOCK_SIZE, MAX_SEED, check_seed
from .manifest import MANIFEST_NAME, SCHEMA, differences, plan_of, read_manifest, write_manifest
from ..engine.sequences import SequenceSource, make_sequences, split_text

DEFAULT_CHUNK_SIZE = 512
MAX_WORKERS = 64
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
    format: str = "png"
    splits: dict | str | None = None
    unique: bool = False
    separator_width: int = 10
    chunk_size: int = DEFAULT_CHUNK_SIZE
    workers: int = 1
    shard: tuple[int, int] | str | None = None
    resume: bool = False
    overwrite: bool = False


@dataclass
class ExportResult:
    output: Path
    status: str  # "complete" or "cancelled"
    written: int  # images on disk (of this shard)
    total: int  # images this export (shard) owns
    manifest: Path


@dataclass
class _Part:
    name: str
    folder: Path
    texts: list[str]
    seed: int
    rows: splitting.DigitRows
    describe: dict
    uniform_separators: bool = True


@dataclass
class ExportPlan:
    request: ExportRequest
    config: Config
    output: Path
    parts: list[_Part]
    chunks: list[tuple[int, int, int, int]]  # (part number, chunk in part, start, size), all of them
    owned: list[int]  # indexes into chunks this run (shard) makes
    manifest: dict

    @property
    def total(self) -> int:
        return sum(self.chunks[c][3] for c in self.owned)

    def task(self, c: int, limit: int | None = None) -> ChunkTask:
        part_no, chunk, start, size = self.chunks[c]
        part = self.parts[part_no]
        fmt = self.request.format
        rows = part.rows
        return ChunkTask(part.name, chunk, start, part.texts[start: start + min(size, limit or size)],
                         self.config.to_dict(), (rows.source, rows.file_split, rows.start, rows.stop), part.seed,
                         self.request.separator_width, None if fmt == "npz" else self.config.output_format,
                         folder=str(part.folder), export_format=fmt, name_digits=self.name_digits(part),
                         extension=self.extension, uniform_separators=part.uniform_separators)

    def name_digits(self, part: "_Part") -> int:
        return max(6, len(str(len(part.texts) - 1)))

    @property
    def extension(self) -> str:
        return "." + ("jpg" if self.config.output_format in ("jpeg", "jpg") else "png")


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
    if not (isinstance(shard, (tuple, list)) and len(shard) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in shard)):
        raise InvalidInputError(f"shard {shard!r} must be 'I/N' or a pair of whole numbers (I, N)", field="shard")
    index, count = shard
    if not 1 <= index <= count:
        raise InvalidInputError(f"shard {index}/{count}: I must be between 1 and N", field="shard")
    return int(index), int(count)


def plan_export(request: ExportRequest) -> ExportPlan:
    """Check the request and work out every sequence, part and chunk (writes nothing)."""
    from .. import __version__
    from ..engine.data.dataset import load_dataset

    if not isinstance(request.config, Config):
        raise InputTypeError(f"config must be a Config, got {type(request.config).__name__}", field="config")
    config = request.config.validated()
    if request.format not in formats.FORMATS:
        raise InvalidInputError(f"unknown export format {request.format!r}; use one of {', '.join(formats.FORMATS)}", field="format")
    seed = check_seed(request.seed)
    chunk_size = request.chunk_size
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < BLOCK_SIZE or chunk_size % BLOCK_SIZE:
        raise InvalidInputError(f"chunk size must be a positive multiple of {BLOCK_SIZE}, got {chunk_size!r}", field="chunk_size")
    if isinstance(request.workers, bool) or not isinstance(request.workers, int) or not 1 <= request.workers <= MAX_WORKERS:
        raise InvalidInputError(f"workers must be between 1 and {MAX_WORKERS}, got {request.workers!r}", field="workers")
    if isinstance(request.separator_width, bool) or not isinstance(request.separator_width, int) or request.separator_width < 0:
        raise InvalidInputError(f"separator width must be 0 or more pixels, got {request.separator_width!r}", field="separator_width")
    if not isinstance(request.sequences, SequenceSource):
        raise InputTypeError("sequences must come from sequences.explicit/from_file/random_lengths/pattern", field="digits")
    shard = parse_shard(request.shard)
    count = request.count
    if count is None:
        if request.sequences.kind != "explicit":
            raise InvalidInputError("say how many images to make (count)", field="count")
        count = len(request.sequences.texts)
    fractions = splitting.parse_splits(request.splits)
    counts = splitting.split_counts(fractions, count)

    texts = make_sequences(request.sequences, count, seed, request.unique)
    files_needed = {config.dataset.split} if not fractions else {"train" for n in counts if n != "test"} | ({"test"} if "test" in counts else set())
    datasets = {name: load_dataset(config.dataset.source, name) for name in sorted(files_needed)}
    splitting.check_files_differ({name: d.fingerprint for name, d in datasets.items()})
    sizes = {name: len(d) for name, d in datasets.items()}
    output = Path(request.output).expanduser()
    parts, offset, shapes = [], 0, set()
    for number, (name, n) in enumerate(counts.items()):
        rows, rule = splitting.digit_rows(name, config.dataset.source, config.dataset.split, sizes)
        part_seed = seed if name == "" else int(np.random.SeedSequence(seed, spawn_key=(0x5B1, number)).generate_state(1, np.uint64)[0]) >> 1
        part_texts = texts[offset: offset + n]
        offset += n
        split = [split_text(t) for t in part_texts]
        labels = [label for label, _ in split]
        shapes |= {(len(label), sum(1 for sep in seps if sep)) for label, seps in split}
        describe = {"name": name or "all", "folder": name or ".", "count": n, "seed": part_seed,
                    "labels_file": str(Path(name or ".") / formats.LABEL_FILES[request.format]),
                    "label_length": max(map(len, labels)), "text_length": max(map(len, part_texts)),
                    "digits": rows.describe(datasets[rows.file_split].fingerprint, rule)}
        separator_counts = {sum(1 for sep in seps if sep) for _, seps in split}
        parts.append(_Part(name, output / name if name else output, part_texts, part_seed, rows, describe,
                           uniform_separators=len(separator_counts) <= 1))
    _check_layouts(config, shapes, request.separator_width)
    chunks = [(p, k, start, min(chunk_size, len(part.texts) - start))
              for p, part in enumerate(parts) for k, start in enumerate(range(0, len(part.texts), chunk_size))]
    first, stop = (0, len(chunks)) if shard is None else (len(chunks) * (shard[0] - 1) // shard[1], len(chunks) * shard[0] // shard[1])
    manifest = {
        "schema": SCHEMA,
        "package": {"name": "digitseq", "version": __version__},
        "stack": dict(stack_versions(), **({"note": AUGMENTATION_STACK_NOTE} if config.image.enabled_augmentations() else {})),
        "status": "partial",
        "seed": seed,
        "count": count,
        "format": request.format,
        "image_format": config.output_format if request.format != "npz" else None,
        "sequences": dict(request.sequences.describe(), unique=bool(request.unique)),
        "separator_width": request.separator_width,
        "config": config.to_dict(),
        "block_size": BLOCK_SIZE,
        "chunk_size": chunk_size,
        "chunk_seeding": "part k of the data set: generate_batch(texts[start:start+size], seed=part seed, "
                         "first_index=start); block b of BLOCK_SIZE images draws from a Philox stream keyed (part seed, b)",
        "split_rule": "train: train file minus the hold-out (last 10000 rows of a 60000-row file, else last ceil(n/6)); "
                      "val: the hold-out; test: the test file" if fractions else "no splits",
        "data_fingerprints": {name: d.fingerprint for name, d in datasets.items()},
        "parts": [p.describe for p in parts],
        "shard": None if shard is None else {"index": shard[0], "count": shard[1], "chunks": [first, stop],
                                             "chunk_count": len(chunks)},
    }
    return ExportPlan(request, config, output, parts, chunks, list(range(first, stop)), manifest)


def _check_layouts(config: Config, shapes: set[tuple[int, int]], gap: int) -> None:
    """Every (digits, separators) shape of the export must fit before anything is written: the
    digits are laid out in the width the separator gaps leave."""
    from ..engine.generator import check_layout

    most = max(k for _, k in shapes)
    if most * gap >= config.image.width:
        raise InvalidInputError(
            f"{most} separator gap(s) of {gap} px leave nothing of the {config.image.width} px image for the "
            "digits; use a wider image or a smaller separator width", field="separator_width")
    for separators in sorted({k for _, k in shapes}):
        check_layout(config, [n for n, k in shapes if k == separators], config.spacing_range,
                     config.image.width - separators * gap)


def preview(request: ExportRequest, count: int = 4) -> list[tuple[np.ndarray, str]]:
    """The first ``count`` images of the export (uint8, 255 = white) with their texts; writes nothing."""
    plan = plan_export(request)
    task = plan.task(0, limit=BLOCK_SIZE)  # a whole block: a block's draws depend on all its images
    task.encode, task.folder = None, None
    result = render_chunk(task)
    return [(result.images[i], result.texts[i]) for i in range(min(count, len(result.texts)))]


# -- running -----------------------------------------------------------------------------------


def run_export(request: ExportRequest, progress: Progress | None = None, cancel: CancelFlag | None = None) -> ExportResult:
    """Make (or, with ``request.resume``, finish) the export. Returns when done or cancelled."""
    plan = plan_export(request)
    # A bad configuration fails here, before the folder is touched.
    if plan.owned:
        trial = plan.task(plan.owned[0], limit=1)
        trial.folder = None
        render_chunk(trial)
    committed = _prepare_output(plan)
    cancel = cancel or threading.Event()
    total = plan.total
    done_images = sum(plan.chunks[c][3] for c in plan.owned[:committed])
    if progress:
        progress(done_images, total)
    pending = plan.owned[committed:]
    committed_now = committed
    for c in pending:  # every part folder exists before the first commit
        formats.start_part(plan.parts[plan.chunks[c][0]].folder, request.format)
    for result in _results(plan, pending, request.workers, cancel):
        _commit(plan, result)
        committed_now += 1
        done_images += len(result.labels)
        _write_progress(plan, committed_now)
        if progress:
            progress(done_images, total)
    if committed_now < len(plan.owned):
        _recover(plan, committed_now)  # workers may have written chunks that were never committed
        return ExportResult(plan.output, "cancelled", done_images, total, plan.output / MANIFEST_NAME)
    _finish(plan)
    return ExportResult(plan.output, "complete", done_images, total, plan.output / MANIFEST_NAME)


def _results(plan: ExportPlan, pending: list[int], workers: int, cancel: CancelFlag):
    """Rendered chunks, in order, until done or cancelled (then the rest is dropped)."""
    if workers == 1:
        for c in pending:
            if cancel.is_set():
                return
            yield render_chunk(plan.task(c))
        return
    context = multiprocessing.get_context("spawn")  # safe from threads (the window) and on every OS
    pool = ProcessPoolExecutor(min(workers, max(1, len(pending))), mp_context=context, initializer=init_worker)
    try:
        queue = list(reversed(pending))
        running: dict = {}
        finished: dict = {}
        for c in pending:
            while queue and len(running) < 2 * workers:
                nxt = queue.pop()
                running[pool.submit(render_chunk, plan.task(nxt))] = nxt
            while c not in finished:
                if cancel.is_set():
                    return
                done, _ = wait(list(running), timeout=0.1, return_when=FIRST_COMPLETED)
                for future in done:
                    finished[running.pop(future)] = future.result()
            if cancel.is_set():
                return
            yield finished.pop(c)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _commit(plan: ExportPlan, result) -> None:
    part = next(p for p in plan.parts if p.name == result.part)
    formats.commit_chunk(part.folder, plan.request.format, result, plan.name_digits(part), plan.extension)


def _write_progress(plan: ExportPlan, committed: int) -> None:
    write_manifest(plan.output, dict(plan.manifest, status="partial", progress={"chunks_committed": committed}))


def _finish(plan: ExportPlan) -> None:
    if plan.request.format == "npz":
        for number, part in enumerate(plan.parts):
            mine = [plan.chunks[c] for c in plan.owned if plan.chunks[c][0] == number]
            if mine and (part.folder / ".chunks").exists():
                indices = np.concatenate([np.arange(start, start + size) for _, _, start, size in mine]).astype(np.int64)
                paths = [part.folder / ".chunks" / f"{k:08d}.npz" for _, k, _, _ in mine]
                formats.write_npz_from_parts(part.folder / "data.npz", paths, part.describe["label_length"],
                                             part.describe["text_length"], indices)
                shutil.rmtree(part.folder / ".chunks")
    write_manifest(plan.output, dict(plan.manifest, status="complete"))


def _clear_previous_export(output: Path, overwrite: bool, resumable: bool = False) -> None:
    """Make room in a non-empty ``output``: only with ``overwrite``, only if it holds an export
    (it has a manifest), and then only the export's own files; anything else stays."""
    has_manifest = (output / MANIFEST_NAME).exists()
    if not overwrite:
        raise FileExistsError(
            f"output folder {output} is not empty; pass --overwrite to replace it"
            + (" or --resume to finish an interrupted export" if has_manifest and resumable else ""))
    if not has_manifest:
        raise FileExistsError(
            f"output folder {output} is not empty and holds no DigitSeq export (no {MANIFEST_NAME}); "
            "--overwrite replaces only an earlier export, so choose an empty or new folder")
    for path in _our_paths(output):
        shutil.rmtree(path) if path.is_dir() else path.unlink()


def _our_paths(output: Path) -> list[Path]:
    names = [MANIFEST_NAME, "images", "labels.csv", "labels.jsonl", "data.npz", ".chunks", *splitting.SPLIT_NAMES]
    return [output / n for n in names if (output / n).exists()]


def _prepare_output(plan: ExportPlan) -> int:
    """Make the output folder ready; return how many owned chunks are already committed."""
    output, request = plan.output, plan.request
    if output.exists() and not output.is_dir():
        raise NotADirectoryError(f"output {output} is a file; give a folder")
    existing = output.exists() and any(output.iterdir())
    if existing and request.resume and (output / MANIFEST_NAME).exists():
        old = read_manifest(output)
        changed = differences(plan_of(old), plan_of(plan.manifest))
        if changed:
            raise InvalidInputError(
                f"cannot resume {output}: it was made with different settings ({', '.join(changed[:4])}); "
                "repeat the original command with --resume, or use --overwrite to start again", field="output")
        if old.get("status") == "complete":
            return len(plan.owned)
        committed = int(old.get("progress", {}).get("chunks_committed", 0))
        _recover(plan, committed)
        return committed
    if existing:
        _clear_previous_export(output, request.overwrite, resumable=True)
    output.mkdir(parents=True, exist_ok=True)
    _write_progress(plan, 0)
    return 0


def _recover(plan: ExportPlan, committed: int) -> None:
    for number, part in enumerate(plan.parts):
        mine = [plan.chunks[c] for c in plan.owned[:committed] if plan.chunks[c][0] == number]
        chunks = {k for _, k, _, _ in mine}
        indices = {i for _, _, start, size in mine for i in range(start, start + size)}
        formats.recover(part.folder, plan.request.format, chunks, indices)


# -- shards ------------------------------------------------------------------------------------


def merge_exports(shards: list[str | Path], output: str | Path, overwrite: bool = False) -> ExportResult:
    """Join complete shard exports 1/N..N/N into one export, identical to a single-machine run."""
    if isinstance(shards, (str, Path)):
        raise InputTypeError("give a list of shard folders, e.g. ['shard-1', 'shard-2']", field="shards")
    folders = [Path(s).expanduser() for s in shards]
    if not folders:
        raise InvalidInputError("give the shard folders to merge", field="shards")
    target = Path(output).expanduser().resolve()
    if any(folder.resolve() == target or target in folder.resolve().parents for folder in folders):
        raise InvalidInputError(f"the output {output} is one of the shards being merged; choose another folder",
                                field="output")
    manifests = [read_manifest(f) for f in folders]
    for folder, manifest in zip(folders, manifests):
        if manifest.get("shard") is None:
            raise InvalidInputError(f"{folder} is not a shard (its manifest has no shard); nothing to merge", field="shards")
        if manifest.get("status") != "complete":
            raise InvalidInputError(f"shard {folder} is not complete; finish it with --resume first", field="shards")
    base = dict(plan_of(manifests[0]), shard=None)
    for folder, manifest in zip(folders[1:], manifests[1:]):
        changed = differences(base, dict(plan_of(manifest), shard=None))
        if changed:
            raise InvalidInputError(f"shard {folder} belongs to another export (differs in {', '.join(changed[:4])})", field="shards")
    count = manifests[0]["shard"]["count"]
    order = sorted(range(len(folders)), key=lambda i: manifests[i]["shard"]["index"])
    indices = [manifests[i]["shard"]["index"] for i in order]
    if indices != list(range(1, count + 1)):
        raise InvalidInputError(f"need shards 1..{count} exactly once each, got {sorted(indices)}", field="shards")
    folders = [folders[i] for i in order]
    output = Path(output).expanduser()
    if output.exists() and any(output.iterdir()):
        _clear_previous_export(output, overwrite)
    output.mkdir(parents=True, exist_ok=True)
    fmt = base["format"]
    for part in base["parts"]:
        target = output / part["folder"]
        sources = [f / part["folder"] for f in folders if (f / part["labels_file"]).exists()]
        target.mkdir(parents=True, exist_ok=True)
        if fmt == "npz":
            paths = [s / "data.npz" for s in sources]
            indices_all = []
            for path in paths:
                with np.load(path, allow_pickle=False) as archive:
                    indices_all.append(archive["indices"])
            formats.write_npz_from_parts(target / "data.npz", paths, part["label_length"], part["text_length"],
                                         np.concatenate(indices_all))
            continue
        (target / "images").mkdir(exist_ok=True)
        body = []
        for source in sources:
            for image in sorted((source / "images").iterdir()):
                _link_or_copy(image, target / "images" / image.name)
            lines = (source / formats.LABEL_FILES[fmt]).read_bytes().splitlines(keepends=True)
            body += lines[1:] if fmt == "png" else lines
        header = [(",".join(formats.CSV_FIELDS) + "\n").encode()] if fmt == "png" else []
        (target / formats.LABEL_FILES[fmt]).write_bytes(b"".join(header + body))
    write_manifest(output, dict(manifests[order[0]], shard=None, status="complete"))  # same key order as a single run
    total = int(base["count"])
    return ExportResult(output, "complete", total, total, output / MANIFEST_NAME)


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def load_export(folder: str | Path) -> dict:
    """Read an export back: {'manifest': ..., part name: read_part(...)} for tests and training code."""
    manifest = read_manifest(folder)
    if manifest.get("status") != "complete":
        raise InvalidInputError(f"the export in {folder} is not complete (it was stopped); finish it with --resume "
                                "before reading it", field="output")
    out = {"manifest": manifest}
    for part in manifest["parts"]:
        out[part["name"]] = formats.read_part(Path(folder) / part["folder"], manifest["format"])
    return out


__all__ = ["ExportRequest", "ExportResult", "ExportPlan", "plan_export", "run_export", "preview", "merge_exports",
           "load_export", "parse_shard", "DEFAULT_CHUNK_SIZE", "MAX_SEED"]
