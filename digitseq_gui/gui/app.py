"""Starting the window: ``digitseq-gui``, ``python -m digitseq_gui`` and ``digitseq gui`` land here.

Only Qt and the light parts of the engine are imported before the window is shown; the data set and
imgaug load in the preview worker, so the window paints at once in its "Loading MNIST..." state.
"""

from __future__ import annotations

import os
import signal
import sys

from PyQt5.QtCore import QCoreApplication, Qt, QtFatalMsg, QTimer, qInstallMessageHandler
from PyQt5.QtWidgets import QApplication

NO_DISPLAY = (
    "digitseq-gui: Qt found no display to open the window on ({display}): start it in a desktop "
    "session (or ssh -X); on a minimal Linux install libxcb-icccm4 libxcb-keysyms1 libxcb-xinerama0; "
    "the command line (digitseq generate, digitseq export) needs no display"
)


def create_application(argv: list[str]) -> QApplication:
    """The QApplication, with the attributes Qt wants set before it exists (high-DPI)."""
    existing = QApplication.instance()
    if existing is not None:
        return existing
    QCoreApplication.setAttribute(Qt.AA_EnableHighDpiScaling, True)
    QCoreApplication.setAttribute(Qt.AA_UseHighDpiPixmaps, True)
    said: list[str] = []

    def while_starting(kind, context, message) -> None:
        if kind == QtFatalMsg:  # no platform plugin could start: Qt would abort (exit 134) with a page on it
            display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
            reason = (said or [message])[0].strip().splitlines()[0]  # what Qt met first, in its words
            print(
                NO_DISPLAY.format(
                    display=f"display {display!r}" if display else "no DISPLAY or WAYLAND_DISPLAY"
                )
                + f" (Qt: {reason})",
                file=sys.stderr,
                flush=True,
            )
            os._exit(2)
        said.append(message)

    qInstallMessageHandler(while_starting)
    try:
        app = QApplication(argv)
    finally:
        qInstallMessageHandler(None)
    for message in said:  # what Qt said on the way, as it would have said it
        print(message, file=sys.stderr)
    app.setOrganizationName("DigitSeq")
    app.setApplicationName("DigitSeq")
    app.setApplicationDisplayName("DigitSeq")
    return app


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv if argv is None else [sys.argv[0], *argv]
    app = create_application(argv)
    from .icon import app_icon
    from .main_window import MainWindow

    app.setWindowIcon(app_icon())
    window = MainWindow()
    window.show()
    close_on_interrupt(window)
    return app.exec_()


def close_on_interrupt(window) -> QTimer:
    """Ctrl+C (SIGINT) or SIGTERM closes the window the normal way: settings saved, an export
    cancelled (its folder resumable), threads stopped, exit status 0. Python only sees a signal
    when it runs, so a timer hands it control now and then."""
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: window.close())
    wake = QTimer(window, interval=250)
    wake.timeout.connect(lambda: None)
    wake.start()
    return wake


if __name__ == "__main__":
    sys.exit(main())
