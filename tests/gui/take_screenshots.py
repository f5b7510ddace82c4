"""Screenshots of the window's states, for looking at them (and docs/screenshot.png).

    python tests/gui/take_screenshots.py OUTPUT_FOLDER     # on an X display (Xvfb) or offscreen

Not a test: it starts the real window, walks it through the states a person sees (grid, single
view, without augmentation, an error, a narrow window, the export dialog) and saves each as PNG.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PyQt5.QtCore import QSettings, QTimer


def main(folder: Path) -> int:
    from digitseq_gui.gui.app import create_application

    app = create_application([sys.argv[0]])
    from digitseq_gui.gui.main_window import DEFAULT_SIZE, MainWindow

    folder.mkdir(parents=True, exist_ok=True)
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "settings.ini"), QSettings.IniFormat)
    window = MainWindow(settings=settings)
    controls = window.controls
    group = controls.augmentation_group

    def shot(name: str, widget=None) -> None:
        path = folder / f"{name}.png"
        (widget or window).grab().save(str(path))
        print(path, flush=True)

    steps = [
        (
            lambda: (
                controls.digits.setText("0[789]0-####-####"),
                group.transform.setChecked(True),
                controls.seed.setValue(20261130),
            ),
            "grid",
        ),
        (lambda: window.compare_check.setChecked(True), "grid-without-augmentation"),
        (
            lambda: (
                window.compare_check.setChecked(False),
                window.grid_check.setChecked(False),
                controls.digits.setText("0123"),
                window.boxes_check.setChecked(True),
            ),
            "single",
        ),
        (lambda: controls.min_spacing.setValue(20), "error-gap"),
        (lambda: (controls.min_spacing.setValue(2), controls.digits.setText("12a4")), "error-letter"),
        (
            lambda: (
                controls.digits.setText("0123"),
                window.grid_check.setChecked(True),
                window.resize(window.minimumSize()),
            ),
            "narrow",
        ),
        (
            lambda: (
                window.resize(DEFAULT_SIZE),
                controls.image_width.setValue(10_000),
                window.grid_check.setChecked(False),
            ),
            "very-wide",
        ),
        (
            lambda: (
                controls.image_width.setValue(200),
                window.grid_check.setChecked(True),
                controls.tabs.setCurrentIndex(1),
            ),
            "augmentation-tab",
        ),
        (
            lambda: (
                controls.tabs.setCurrentIndex(0),
                controls.digits.setText("0[789]0-####-####"),
                window.boxes_check.setChecked(False),
            ),
            "screenshot",
        ),
    ]

    state = {"index": -1}

    def settled(*_) -> None:
        """The window answered the last step (every sample, or an error): take its picture, go on."""
        QTimer.singleShot(400, next_step)

    def next_step() -> None:
        if state["index"] >= 0:
            shot(steps[state["index"]][1])
        state["index"] += 1
        if state["index"] == len(steps):
            window.previewCompleted.disconnect(settled)
            window.previewFailed.disconnect(settled)
            window.open_export()
            window.export_dialog.output.setText("20000")  # a relative name: the dialog shows where it goes
            QTimer.singleShot(4000, lambda: shot("export-dialog", window.export_dialog))
            QTimer.singleShot(4100, lambda: window.export_dialog.source.setCurrentIndex(0))  # no gap offered
            QTimer.singleShot(
                8000,
                lambda: (
                    shot("export-dialog-random-digits", window.export_dialog),
                    window.close(),
                    app.quit(),
                ),
            )
            return
        steps[state["index"]][0]()

    window.previewCompleted.connect(settled)
    window.previewFailed.connect(settled)
    window.show()
    QTimer.singleShot(120_000, app.quit)
    return app.exec_()


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")))
