"""How long from a setting change in the window to its new pixels on screen (issue 10, item 4).

    python benchmarks/bench_window.py [--changes 200] [--digits 0123456789]

Runs the real window offscreen (QT_QPA_PLATFORM=offscreen unless set), 10 digits with the default
augmentations on, and changes a setting through its widget (the rotation slider, stepping through
its range). The clock runs from the change (``setValue`` on the slider, as a drag does) to the end
of the preview canvas's paint that shows the sample made for it. Printed: p50 / p95 / max in ms for

- single: one sample, one change at a time (change, wait for the pixels, change again);
- grid: the 4 x 2 grid, time to the first new sample and to the whole grid;
- drag: changes every 8 ms (a fast slider drag) without waiting; for each change, the time until
  the pixels of it or of a newer change are on screen (newest wins: work for older settings is
  dropped, not queued), and how many images were made for how many changes.

A figure, not a test: this machine is shared and noisy; compare runs side by side.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PyQt5.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def summary(name: str, values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (
        f"{name:<28} p50 {percentile(ms, 50):6.1f} ms   p95 {percentile(ms, 95):6.1f} ms   "
        f"max {max(ms):6.1f} ms   (n={len(ms)})"
    )


class Probe:
    """Times from a change to the paint that shows a request at least as new as the change's."""

    def __init__(self, window):
        self.window = window
        self.waiting: list[tuple[int, float, str]] = []  # (request id, t0, what: "first"/"all")
        self.done: dict[str, list[float]] = {"first": [], "all": []}
        self.generating: list[float] = []  # the worker's own time for sample 0 (the engine's part)
        self.loop: QEventLoop | None = None
        self._complete_id = -1
        window.preview.canvas.painted.connect(self._painted)
        window.previewCompleted.connect(lambda result: setattr(self, "_complete_id", result.request_id))
        window.previewShown.connect(lambda result: self.generating.append(result.elapsed))

    def expect(self, what: str) -> None:
        self.waiting.append((self.window._request_id, time.perf_counter(), what))

    def _painted(self) -> None:
        now = time.perf_counter()
        shown = self.window.shown_result
        shown_id = shown.request_id if shown is not None else -1
        still = []
        for request_id, started, what in self.waiting:
            reached = shown_id if what == "first" else self._complete_id
            if reached >= request_id:
                self.done[what].append(now - started)
            else:
                still.append((request_id, started, what))
        self.waiting = still
        if not still and self.loop is not None:
            self.loop.quit()

    def wait(self, timeout: float = 30.0) -> None:
        """Run the event loop (idle between events, as a real session) until nothing is awaited."""
        if not self.waiting:
            return
        self.loop = QEventLoop()
        QTimer.singleShot(int(timeout * 1000), self.loop.quit)
        self.loop.exec_()
        self.loop = None


def wait_until(condition, timeout: float = 30.0) -> None:
    loop = QEventLoop()
    deadline = time.monotonic() + timeout
    timer = QTimer(interval=5)
    timer.timeout.connect(lambda: (condition() or time.monotonic() > deadline) and loop.quit())
    timer.start()
    loop.exec_()
    timer.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--digits", default="0123456789")
    args = parser.parse_args(argv)

    from digitseq_gui.gui.app import create_application

    app = create_application([sys.argv[0]])  # noqa: F841 - kept alive for the whole run
    from digitseq_gui.gui.main_window import MainWindow

    settings = QSettings(str(Path(tempfile.mkdtemp()) / "bench.ini"), QSettings.IniFormat)
    window = MainWindow(settings=settings)
    controls = window.controls
    window.grid_check.setChecked(False)
    controls.digits.setText(args.digits)
    controls.augmentation_group.transform.setChecked(True)
    window.show()
    wait_until(
        lambda: window.shown_result is not None and window.shown_result.request.config.image.transform, 60
    )
    slider = controls.augmentation_group.rows["rotate"].slider
    positions = [p for p in range(slider.minimum() + 1, slider.maximum() + 1)]
    probe = Probe(window)

    def change(i: int) -> None:
        slider.setValue(
            positions[i % len(positions)]
            if slider.value() != positions[i % len(positions)]
            else positions[(i + 1) % len(positions)]
        )

    def one_at_a_time(what: str, count: int) -> list[float]:
        probe.done = {"first": [], "all": []}
        for i in range(count):
            change(i)
            probe.expect("first")
            if what == "all":
                probe.expect("all")
            probe.wait()
        return probe.done

    # warm up: generators, imgaug's pipelines, caches
    one_at_a_time("first", 20)
    probe.generating = []
    single = one_at_a_time("first", args.changes)["first"]
    generating = list(probe.generating)

    window.grid_check.setChecked(True)
    window.grid_rows.setValue(4)
    window.grid_columns.setValue(2)
    wait_until(lambda: window.shown_result is not None and window.shown_result.request.cells == 8)
    one_at_a_time("all", 10)
    grid = one_at_a_time("all", max(20, args.changes // 4))

    window.grid_check.setChecked(False)
    wait_until(lambda: window.shown_result is not None and window.shown_result.request.cells == 1)
    probe.done = {"first": [], "all": []}
    made = window.worker.generation_count
    drags = max(40, args.changes)
    step = {"i": 0}
    ticker = QTimer(interval=8)  # a slider dragged fast: a change every 8 ms, whatever is on screen

    def tick() -> None:
        change(step["i"])
        probe.expect("first")
        step["i"] += 1
        if step["i"] == drags:
            ticker.stop()

    ticker.timeout.connect(tick)
    ticker.start()
    wait_until(lambda: step["i"] == drags and not probe.waiting, 120)
    drag = probe.done["first"]
    made = window.worker.generation_count - made

    print(
        f"DigitSeq window, {len(args.digits)} digits, default augmentations, offscreen; "
        f"change = rotation slider step; clock = setValue() to the end of the canvas paint"
    )
    print(summary("single view", single))
    print(summary("  of which the engine", generating))
    print(summary("grid 4x2, first sample", grid["first"]))
    print(summary("grid 4x2, all 8 samples", grid["all"]))
    print(summary("drag every 8 ms (newest)", drag))
    print(f"{'drag':<28} {drags} changes -> {made} images made (older settings dropped, never queued)")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
