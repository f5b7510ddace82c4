"""Running an export: the pool of workers, commits in order, progress and cancel.

The calling process is the only writer of the folder's bookkeeping (it holds the folder's lock).
Workers render chunks and write their images or pieces, on the disk before they report back;
the caller commits chunks in order: label rows (fsynced), a ledger line (fsynced), then the
manifest's progress (atomically). A cancel (``cancel.is_set()``: Ctrl+C in the CLI, Cancel in the
window) stops after the current commit, waits for the running chunks, removes what they wrote
beyond the last commit and returns "cancelled": the folder is then exactly resumable. A kill at
any point is resumable too (``resume.recover`` cuts back to the last commit).
"""

from __future__ import annotations

import dataclasses
import errno
import multiprocessing
import os
import signal
import tempfile
import threading
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from ..engine.durable import make_folders
from . import ledger
from .disk import INTERNAL, check_room, is_temp, remove_tree
from .errors import DAMAGED, DISK_FILLED, ExportFolderError
from .formats.base import hash_file
from .lock import folder_lock
from .manifest import MANIFEST_NAME, read_manifest, write_manifest
from .plan import CancelFlag, ExportPlan, ExportRequest, Progress, plan_export, render_range
from .resume import check_output_before_lock, growing_files, prepare_output, recover, write_progress
from .verify import recorded_files, rows_fields
from .workers import ChunkDone, ChunkTask, init_worker, make_chunk


@dataclass
class ExportResult:
    output: Path
    status: str  # "complete" or "cancelled"
    written: int  # images on disk (of this shard)
    total: int  # images this export (shard) owns
    manifest: Path


def run_export(
    request: ExportRequest, progress: Progress | None = None, cancel: CancelFlag | None = None
) -> ExportResult:
    """Make (or, with ``request.resume``, finish) the export. Returns when done or cancelled."""
    plan = plan_export(request)
    check_output_before_lock(plan)
    _check_room(plan)  # also renders one block: a bad configuration fails before the folder is touched
    make_folders(plan.output)
    with folder_lock(plan.output):
        try:
            return _run_locked(plan, progress, cancel or threading.Event())
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
                raise
            # The up-front estimate was beaten (another program wrote, or images came out
            # larger); the chunks committed so far stay, and the rest was cleaned away.
            raise ExportFolderError(
                f"the disk of {plan.output} filled up during the export ({exc.strerror}); "
                "the images finished so far are kept: free some space, then finish it with --resume",
                DISK_FILLED,
                plan.output,
            ) from None


def _run_locked(plan: ExportPlan, progress: Progress | None, cancel: CancelFlag) -> ExportResult:
    total = plan.total
    committed = prepare_output(plan, (lambda: progress(0, total)) if progress else (lambda: None))
    if committed is None:  # already complete: nothing to do
        if progress:
            progress(total, total)
        return ExportResult(plan.output, "complete", total, total, plan.output / MANIFEST_NAME)
    done = plan.layout.images_committed(committed)
    if progress and plan.request.resume:
        progress(done, total)
    for name in {plan.chunk(c)[0].name for c in plan.owned[committed:]}:
        plan.format.start_part(plan.part_named(name).context if name else plan.parts[0].context)
    sizes = _sizes(plan)
    results = _results(plan, list(plan.owned[committed:]), plan.request.workers, cancel)
    try:
        for result in results:
            _commit(plan, result)
            new_sizes = _sizes(plan)
            write_progress(plan, committed + 1, new_sizes)
            committed, sizes = committed + 1, new_sizes
            done += result.record["count"]
            if progress:
                progress(done, total)
    finally:
        results.close()  # stops the pool, waiting for running chunks, before anything is cleaned
        if committed < len(plan.owned):
            # workers may have written chunks that were never committed
            recover(plan, {"chunks_committed": committed, "sizes": sizes})
    if committed < len(plan.owned):
        return ExportResult(plan.output, "cancelled", done, total, plan.output / MANIFEST_NAME)
    _finish(plan)
    return ExportResult(plan.output, "complete", done, total, plan.output / MANIFEST_NAME)


def _sizes(plan: ExportPlan) -> dict:
    return {
        relative: (plan.output / relative).stat().st_size
        for relative in growing_files(plan)
        if (plan.output / relative).exists()
    }


