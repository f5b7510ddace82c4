"""The preview worker: one QThread that makes preview images off the UI thread.

Like Orange3's restart-on-change preview, it holds at most ONE pending request: a newer request
replaces an older one that has not started, so dragging a slider never queues work. Requests
carry an increasing id; a result whose request has been superseded by the time it is ready is
dropped here, and the window shows only the newest id anyway. Stopping is cooperative
(labelme-style ``requestInterruption``), checked between the slow steps.

Data sets are loaded here (the first one is "Loading MNIST...") and cached by (source, split), and
imgaug is imported here on first use of the transform, so neither blocks the window.
"""
from __future__ import annotations

import sys
import threading
import time
import traceback
from dataclasses import dataclass

from PyQt5.QtCore import QThread, pyqtSignal

from ..engine.config import Config
from ..engine.data.dataset import DigitDataset, load_dataset
from ..engine.errors import DigitSeqError
from ..engine.generator import DigitSequence, SequenceImage


@dataclass(frozen=True)
class PreviewRequest:
    request_id: int
    digits: str
    config: Config
    seed: int


@dataclass(frozen=True)
class PreviewResult:
    request: PreviewRequest
    sequence: SequenceImage
    elapsed: float  # seconds spent generating (not loading)

    @property
    def request_id(self) -> int:
        return self.request.request_id


class PreviewWorker(QThread):
    """Makes one image per request; the newest request wins."""

    resultReady = pyqtSignal(object)  # PreviewResult
    failed = pyqtSignal(int, str, str)  # request id, field at fault ("" if none), message
    progress = pyqtSignal(int, str)  # request id, what is happening ("Loading MNIST...")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._condition = threading.Condition()
        self._pending: PreviewRequest | None = None
        self._stopping = False
        self._datasets: dict[tuple[str, str], DigitDataset] = {}
        self._last_generator: tuple[tuple, DigitSequence] | None = None
        self.generation_count = 0  # images actually made; tests check coalescing with it

    # -- called from the UI thread ---------------------------------------------------------

    def submit(self, request: PreviewRequest) -> None:
        """Queue ``request``, replacing any request that has not started yet."""
        with self._condition:
            self._pending = request
            self._condition.notify()

    def stop(self) -> None:
        """Ask the thread to finish and wait for it (the current image is at most milliseconds)."""
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
                result = self._make(request)
            except DigitSeqError as exc:
                if not self._superseded():
                    self.failed.emit(request.request_id, exc.field or "", str(exc))
            except Exception as exc:  # a bug must not kill the worker: report it and carry on
                traceback.print_exc()
                if not self._superseded():
                    self.failed.emit(request.request_id, "", f"Unexpected error: {type(exc).__name__}: {exc}")
            else:
                if result is not None and not self._superseded():
                    self.resultReady.emit(result)

    def _cancelled(self) -> bool:
        return self._stopping or self.isInterruptionRequested()

    def _superseded(self) -> bool:
        """True when a newer request is waiting or the thread is stopping: drop this work."""
        with self._condition:
            return self._pending is not None or self._cancelled()

    def _make(self, request: PreviewRequest) -> PreviewResult | None:
        dataset = self._dataset(request)
        if self._superseded():
            return None
        if request.config.image.enabled_augmentations() and "imgaug.augmenters" not in sys.modules:
            self.progress.emit(request.request_id, "Loading the augmentation library (first time only)…")
            from ..engine.imgaug_compat import augmenters

            augmenters()
            if self._superseded():
                return None
        generator = self._generator(request.config, dataset)
        started = time.perf_counter()
        self.generation_count += 1
        sequence = generator.generate(request.digits, request.config.spacing_range,
                                      request.config.image.width, seed=request.seed)
        return PreviewResult(request, sequence, time.perf_counter() - started)

    def _generator(self, config: Config, dataset: DigitDataset) -> DigitSequence:
        """Reuse the generator while settings stay the same (it keeps its imgaug pipeline)."""
        key = (id(dataset), repr(config))
        if self._last_generator is None or self._last_generator[0] != key:
            self._last_generator = (key, DigitSequence(config, dataset=dataset))
        return self._last_generator[1]

    def _dataset(self, request: PreviewRequest) -> DigitDataset:
        key = (request.config.dataset.source, request.config.dataset.split)
        dataset = self._datasets.get(key)
        if dataset is None:
            name = "MNIST" if key[0] == "mnist" else key[0]
            self.progress.emit(request.request_id, f"Loading {name} ({key[1]})…")
            dataset = load_dataset(*key)
            self._datasets[key] = dataset
        return dataset
