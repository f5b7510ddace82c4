"""Worker processes: render a chunk and write its files, then return only its label rows.

Workers die with their parent, however it dies (SIGKILL included): on Linux the kernel sends
them SIGKILL (prctl PR_SET_PDEATHSIG); elsewhere a watchdog thread exits when the parent pid
changes. Ctrl+C is the parent's to handle: workers ignore SIGINT (inherited as ignored from the
moment they start: see run._Pool, so no start-up traceback either).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass

from .formats import FORMATS, PartContext
from .rendering import RenderSpec, render_blocks

_PR_SET_PDEATHSIG = 1


@dataclass
class ChunkTask:
    format: str
    context: PartContext
    spec: RenderSpec
    chunk: int  # number within the part
    start: int  # first image within the part (a multiple of BLOCK_SIZE)
    texts: list[str]


@dataclass
class ChunkDone:
    part: str
    chunk: int
    record: dict  # the ledger line
    label_rows: bytes  # what the calling process appends to the label file (b"" for piece formats)


def make_chunk(task: ChunkTask) -> ChunkDone:
    """Render the chunk and write its files (on the disk when this returns)."""
    rendered = render_blocks(task.spec, task.start, task.texts)
    fmt = FORMATS[task.format]
    record = fmt.write_chunk(task.context, task.chunk, rendered)
    return ChunkDone(task.context.name, task.chunk, record, fmt.label_rows(task.context, rendered))


def init_worker(parent: int) -> None:
    """Worker initializer: die with the parent; one OpenCV thread per process (the processes
    already use every core)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # blocked by the parent while spawning
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="digitseq-parent-watch").start()
    from ..engine.imgaug_compat import cv2

    cv2().setNumThreads(1)


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)