def _task(plan: ExportPlan, c: int) -> ChunkTask:
    part, k, start, size = plan.chunk(c)
    texts = plan.stream.texts(part.offset + start, part.offset + start + size)
    return ChunkTask(plan.format.name, part.context, part.spec, k, start, texts)


def _results(plan: ExportPlan, pending: list[int], workers: int, cancel: CancelFlag):
    """Finished chunks, in order, until done or cancelled."""
    if workers == 1 or len(pending) <= 1:
        for c in pending:
            if cancel.is_set():
                return
            yield make_chunk(_task(plan, c))
        return
    workers = min(workers, len(pending))
    with _Pool(workers) as pool:
        queue = list(reversed(pending))
        running: dict = {}
        finished: dict = {}
        for c in pending:
            while queue and len(running) < 2 * workers:
                nxt = queue.pop()
                running[pool.submit(make_chunk, _task(plan, nxt))] = nxt
            while c not in finished:
                if cancel.is_set():
                    if _stop_now(cancel):
                        pool.kill_workers()  # what they were writing is uncommitted: recover removes it
                    return
                done, _ = wait(list(running), timeout=0.1, return_when=FIRST_COMPLETED)
                for future in done:
                    finished[running.pop(future)] = future.result()
            if cancel.is_set() and _stop_now(cancel):
                pool.kill_workers()
                return
            if cancel.is_set():
                return
            yield finished.pop(c)


def _stop_now(cancel: CancelFlag) -> bool:
    """A cancel flag may also say "at once" (``stop_now()``, the CLI's second Ctrl+C): then the
    running chunks are not waited for."""
    stop_now = getattr(cancel, "stop_now", None)
    return bool(stop_now and stop_now())


class _Pool:
    """A spawn process pool whose workers never see Ctrl+C (the parent handles it) and die with
    this process. SIGINT is blocked while they are spawned: they inherit the blocked mask, so a
    Ctrl+C during their start-up gives no traceback, and they ignore it before unblocking it
    (workers.init_worker); the parent receives a Ctrl+C of that moment once it unblocks."""

    def __init__(self, workers: int):
        self.workers = workers

    def __enter__(self) -> _Pool:
        context = multiprocessing.get_context("spawn")  # safe from threads (the window) and on every OS
        block = threading.current_thread() is threading.main_thread() and hasattr(signal, "pthread_sigmask")
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if block else set()
        try:
            self.pool = ProcessPoolExecutor(
                self.workers, mp_context=context, initializer=init_worker, initargs=(os.getpid(),)
            )
            # Start every process now, from this thread (the pool would start them lazily).
            for future in [self.pool.submit(os.getpid) for _ in range(self.workers)]:
                future.result()
        finally:
            if block:
                signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        return self

    def submit(self, *args):
        return self.pool.submit(*args)

    def kill_workers(self) -> None:
        for process in list(getattr(self.pool, "_processes", {}).values()):
            process.kill()

    def __exit__(self, *exc) -> None:
        try:
            self.pool.shutdown(wait=True, cancel_futures=True)
        except Exception:  # noqa: BLE001 - a pool whose workers were killed on purpose
            pass


def _commit(plan: ExportPlan, result: ChunkDone) -> None:
    part = plan.part_named(result.part) if result.part else plan.parts[0]
    plan.format.commit_chunk(part.context, result.label_rows)
    ledger.append(plan.output, result.part, {**result.record, **rows_fields(result.label_rows)})


def _finish(plan: ExportPlan) -> None:
    """Build the containers (a shard keeps its pieces for merge), then mark complete, then tidy.
    Each step can be redone, so a kill anywhere here is resumable."""
    shard = plan.manifest.get("shard")
    if shard is None:
        records = _ledger_records(plan) if plan.format.uses_pieces else []
        for number, part in enumerate(plan.parts):
            chunks = list(plan.layout.owned_in_part(number))
            if plan.format.uses_pieces and chunks:
                try:
                    plan.format.finish_part(part.context, _records_of(plan, part, chunks, records))
                except BaseException:
                    _remove_temp_files(part.context.folder)  # a full disk: room to finish later
                    raise
            elif chunks:
                plan.format.finish_labels(part.context)
        write_manifest(plan.output, dict(plan.manifest, status="complete", files=_final_files(plan)))
        remove_tree(plan.output / INTERNAL / "chunks")
        remove_tree(ledger.ledger_path(plan.output))
    else:  # what merge checks: label files as written (pieces and images are in the ledger)
        files = {
            relative: list(hash_file(plan.output / relative))
            for relative in growing_files(plan)
            if relative != ledger.LEDGER and (plan.output / relative).exists()
        }
        write_manifest(plan.output, dict(plan.manifest, status="complete", shard_files=files))


