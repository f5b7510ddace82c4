"""The preview worker: one QThread that makes preview images off the UI thread.

Like Orange3's restart-on-change preview, it holds at most ONE pending request: a newer request
replaces an older one that has not started, so dragging a slider never queues work. Requests
carry an increasing id; work for a superseded request stops at the next step. A grid is delivered
in pieces: sample 0 first (one image, a few milliseconds), then, once the window has painted it,
the others in small batches, each checked against newer requests, so a change shows new pixels at
once and never waits behind a whole grid of stale work. Waiting for the paint also keeps this
thread from starving the window of the GIL while a slider is dragged. Stopping is cooperative (labelme-style
``requestInterruption``), checked between the steps.

Data sets load in a separate daemon thread that this one only waits on while nothing newer is
asked for: a data file that never answers (a FIFO with no writer) can hold up neither the window,
nor newer previews, nor closing the window, nor the process's exit. Loaded data sets are cached
by (source, split); imgaug is imported here on first use, so neither blocks the window.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from dataclasses import dataclass, replace

from PyQt5.QtCore import QThread, pyqtSignal

from ..engine.config import Config
from ..engine.data.dataset import DigitDataset, loaded_dataset, shared_dataset
from ..engine.errors import DigitSeqError
from ..engine.generator import DigitSequence, SequenceImage
from ..engine.sequences import DEFAULT_SEPARATOR_WIDTH
from .samples import Sample, batch_size, first_sequence, make_samples, sample_texts

POLL_SECONDS = 0.02  # how often a wait for a data set looks for newer requests
FIRST_PAINT_WAIT = 0.1  # how long the worker waits for sample 0 to be painted (a hidden window never paints)
SLOW_LOAD_SECONDS = 3.0


@dataclass(frozen=True)
class PreviewRequest:
    request_id: int
    digits: str  # the sequence text: digits, with separators, or a pattern
    config: Config
    seed: int
    separator_width: int = DEFAULT_SEPARATOR_WIDTH
    cells: int = 1  # how many samples (a grid of rows x columns)
    compare: bool = False  # also the same samples without augmentation


@dataclass(frozen=True)
class PreviewResult:
    """One delivery of a request's samples: ``samples[k]`` is sample ``start + k``."""

    request: PreviewRequest
    start: int
    samples: list[Sample]
    plain: list[Sample] | None  # the same samples without augmentation (compare on, transform on)
    sequence: SequenceImage | None  # sample 0 as the engine's float image (only when start == 0)
    elapsed: float  # seconds spent generating this request so far (not loading)
    complete: bool  # the last delivery of the request

    @property
    def request_id(self) -> int:
        return self.request.request_id


@dataclass
class _Load:
    thread: threading.Thread
    done: threading.Event
    dataset: DigitDataset | None = None
    error: BaseException | None = None


