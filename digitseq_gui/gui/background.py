"""A job run in a daemon thread, reporting back through Qt signals (queued to the window's thread).

Why not a QThread: a job may sit in a system call that never returns (opening a FIFO with no
writer as a data file). A QThread must be finished before it is destroyed, or Qt aborts the
process; a daemon thread may be left behind, so closing the window and exiting never hang on it.
The job gets the task as its cancel flag (``is_set``), labelme-style cooperative cancel.
"""

from __future__ import annotations

import threading

from PyQt5.QtCore import QObject, pyqtSignal

from .messages import window_error


class BackgroundTask(QObject):
    progressed = pyqtSignal(int, int)
    succeeded = pyqtSignal(object)
    failed = pyqtSignal(str)
    finished = pyqtSignal()

    def __init__(self, job, parent: QObject | None = None):
        super().__init__(parent)
        self._job = job
        self._cancel = threading.Event()
        self._ended = threading.Event()  # the job has returned: set before its end is reported
        self._thread = threading.Thread(target=self._run, name="digitseq-task", daemon=True)

    # the cancel flag the export engine polls
    def is_set(self) -> bool:
        return self._cancel.is_set()

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        self._cancel.set()

    def isRunning(self) -> bool:  # noqa: N802 - reads like QThread's
        """The job runs: false from the moment it has returned, so a window handling its report
        sees it stopped (the thread itself ends a moment later)."""
        return self._thread.is_alive() and not self._ended.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the job (at most ``timeout`` seconds); True if it has finished."""
        if self._thread.ident is not None:
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def report(self, done: int, total: int) -> None:
        self._emit("progressed", done, total)

    def _run(self) -> None:
        try:
            try:
                report = ("succeeded", self._job(self))
            except (
                ValueError,
                TypeError,
                OSError,
            ) as exc:  # DigitSeqError and file trouble: the user can act
                report = ("failed", window_error(exc))
            except Exception as exc:  # noqa: BLE001 - a bug still must not take the window down
                report = ("failed", f"Unexpected error ({type(exc).__name__}): {exc}")
            self._ended.set()
            self._emit(*report)
        finally:
            self._ended.set()
            self._emit("finished")

    def _emit(self, signal: str, *args) -> None:
        """Emit the named signal; once the window is gone (closed while the job ran), reading the
        signal itself raises, as emitting it would: nobody is left to tell."""
        try:
            getattr(self, signal).emit(*args)
        except RuntimeError:
            pass
