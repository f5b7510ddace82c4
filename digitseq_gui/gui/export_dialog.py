"""File > Export data set...: the export engine behind a dialog, run off the UI thread.

The dialog offers what ``digitseq export`` offers, previews the first samples, and runs the
export in a QThread (cooperative cancel through ``requestInterruption``; the engine checks it
between chunks). Closing the dialog cancels and waits for the thread. Errors are shown in the
dialog, never raised into Qt's event loop.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
from PyQt5.QtCore import QThread, Qt, QUrl, pyqtSignal
from PyQt5.QtGui import QDesktopServices, QImage, QPixmap
from PyQt5.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QProgressBar,
    QPushButton, QSpinBox, QStackedWidget, QVBoxLayout, QWidget,
)

from ..engine.config import Config

SOURCES = ("Random digits", "Pattern", "List from a file")
FORMATS = (("PNG images + labels.csv", "png"), ("PNG images + labels.jsonl", "jsonl"), ("One compressed .npz", "npz"))


class _Task(QThread):
    """Runs ``job(self)`` off the UI thread; ``self`` is the cancel flag (``is_set``)."""

    progressed = pyqtSignal(int, int)
    succeeded = pyqtSignal(object)
    failed = pyqtSignal(str)

    def __init__(self, job, parent=None):
        super().__init__(parent)
        self._job = job

    def is_set(self) -> bool:
        return self.isInterruptionRequested()

    def run(self) -> None:
        try:
            self.succeeded.emit(self._job(self))
        except (ValueError, TypeError, OSError) as exc:  # DigitSeqError and file trouble: the user can act
            self.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug still must not take the window down
            self.failed.emit(f"unexpected error ({type(exc).__name__}): {exc}")


class ExportDialog(QDialog):
    def __init__(self, config: Config, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export data set")
        self.config = config
        self._task: _Task | None = None
        self._preview_task: _Task | None = None
        self._started = 0.0
        self.result = None
        self._build()

    # -- layout ------------------------------------------------------------------------------

    def _build(self) -> None:
        form = QFormLayout()
        self.source = QComboBox()
        self.source.addItems(SOURCES)
        form.addRow("Sequences", self.source)
        self.source_pages = QStackedWidget()
        lengths = QWidget()
        row = QHBoxLayout(lengths)
        row.setContentsMargins(0, 0, 0, 0)
        self.min_length, self.max_length = QSpinBox(), QSpinBox()
        for box, value in ((self.min_length, 4), (self.max_length, 8)):
            box.setRange(1, 100)
            box.setValue(value)
        row.addWidget(QLabel("length from"))
        row.addWidget(self.min_length)
        row.addWidget(QLabel("to"))
        row.addWidget(self.max_length)
        self.pattern = QLineEdit("0[789]0-####-####")
        self.pattern.setToolTip("# random digit, [789] one of those digits, digits literal, - . / ( ) _ space separators")
        files, self.sequence_file = _path_row(self._browse_sequences)
        for page in (lengths, self.pattern, files):
            self.source_pages.addWidget(page)
        self.source.currentIndexChanged.connect(self.source_pages.setCurrentIndex)
        form.addRow("", self.source_pages)
        self.count = QSpinBox()
        self.count.setRange(1, 100_000_000)
        self.count.setValue(1000)
        self.count.setGroupSeparatorShown(True)
        form.addRow("Images", self.count)
        self.unique = QCheckBox("every sequence different")
        form.addRow("", self.unique)
        self.separator_width = QSpinBox()
        self.separator_width.setRange(0, 1000)
        self.separator_width.setValue(10)
        self.separator_width.setSuffix(" px")
        form.addRow("Separator gap", self.separator_width)
        self.format = QComboBox()
        for text, _ in FORMATS:
            self.format.addItem(text)
        form.addRow("Format", self.format)
        self.splits = QLineEdit()
        self.splits.setPlaceholderText("none, or e.g. train=0.8,val=0.1,test=0.1")
        form.addRow("Splits", self.splits)
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        form.addRow("Seed", self.seed)
        self.workers = QSpinBox()
        self.workers.setRange(1, 64)
        self.workers.setValue(min(os.cpu_count() or 1, 8))
        form.addRow("Worker processes", self.workers)
        output, self.output = _path_row(self._browse_output)
        form.addRow("Folder", output)
        self.overwrite = QCheckBox("replace an existing export")
        self.resume = QCheckBox("finish an interrupted export")
        form.addRow("", self.overwrite)
        form.addRow("", self.resume)

        self.preview_button = QPushButton("Preview")
        self.preview_button.clicked.connect(self.start_preview)
        self.preview_images = QVBoxLayout()
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.export_button = QPushButton("Export")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start_export)
        self.open_button = QPushButton("Open folder")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self.open_folder)
        self.cancel_button = QPushButton("Close")
        self.cancel_button.clicked.connect(self._cancel_or_close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addStretch(1)
        for button in (self.open_button, self.export_button, self.cancel_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(self.preview_images)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

    # -- the request -------------------------------------------------------------------------

    def request(self, **overrides):
        """The ExportRequest the controls describe (raises the engine's errors on bad values)."""
        from .. import export
        from ..engine import sequences

        kind = self.source.currentIndex()
        if kind == 0:
            source = sequences.random_lengths(self.min_length.value(), self.max_length.value())
        elif kind == 1:
            source = sequences.pattern(self.pattern.text())
        else:
            if not self.sequence_file.text().strip():
                raise ValueError("choose the file of sequences (one per line)")
            source = sequences.from_file(self.sequence_file.text().strip())
        if not self.output.text().strip() and "output" not in overrides:
            raise ValueError("choose the folder to export into")
        values = dict(output=Path(self.output.text().strip()).expanduser(), sequences=source, count=self.count.value(),
                      config=self.config, seed=self.seed.value(), format=FORMATS[self.format.currentIndex()][1],
                      splits=self.splits.text().strip() or None, unique=self.unique.isChecked(),
                      separator_width=self.separator_width.value(), workers=self.workers.value(),
                      resume=self.resume.isChecked(), overwrite=self.overwrite.isChecked())
        values.update(overrides)
        return export.ExportRequest(**values)

    # -- preview -----------------------------------------------------------------------------

    def start_preview(self) -> None:
        from ..export.run import preview

        if self._preview_task is not None and self._preview_task.isRunning():
            return
        try:
            request = self.request(output=Path("."), count=min(self.count.value(), 64))
        except (ValueError, TypeError, OSError) as exc:
            self._show_error(str(exc))
            return
        self._preview_task = _Task(lambda flag: preview(request, 4), self)
        self._preview_task.succeeded.connect(self._show_preview)
        self._preview_task.failed.connect(self._show_error)
        self._preview_task.start()

    def _show_preview(self, samples) -> None:
        while self.preview_images.count():
            widget = self.preview_images.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        for image, text in samples:
            image = np.ascontiguousarray(image)
            qimage = QImage(image.data, image.shape[1], image.shape[0], image.strides[0], QImage.Format_Grayscale8).copy()
            label = QLabel()
            label.setPixmap(QPixmap.fromImage(qimage))
            label.setToolTip(text)
            self.preview_images.addWidget(label)
        self.status.setText(f"preview: {', '.join(text for _, text in samples)}")

    # -- export ------------------------------------------------------------------------------

    def start_export(self) -> None:
        from ..export.run import run_export

        if self.is_running():
            return
        try:
            request = self.request()
        except (ValueError, TypeError, OSError) as exc:
            self._show_error(str(exc))
            return
        self.result = None
        self.open_button.setEnabled(False)
        self.export_button.setEnabled(False)
        self.cancel_button.setText("Cancel")
        self.status.setStyleSheet("")
        self.status.setText("starting…")
        self._started = time.monotonic()
        self._first_done: int | None = None
        self._task = _Task(lambda flag: run_export(request, flag.progressed.emit, flag), self)
        self._task.progressed.connect(self._on_progress)
        self._task.succeeded.connect(self._on_done)
        self._task.failed.connect(self._on_failed)
        self._task.start()

    def is_running(self) -> bool:
        return self._task is not None and self._task.isRunning()

    def _on_progress(self, done: int, total: int) -> None:
        if self._first_done is None:
            self._first_done, self._started = done, time.monotonic()
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        elapsed = time.monotonic() - self._started
        made = done - self._first_done
        rate = made / elapsed if elapsed > 0 and made else 0.0
        left = f", {_duration((total - done) / rate)} left" if rate else ""
        self.status.setText(f"{done:,} / {total:,} images" + (f" · {rate:,.0f} images/s" if rate else "") + left)

    def _on_done(self, result) -> None:
        self.result = result
        self._idle()
        if result.status == "complete":
            self.status.setText(f"Done: {result.written:,} images in {result.output}")
            self.open_button.setEnabled(True)
        else:
            self.status.setText(f"Cancelled after {result.written:,} of {result.total:,} images; the folder is consistent. "
                                "Tick “finish an interrupted export” and Export again to complete it.")
            self.open_button.setEnabled(True)

    def _on_failed(self, message: str) -> None:
        self._idle()
        self._show_error(message)

    def _idle(self) -> None:
        self.export_button.setEnabled(True)
        self.cancel_button.setText("Close")

    def _show_error(self, message: str) -> None:
        self.status.setStyleSheet("color: #b00020;")
        self.status.setText(message)

    def cancel(self) -> None:
        if self.is_running():
            self.status.setText("cancelling after the current chunk…")
            self._task.requestInterruption()

    def _cancel_or_close(self) -> None:
        if self.is_running():
            self.cancel()
        else:
            self.reject()

    def open_folder(self) -> None:
        if self.result is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(self.result.output).resolve())))

    # -- closing -----------------------------------------------------------------------------

    def _stop_threads(self) -> None:
        for task in (self._task, self._preview_task):
            if task is not None and task.isRunning():
                task.requestInterruption()
                task.wait()

    def reject(self) -> None:
        self._stop_threads()
        super().reject()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._stop_threads()
        super().closeEvent(event)

    def _browse_output(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export into folder", self.output.text())
        if folder:
            self.output.setText(folder)

    def _browse_sequences(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "File of sequences", "", "Text files (*.txt);;All files (*)")
        if path:
            self.sequence_file.setText(path)


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 else f"{seconds // 60}:{seconds % 60:02d}"


def _path_row(browse) -> tuple[QWidget, QLineEdit]:
    """A path field with a Browse… button that calls ``browse``."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    field = QLineEdit()
    button = QPushButton("Browse…")
    button.clicked.connect(browse)
    layout.addWidget(field)
    layout.addWidget(button)
    return row, field
