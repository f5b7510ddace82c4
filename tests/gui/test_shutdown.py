"""Quitting mid-export and data files that never answer: the process exits normally, nothing hangs.

Each case runs the real window in a subprocess (offscreen), so an abort (SIGABRT from a QThread
destroyed while running) or a hang shows as a failing exit status or a timeout here instead of
taking the test run down.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

EXPORT_SCRIPT = textwrap.dedent("""
    import sys
    from PyQt5.QtCore import QSettings, QTimer
    from digitseq_gui.gui.app import close_on_interrupt, create_application
    app = create_application([sys.argv[0]])
    from digitseq_gui.gui.main_window import MainWindow
    settings, output, how, workers = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    window = MainWindow(settings=QSettings(settings, QSettings.IniFormat))
    window.show()
    close_on_interrupt(window)
    told = []

    def progressed(done, total):
        if done and not told:
            told.append(done)
            print("progress", done, total, flush=True)
            if how == "quit":
                app.quit()
            elif how == "close":
                window.close()
            # "signal": the test sends SIGINT now

    def start():
        window.open_export()
        dialog = window.export_dialog
        dialog.output.setText(output)
        dialog.count.setValue(200_000)
        dialog.workers.setValue(workers)
        dialog.start_export()
        dialog._task.progressed.connect(progressed)

    QTimer.singleShot(0, start)
    QTimer.singleShot(100_000, lambda: (print("gave up", flush=True), app.exit(9)))
    code = app.exec_()
    print("exit", code, flush=True)
    sys.exit(code)
""")


def _environment(tmp_path) -> dict:
    return dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(tmp_path), HOME=str(tmp_path))


@pytest.mark.parametrize("how, workers", [("quit", 1), ("close", 1), ("signal", 2)])
def test_quitting_mid_export_cancels_it_and_exits_with_status_0(tmp_path, how, workers):
    output = tmp_path / "export"
    process = subprocess.Popen(
        [sys.executable, "-c", EXPORT_SCRIPT, str(tmp_path / "s.ini"), str(output), how, str(workers)],
        env=_environment(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = process.stdout.readline()
        assert first.startswith("progress"), first + process.stderr.read()
        if how == "signal":
            process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, f"exit {process.returncode}\n{out}\n{err}"
    assert "exit 0" in out
    assert "QThread" not in err and "Traceback" not in err, err
    assert f"the export to {output} was cancelled; its folder is consistent" in err  # stopped, not killed
    manifest = json.loads((output / "manifest.json").read_text())
    assert manifest["status"] == "partial"  # cancelled, resumable: not finished, not torn
    rows = (output / "labels.csv").read_text().splitlines()[1:]
    assert 0 < len(rows) == len(list((output / "images").iterdir())) < 200_000


FIFO_SCRIPT = textwrap.dedent("""
    import sys, time
    from PyQt5.QtCore import QSettings, QTimer
    from digitseq_gui.gui.app import create_application
    app = create_application([sys.argv[0]])
    from digitseq_gui.gui.main_window import MainWindow
    window = MainWindow(settings=QSettings(sys.argv[1], QSettings.IniFormat))
    fifo = sys.argv[2]
    ticks = []
    steps = iter([])

    def report(text):
        print(text, flush=True)

    def first_image(result):
        window.previewShown.disconnect(first_image)
        window.previewFailed.connect(lambda field, message: report(f"refused {field}: {message}"))
        window.controls.set_custom_source(fifo)  # the worker's data set load now waits on the FIFO
        started = time.monotonic()
        timer = QTimer(window, interval=50)
        timer.timeout.connect(lambda: ticks.append(time.monotonic()))
        timer.start()
        QTimer.singleShot(1500, lambda: back_to_mnist(started))

    def back_to_mnist(started):
        # The window kept running its event loop while the FIFO load waited.
        report(f"ticks {len(ticks)} in {time.monotonic() - started:.1f} s")
        window.previewShown.connect(shown_again)
        window.controls.source.setCurrentIndex(0)

    def shown_again(result):
        report(f"shown again {result.request.config.dataset.source}")
        window.controls.set_custom_source(fifo)  # and once more, then close while it waits
        QTimer.singleShot(300, close)

    def close():
        started = time.monotonic()
        window.close()
        report(f"closed in {time.monotonic() - started:.1f} s")

    window.previewShown.connect(first_image)
    window.show()
    QTimer.singleShot(100_000, lambda: (report("gave up"), app.exit(9)))
    sys.exit(app.exec_())
""")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_as_data_set_never_hangs_the_window_nor_its_closing(tmp_path):
    fifo = tmp_path / "digits.npz"
    os.mkfifo(fifo)
    completed = subprocess.run(
        [sys.executable, "-c", FIFO_SCRIPT, str(tmp_path / "s.ini"), str(fifo)],
        env=_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = completed.stdout
    assert completed.returncode == 0, out + completed.stderr
    ticks = int(out.split("ticks ")[1].split()[0])
    assert ticks >= 10, out  # the event loop ran all along (a 50 ms timer, ~1.5 s)
    assert "shown again mnist" in out  # a newer request did not wait behind the FIFO
    assert "closed in" in out and "QThread" not in completed.stderr
    # The engine refuses non-regular files up front: the refusal is shown (for both requests of
    # the FIFO), naming the FIFO, instead of a load that never returns.
    refusals = [line for line in out.splitlines() if line.startswith("refused")]
    assert len(refusals) == 2 and all(
        line.startswith("refused dataset") and "FIFO" in line for line in refusals
    ), out


def test_a_task_whose_window_is_gone_ends_quietly(qapp):
    """A job that returns after its QObject was deleted (the window closed meanwhile) reports to
    nobody, without an exception in its thread."""
    import threading

    import sip  # PyQt5's

    from digitseq_gui.gui.background import BackgroundTask

    release, raised = threading.Event(), []
    previous_hook = threading.excepthook
    threading.excepthook = lambda args: raised.append(args.exc_value)
    try:
        task = BackgroundTask(lambda task: release.wait(10) and "done")
        thread = task._thread
        task.start()
        sip.delete(task)
        release.set()
        thread.join(10)
    finally:
        threading.excepthook = previous_hook
    assert not thread.is_alive() and raised == []