class PreviewWorker(QThread):
    """Makes the samples of each request; the newest request wins."""

    resultReady = pyqtSignal(object)  # PreviewResult
    failed = pyqtSignal(int, str, str)  # request id, field at fault ("" if none), message
    progress = pyqtSignal(int, str)  # request id, what is happening ("Loading MNIST...")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._condition = threading.Condition()
        self._pending: PreviewRequest | None = None
        self._stopping = False
        self._loads: dict[tuple[str, str], _Load] = {}
        self._generators: dict[tuple, DigitSequence] = {}
        self._painted_id = -1
        self.generation_count = 0  # requests whose first image was made; tests check coalescing with it

    # -- called from the UI thread ---------------------------------------------------------

    def submit(self, request: PreviewRequest) -> None:
        """Queue ``request``, replacing any request that has not started yet."""
        with self._condition:
            self._pending = request
            self._condition.notify()

    def first_sample_painted(self, request_id: int) -> None:
        """The window has painted sample 0 of ``request_id``: the rest of its grid may start."""
        with self._condition:
            self._painted_id = max(self._painted_id, request_id)
            self._condition.notify_all()

    def stop(self) -> None:
        """Ask the thread to finish and wait for it: at most the image being made (milliseconds),
        never a data set load (that thread is left behind)."""
        self.requestInterruption()
        with self._condition:
            self._stopping = True
            self._pending = None
            self._condition.notify_all()
        self.wait()

    # -- the thread --------------------------------------------------------------------------

    def run(self) -> None:
        while True:
            with self._condition:
                while self._pending is None and not self._cancelled():
                    self._condition.wait()
                if self._cancelled():
                    return
                request, self._pending = self._pending, None
            try:
                self._make(request)
            except DigitSeqError as exc:
                if not self._superseded():
                    self.failed.emit(request.request_id, exc.field or "", str(exc))
            except OSError as exc:  # a data file that cannot be read
                if not self._superseded():
                    self.failed.emit(request.request_id, "dataset", str(exc))
            except Exception as exc:  # a bug must not kill the worker: report it and carry on
                traceback.print_exc()
                if not self._superseded():
                    self.failed.emit(request.request_id, "", f"Unexpected error: {type(exc).__name__}: {exc}")

    def _cancelled(self) -> bool:
        return self._stopping or self.isInterruptionRequested()

    def _superseded(self) -> bool:
        """True when a newer request is waiting or the thread is stopping: drop this work."""
        with self._condition:
            return self._pending is not None or self._cancelled()

    def _make(self, request: PreviewRequest) -> None:
        dataset = self._dataset(request)
        if dataset is None or self._superseded():
            return
        config = request.config
        if config.image.enabled_augmentations() and "imgaug.augmenters" not in sys.modules:
            self.progress.emit(request.request_id, "Loading the augmentation library (first time only)…")
            from ..engine.imgaug_compat import augmenters

            augmenters()
            if self._superseded():
                return
        started = time.perf_counter()
        generator = self._generator(config, dataset)
        plain = None
        if request.compare and config.image.enabled_augmentations():
            plain = self._generator(replace(config, image=replace(config.image, transform=False)), dataset)
        texts = sample_texts(request.digits, request.cells, request.seed)
        first, sequence = first_sequence(generator, texts[0], request.seed, request.separator_width)
        plain_first = (
            [first_sequence(plain, texts[0], request.seed, request.separator_width)[0]] if plain else None
        )
        self.generation_count += 1
        rest = texts[1:]
        if self._cancelled():
            return
        # Made, so shown even when a newer request is waiting: while a slider is dragged there
        # always is one, and dropping finished images would freeze the picture until it stops.
        self.resultReady.emit(
            PreviewResult(request, 0, [first], plain_first, sequence, time.perf_counter() - started, not rest)
        )
        # New pixels first: the window paints sample 0 before this thread takes the CPU (and the GIL)
        # again, for the rest of a grid or for a newer request; bounded, as a hidden window never paints.
        with self._condition:
            self._condition.wait_for(
                lambda: self._painted_id >= request.request_id or self._cancelled(), timeout=FIRST_PAINT_WAIT
            )
        size = batch_size(len(first.label))
        for number, offset in enumerate(range(0, len(rest), size)):
            if self._superseded():
                return
            chunk = rest[offset : offset + size]
            samples = make_samples(generator, chunk, request.seed, number + 1, request.separator_width)
            twins = (
                make_samples(plain, chunk, request.seed, number + 1, request.separator_width)
                if plain
                else None
            )
            if self._superseded():
                return
            self.resultReady.emit(
                PreviewResult(
                    request,
                    1 + offset,
                    samples,
                    twins,
                    None,
                    time.perf_counter() - started,
                    offset + size >= len(rest),
                )
            )

    def _generator(self, config: Config, dataset: DigitDataset) -> DigitSequence:
        """Reuse generators while settings stay the same (each keeps its imgaug pipeline)."""
        key = (id(dataset), repr(config))
        generator = self._generators.get(key)
        if generator is None:
            if len(self._generators) >= 4:
                self._generators.pop(next(iter(self._generators)))
            generator = self._generators[key] = DigitSequence(config, dataset=dataset)
        return generator

    def _dataset(self, request: PreviewRequest) -> DigitDataset | None:
        """The request's data set, or None when a newer request (or stop) came while loading."""
        key = (request.config.dataset.source, request.config.dataset.split)
        dataset = loaded_dataset(*key)  # shared with the export dialog and exports in this process
        if dataset is not None:
            return dataset
        name = "MNIST" if key[0] == "mnist" else key[0]
        self.progress.emit(request.request_id, f"Loading {name} ({key[1]})…")
        load = self._loads.get(key)
        if load is None:
            load = self._loads[key] = self._start_load(key)
        waited = 0.0
        while not load.done.wait(POLL_SECONDS):
            if self._superseded():
                return None
            waited += POLL_SECONDS
            if SLOW_LOAD_SECONDS <= waited < SLOW_LOAD_SECONDS + POLL_SECONDS:
                self.progress.emit(
                    request.request_id,
                    f"Still loading {name} ({key[1]})… If this file is not an "
                    "ordinary file (a pipe, a device), choose another data set.",
                )
        del self._loads[key]
        if load.error is not None:
            raise load.error
        return load.dataset

    @staticmethod
    def _start_load(key: tuple[str, str]) -> _Load:
        load = _Load(thread=None, done=threading.Event())  # type: ignore[arg-type]

        def run() -> None:
            try:
                load.dataset = shared_dataset(*key)
            except BaseException as exc:  # noqa: BLE001 - handed to the worker, which reports it
                load.error = exc
            finally:
                load.done.set()

        load.thread = threading.Thread(target=run, name=f"digitseq-load-{key[1]}", daemon=True)
        load.thread.start()
        return load
