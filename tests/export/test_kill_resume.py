"""Fault injection: real exports killed with SIGKILL at random points (rendering, committing,
assembling, tidying up), resumed (and the resume killed too), then finished: the folder must be
byte for byte the uninterrupted export, for every format, with and without workers.

Each trial: a fresh export killed after a random delay (cycle 1), a resume killed after a random
delay (cycle 2), a resume that finishes; then the bytes are compared. A kill that came after the
process had already finished is not counted as a cycle. Exports run in children forked from a
forkserver that has the engine imported (single-threaded, so forking is safe; a cycle costs the
export, not Python's start-up).
"""

from __future__ import annotations

import multiprocessing
import os
import random
import sys
import time

import pytest
from test_export_helpers import folder_hashes, request

from digitseq_gui import export

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork + SIGKILL: Linux")

FORMATS = ["png", "jsonl", "npz", "lmdb", "webdataset"]
COUNT = 256  # 4 chunks of 64


def _req(out, fmt, workers, **kwargs):
    return request(out, count=COUNT, fmt=fmt, workers=workers, shard_size=100, **kwargs)


def _export(req) -> None:
    export.run_export(req)


_CONTEXT = None


def _context():
    global _CONTEXT
    if _CONTEXT is None:
        _CONTEXT = multiprocessing.get_context("forkserver")
        _CONTEXT.set_forkserver_preload(
            ["digitseq_gui.export", "digitseq_gui.engine.generator", "test_export_helpers"]
        )
    return _CONTEXT


def _run_in_child(req, delay: float) -> bool:
    """Run the export in a child process, SIGKILL it after ``delay`` s; True if it was killed."""
    child = _context().Process(target=_export, args=(req,))
    child.start()
    child.join(delay)
    if child.exitcode is None:
        child.kill()
        child.join()
        if child.exitcode == -9:
            return True
    assert child.exitcode == 0, f"the export failed (exit code {child.exitcode})"
    return False


@pytest.fixture(scope="module")
def references(tmp_path_factory):
    """Per (format, workers): the uninterrupted export's hashes and how long it takes."""
    root = tmp_path_factory.mktemp("references")
    made = {}
    for fmt in FORMATS:
        for workers in (1, 2):
            out = root / f"{fmt}-{workers}"
            start = time.monotonic()
            assert not _run_in_child(_req(out, fmt, workers), 600)
            made[fmt, workers] = folder_hashes(out), time.monotonic() - start
    return made


CYCLES = {1: 8, 2: 2}  # per format: 5 x 8 + 5 x 2 = 50 kill/resume cycles


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("fmt", FORMATS)
def test_killed_exports_resume_to_the_same_bytes(tmp_path, references, fmt, workers):
    reference, duration = references[fmt, workers]
    rng = random.Random(
        f"{fmt}-{workers}{os.environ.get('DIGITSEQ_KILL_SEED', '')}"
    )  # vary it to try other points
    cycles = identical = trial = 0
    while cycles < CYCLES[workers]:
        trial += 1
        assert trial <= 6 * CYCLES[workers], "the kills keep landing after the export finished"
        out = tmp_path / f"t{trial}"
        killed = _run_in_child(_req(out, fmt, workers), rng.uniform(0.0, duration))
        killed_again = False
        if killed and (out / "manifest.json").exists():
            killed_again = _run_in_child(_req(out, fmt, workers, resume=True), rng.uniform(0.0, duration))
        resume = (out / "manifest.json").exists()  # killed before the manifest: the folder is fresh again
        final = export.run_export(_req(out, fmt, workers, resume=resume, overwrite=not resume))
        assert final.status == "complete"
        same = folder_hashes(out) == reference
        cycles += int(killed) + int(killed_again)
        identical += (int(killed) + int(killed_again)) * int(same)
        assert same, f"trial {trial}: the resumed export differs from the uninterrupted one"
    print(
        f"\n{fmt} workers={workers}: {cycles} kill/resume cycles in {trial} trials, {identical} byte-identical"
    )