def _remove_temp_files(folder: Path) -> None:
    """The temporary files a failed finishing step left in a part folder (or its data/)."""
    for where in (folder, folder / "data"):
        if where.is_dir() and not where.is_symlink():
            for path in where.iterdir():
                if is_temp(path.name):
                    remove_tree(path)


def _final_files(plan: ExportPlan) -> dict:
    return recorded_files(plan.format, plan.output, [part.context for part in plan.parts])


def _ledger_records(plan: ExportPlan) -> list[dict]:
    try:
        return ledger.read(plan.output)
    except (ValueError, UnicodeDecodeError):
        raise ExportFolderError(
            f"{ledger.ledger_path(plan.output)} is damaged, so the export cannot be finished: "
            "export again with overwrite",
            DAMAGED,
            plan.output,
        ) from None


def _records_of(plan: ExportPlan, part, chunks: list[int], records: list[dict]) -> list[dict]:
    """The ledger records of the part's ``chunks``, in order (a resume keeps earlier runs' lines)."""
    recorded = {r.get("chunk"): r for r in records if r.get("part") == part.name}
    missing = [k for k in chunks if k not in recorded]
    if missing:
        raise ExportFolderError(
            f"{ledger.ledger_path(plan.output)} does not record chunk {missing[0]} of part "
            f"{part.name or 'all'}; the export is damaged: export again with overwrite",
            DAMAGED,
            plan.output,
        )
    return [recorded[k] for k in chunks]


def _check_room(plan: ExportPlan) -> None:
    """Render a few images of the first chunk (a bad configuration fails here) and refuse an
    export that cannot finish: what is still to be written, in the disk's blocks, measured by
    writing those images as the format does into a scratch folder. Formats that assemble pieces
    at the end hold the pieces and the container at once: both count (the container as all of the
    pieces, with a margin for its own overhead), also on a resume whose pieces are mostly written."""
    if not plan.owned:
        return
    part, _, start, size = plan.chunk(plan.first_chunk)
    sample = render_range(plan, part, start, start + min(size, 16))
    block = _block_size(plan.output)
    fmt = plan.format
    with tempfile.TemporaryDirectory() as scratch:
        ctx = dataclasses.replace(part.context, output=scratch)
        fmt.start_part(ctx)
        fmt.write_chunk(ctx, 0, sample)
        if fmt.uses_pieces:
            written = [fmt.piece_path(ctx, 0)]
        else:
            written = fmt.image_files(ctx, sample.start, len(sample))
        on_disk = sum(-(-os.path.getsize(path) // block) * block for path in written)
        rows = len(fmt.label_rows(ctx, sample))
    per_image = (on_disk + rows) / len(sample)
    done = _images_committed(plan)
    to_write = per_image * (plan.total - done) + block * (len(plan.owned) + 2 * len(plan.parts))
    if fmt.uses_pieces:
        to_write += per_image * plan.total * 1.25  # the container, built while the pieces are there
    what = f"an export of {plan.total} images" if not done else f"finishing this export ({done} images done)"
    check_room(plan.output, int(to_write), what)


def _block_size(folder: Path) -> int:
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    try:
        return max(512, os.statvfs(existing).f_frsize)
    except (OSError, AttributeError):  # no statvfs (Windows): the usual block
        return 4096


def _images_committed(plan: ExportPlan) -> int:
    """Images a resume will keep: those of the chunks the manifest counts as committed."""
    if not plan.request.resume:
        return 0
    try:
        old = read_manifest(plan.output)
    except (FileNotFoundError, ExportFolderError):
        return 0
    progress = old.get("progress") if isinstance(old.get("progress"), dict) else None
    if old.get("status") == "complete" and progress is None:
        return plan.total
    committed = progress.get("chunks_committed") if progress else 0
    if type(committed) is not int or not 0 <= committed <= len(plan.owned):
        return 0
    return plan.layout.images_committed(committed)
