"""The preview worker on its own: newest request wins, errors are reported, the thread survives."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from gui_helpers import PREVIEW_TIMEOUT_MS, engine_image

from digitseq_gui import Config
from digitseq_gui.gui.worker import PreviewRequest, PreviewWorker


@pytest.fixture
def worker(qtbot):
    worker = PreviewWorker()
    worker.start()
    yield worker
    worker.stop()
    assert worker.isFinished()


def request(
    request_id: int, digits: str = "0123", width: int = 200, seed: int = 5, config=None
) -> PreviewRequest:
    if config is None:
        config = Config()
        config.image.width = width
    return PreviewRequest(request_id, digits, config, seed)


def test_the_newest_of_many_quick_requests_wins(qtbot, worker):
    with qtbot.waitSignal(worker.resultReady, timeout=PREVIEW_TIMEOUT_MS):
        worker.submit(request(0))  # data set loaded, first image made
    made = worker.generation_count
    with qtbot.waitSignal(
        worker.resultReady, timeout=PREVIEW_TIMEOUT_MS, check_params_cb=lambda result: result.request_id == 30
    ) as blocker:
        for i in range(1, 31):
            worker.submit(request(i, width=170 + i))
    result = blocker.args[0]
    assert worker.generation_count - made < 10  # replaced while pending, not queued
    assert result.sequence.image.shape == (28, 200)
    np.testing.assert_array_equal(result.sequence.image, engine_image(result))


def test_a_rejected_request_is_reported_with_its_field(qtbot, worker):
    with qtbot.waitSignal(worker.failed, timeout=PREVIEW_TIMEOUT_MS) as blocker:
        worker.submit(request(1, width=2))
    request_id, field, message = blocker.args
    assert (request_id, field) == (1, "image_width") and "too small" in message


def test_an_unexpected_exception_is_reported_and_the_worker_carries_on(qtbot, worker, capsys):
    broken = PreviewRequest(1, "0123", None, 5)  # a malformed request stands in for a bug
    with qtbot.waitSignal(worker.failed, timeout=PREVIEW_TIMEOUT_MS) as blocker:
        worker.submit(broken)
    assert blocker.args[1] == "" and blocker.args[2].startswith("Unexpected error: AttributeError")
    with qtbot.waitSignal(worker.resultReady, timeout=PREVIEW_TIMEOUT_MS):
        worker.submit(request(2))
    assert worker.isRunning()


def test_importing_the_window_does_not_import_imgaug_opencv_or_the_export_package():
    """The window paints before heavy work: imgaug and cv2 load later, in the worker, and the
    export package (multiprocessing, tar, zip, lmdb: ~65 ms) when the export dialog opens."""
    code = (
        "import sys, digitseq_gui.gui.app, digitseq_gui.gui.main_window; "
        "print('imgaug' in sys.modules, 'cv2' in sys.modules, 'digitseq_gui.export' in sys.modules)"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert output.stdout.split() == ["False", "False", "False"]


def test_a_data_set_that_never_loads_holds_up_neither_newer_requests_nor_stopping(qtbot, monkeypatch):
    """A data file whose read never returns (a FIFO before the engine refused them, a hung network
    drive): the worker waits for it only while nothing newer is asked for, and stops at once."""
    import threading

    from digitseq_gui.gui import worker as worker_module

    released = threading.Event()
    real_load = worker_module.shared_dataset

    def load(source, split):
        if source == "never":
            released.wait(60)
            raise OSError("gave up")
        return real_load(source, split)

    monkeypatch.setattr(worker_module, "shared_dataset", load)
    worker = PreviewWorker()
    worker.start()
    try:
        stuck = Config()
        stuck.dataset.source = "never"
        with qtbot.waitSignal(
            worker.progress,
            timeout=PREVIEW_TIMEOUT_MS,
            check_params_cb=lambda request_id, text: request_id == 1 and "never" in text,
        ):
            worker.submit(request(1, config=stuck))
        with qtbot.waitSignal(worker.resultReady, timeout=PREVIEW_TIMEOUT_MS) as blocker:
            worker.submit(request(2))
        assert blocker.args[0].request_id == 2
        worker.submit(request(3, config=stuck))  # waiting on the stuck load again...
        qtbot.wait(100)
    finally:
        worker.stop()  # ...and stopping does not wait for it
        assert worker.isFinished()
        released.set()
