"""File > Export data set...: the export engine behind a dialog, run off the UI thread.

The dialog offers what ``digitseq export`` offers and starts from the main window's settings
and seed. Its preview shows the export's first samples and is redrawn whenever a setting changes
(newest wins: a change while one is being made waits for it, then only the newest runs), so it is
never stale. **Copy command** copies the ``digitseq export`` command that makes the same data set.
The export runs in a background task (cooperative cancel; the engine checks it between chunks).
Closing the dialog or quitting the window cancels it and waits (bounded) for it to stop, so the
folder stays resumable and the process exits normally. Errors are shown in the dialog, in the
dialog's words (tick boxes, not command-line flags), never raised into Qt's event loop.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
from PyQt5.QtCore import Qt, QTimer, QUrl
from PyQt5.QtGui import QDesktopServices, QPixmap
from PyQt5.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..engine.config import Config
from ..engine.sequences import (
    DEFAULT_SEPARATOR_WIDTH,
    MAX_COUNT,
    MAX_RANDOM_LENGTH,
    MAX_SEPARATOR_WIDTH,
    SEPARATORS,
)
from ..export import (
    COMPRESSIONS,
    DEFAULT_COMPRESSION,
    DEFAULT_FORMAT,
    FORMATS,
    ExportRequest,
    default_workers,
    max_workers,
    preview,
    run_export,
)
from .background import BackgroundTask
from .command_line import request_command_line
from .messages import window_message
from .preview import to_qimage
from .seed_box import SeedBox, random_seed
from .wheel_guard import guard_wheel

SOURCES = ("Random digits", "Pattern", "List from a file")
PREVIEW_COUNT = 6
PREVIEW_WIDTH = 400  # screen pixels per preview image: 2x for the usual 200 px, shrunk for wide ones
PREVIEW_HEIGHT = 2 * 28  # 2x the usual 28 px; taller images (image.height) are shrunk to fit
PREVIEW_DELAY_MS = 150  # typing a pattern makes one preview, not one per key
SHUT_DOWN_SECONDS = 20.0  # how long quitting waits for a cancelled export to stop


class ExportDialog(QDialog):
    def __init__(
        self,
        config: Config,
        parent: QWidget | None = None,
        seed: int | None = None,
        sequence: str = "",
        separator_width: int = DEFAULT_SEPARATOR_WIDTH,
    ):
        super().__init__(parent)
        self.setWindowTitle("Export data set")
        self.config = config
        self._task: BackgroundTask | None = None
        self._preview_task: BackgroundTask | None = None
        self._preview_wanted = False
        self._preview_busy = False
        self._preview_serial = 0
        self._started = 0.0
        self._first_done: int | None = None
        self._close_when_stopped = False
        self.result = None
        self.preview_samples: list[tuple[np.ndarray, str]] = []
        self._build()
        self.seed.setValue(random_seed() if seed is None else int(seed))
        self.separator_width.setValue(separator_width)
        if any(c in sequence for c in "#[") or any(c in sequence for c in SEPARATORS):
            self.source.setCurrentIndex(1)
            self.pattern.setText(sequence.strip())
        guard_wheel(self)
        self._preview_timer = QTimer(self, singleShot=True, interval=PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.start_preview)
        self._connect_changes()
        self._show_separator_gap()
        self._show_output_where()
        self.start_preview()

    # -- layout ------------------------------------------------------------------------------

    def _build(self) -> None:
        form = QFormLayout()
        self.source = QComboBox()
        self.source.addItems(SOURCES)
        form.addRow("&Sequences:", self.source)
        self.source_pages = QStackedWidget()
        lengths = QWidget()
        row = QHBoxLayout(lengths)
        row.setContentsMargins(0, 0, 0, 0)
        self.min_length, self.max_length = QSpinBox(), QSpinBox()
        for box, value in ((self.min_length, 4), (self.max_length, 8)):
            box.setRange(1, MAX_RANDOM_LENGTH)
            box.setValue(value)
        row.addWidget(QLabel("length from"))
        row.addWidget(self.min_length)
        row.addWidget(QLabel("to"))
        row.addWidget(self.max_length)
        row.addStretch(1)
        self.pattern = QLineEdit("0[789]0-####-####")
        self.pattern.setToolTip(
            "# random digit, [789] one of those digits, digits literal, - . / ( ) _ space separators"
        )
        files, self.sequence_file = _path_row(self._browse_sequences)
        for page in (lengths, self.pattern, files):
            self.source_pages.addWidget(page)
        self.source_pages.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)
        self.source.currentIndexChanged.connect(self.source_pages.setCurrentIndex)
        form.addRow("", self.source_pages)
        self.count = QSpinBox()
        self.count.setRange(1, MAX_COUNT)
        self.count.setValue(1000)
        self.count.setGroupSeparatorShown(True)
        form.addRow("&Images:", self.count)
        self.unique = QCheckBox("every sequence different")
        form.addRow("", self.unique)
        self.separator_width = QSpinBox()
        self.separator_width.setRange(0, MAX_SEPARATOR_WIDTH)
        self.separator_width.setSuffix(" px")
        self.separator_width.setToolTip("The blank gap each separator (- . / ( ) _ space) becomes")
        form.addRow("Separator &gap:", self.separator_width)
        self.separator_label = form.labelForField(self.separator_width)
        self.format = QComboBox()
        for name, fmt in FORMATS.items():  # the item's data is the name the request takes
            self.format.addItem(fmt.title or name, name)
        self.format.setCurrentIndex(self.format.findData(DEFAULT_FORMAT))
        form.addRow("&Format:", self.format)
        self.compression = QComboBox()
        for name, title in COMPRESSIONS.items():
            self.compression.addItem(title, name)
        self.compression.setCurrentIndex(self.compression.findData(DEFAULT_COMPRESSION))
        self.compression.setToolTip(
            "Deflate effort for PNG and npz: it never changes the pixels, only file size and speed"
        )
        form.addRow("Compressio&n:", self.compression)
        self.splits = QLineEdit()
        self.splits.setPlaceholderText("none, or train=0.8,val=0.1,test=0.1")
        form.addRow("S&plits:", self.splits)
        self.seed = SeedBox()
        self.seed.setToolTip(
            "The data set's seed: the same seed and settings make the same data set. "
            "It starts as the main window's seed."
        )
        self.new_seed_button = QPushButton("New seed")
        self.new_seed_button.clicked.connect(lambda: self.seed.setValue(random_seed()))
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(self.new_seed_button)
        seed_label = QLabel("S&eed:")
        seed_label.setBuddy(self.seed)  # a row given a layout has no buddy of its own: Alt+E
        form.addRow(seed_label, seed_row)
        self.workers = QSpinBox()
        self.workers.setRange(1, max_workers())  # more processes than cores only cost memory
        self.workers.setValue(default_workers())
        form.addRow("&Worker processes:", self.workers)
        output, self.output = _path_row(self._browse_output)
        form.addRow("F&older:", output)
        # A typed name is a folder relative to where DigitSeq was started, which a window never
        # shows: so the full path it writes to is always shown under the field, and used as is.
        self.output_where = QLabel("")
        self.output_where.setWordWrap(True)
        self.output_where.setTextInteractionFlags(Qt.TextSelectableByMouse)
        form.addRow("", self.output_where)
        self.output.textChanged.connect(self._show_output_where)
        self.overwrite = QCheckBox("Replace an existing export")
        self.resume = QCheckBox("Finish an interrupted export")
        form.addRow("", self.overwrite)
        form.addRow("", self.resume)

        preview_box = QGroupBox("First samples of the export")
        self.preview_grid = QGridLayout(preview_box)
        self.preview_labels: list[tuple[QLabel, QLabel]] = []
        for i in range(PREVIEW_COUNT):
            image, caption = QLabel(), QLabel()
            image.setFixedSize(
                PREVIEW_WIDTH, PREVIEW_HEIGHT
            )  # room for the image at 2x, so nothing is clipped
            image.setAlignment(Qt.AlignLeft | Qt.AlignVCenter)
            caption.setTextInteractionFlags(Qt.TextSelectableByMouse)
            self.preview_grid.addWidget(image, 2 * i, 0)
            self.preview_grid.addWidget(caption, 2 * i + 1, 0)
            self.preview_labels.append((image, caption))
        self.preview_grid.setRowStretch(2 * PREVIEW_COUNT, 1)
        self.preview_state = QLabel("")
        self.preview_state.setWordWrap(True)
        self.preview_grid.addWidget(self.preview_state, 2 * PREVIEW_COUNT + 1, 0)

        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.copy_button = QPushButton("&Copy command")
        self.copy_button.setToolTip("Copy the digitseq export command that makes this same data set")
        self.copy_button.clicked.connect(self.copy_command)
        self.export_button = QPushButton("&Export")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start_export)
        self.open_button = QPushButton("&Open folder")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self.open_folder)
        self.cancel_button = QPushButton("Close")
        self.cancel_button.clicked.connect(self._cancel_or_close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        for button in (self.open_button, self.export_button, self.cancel_button):
            buttons.addWidget(button)
        settings = QVBoxLayout()
        settings.addLayout(form)
        settings.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(settings, 1)
        columns.addWidget(preview_box, 0)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

    def _connect_changes(self) -> None:
        """Every setting that changes the images redraws the preview."""
        for box in (self.min_length, self.max_length, self.count, self.separator_width, self.seed):
            box.valueChanged.connect(self.schedule_preview)
        self.source.currentIndexChanged.connect(
            self.schedule_preview
        )  # the format does not change the pixels
        for line in (self.pattern, self.sequence_file, self.splits):
            line.textChanged.connect(self.schedule_preview)
        self.unique.toggled.connect(self.schedule_preview)
        self.source.currentIndexChanged.connect(self._show_separator_gap)
        # Any setting at all: what the bar and the status line said of the last export is over.
        for box in (
            self.min_length,
            self.max_length,
            self.count,
            self.separator_width,
            self.seed,
            self.workers,
        ):
            box.valueChanged.connect(self._forget_last_export)
        for combo in (self.source, self.format, self.compression):
            combo.currentIndexChanged.connect(self._forget_last_export)
        for line in (self.pattern, self.sequence_file, self.splits, self.output):
            line.textChanged.connect(self._forget_last_export)
        for check in (self.unique, self.overwrite, self.resume):
            check.toggled.connect(self._forget_last_export)

    def _show_separator_gap(self) -> None:
        """Random digits have no separators: the gap is offered for patterns and files only."""
        shown = self.source.currentIndex() != 0
        self.separator_label.setVisible(shown)
        self.separator_width.setVisible(shown)

    def output_folder(self) -> Path | None:
        """The absolute folder the Folder field names (None when empty): a relative name is taken
        from the folder DigitSeq was started in, and said so."""
        text = self.output.text().strip()
        return Path(os.path.abspath(Path(text).expanduser())) if text else None

    def _show_output_where(self) -> None:
        folder = self.output_folder()
        if folder is None:
            self.output_where.setText("")
        elif Path(self.output.text().strip()).expanduser().is_absolute():
            self.output_where.setText(f"Writes to {folder}")
        else:
            self.output_where.setText(f"Writes to {folder} (a relative name is taken from {Path.cwd()})")

    def _forget_last_export(self) -> None:
        """After a finished, cancelled or refused export, a changed setting clears the bar and the
        status line: they described the settings as they were."""
        if self.is_running():
            return
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status.setStyleSheet("")
        self.status.setText("")

    # -- the request -------------------------------------------------------------------------

    def _what(self) -> tuple[object, list[str]]:
        """The sequence source and the matching command-line option."""
        from ..engine import sequences
        from ..engine.presets import preset_in_text, preset_source

        kind = self.source.currentIndex()
        if kind == 0:
            low, high = self.min_length.value(), self.max_length.value()
            return sequences.random_lengths(low, high), ["--length", f"{low}-{high}"]
        if kind == 1:
            preset = preset_in_text(self.pattern.text())  # "preset:date", from the window's Presets menu
            if preset is not None:
                return preset_source(preset.name), ["--preset", preset.name]
            return sequences.pattern(self.pattern.text()), ["--pattern", self.pattern.text().strip()]
        path = self.sequence_file.text().strip()
        if not path:
            raise ValueError("choose the file of sequences (one per line)")
        return sequences.from_file(path), ["--sequences", str(Path(path).expanduser().resolve())]

    def request(self, **overrides) -> ExportRequest:
        """The ExportRequest the controls describe (raises the engine's errors on bad values): the
        one place the controls are read, for the export, the preview and the copied command."""
        source, _ = self._what()
        if not self.output.text().strip() and "output" not in overrides:
            raise ValueError("choose the folder to export into")
        values = dict(
            output=self.output_folder(),
            sequences=source,
            count=self.count.value(),
            config=self.config,
            seed=self.seed.value(),
            format=self.format.currentData(),
            splits=self.splits.text().strip() or None,
            unique=self.unique.isChecked(),
            separator_width=self.separator_width.value(),
            workers=self.workers.value(),
            resume=self.resume.isChecked(),
            overwrite=self.overwrite.isChecked(),
            compression=self.compression.currentData(),
        )
        values.update(overrides)
        return ExportRequest(**values)

    def command(self) -> str:
        """The ``digitseq export`` command that makes the data set these settings describe."""
        _, what = self._what()
        default = {} if self.output.text().strip() else {"output": Path("digitseq-export")}
        return request_command_line(self.request(**default), what)

    def copy_command(self) -> None:
        try:
            text = self.command()
        except (ValueError, TypeError, OSError) as exc:
            self._show_error(window_message(str(exc)))
            return
        QApplication.clipboard().setText(text)
        self.status.setStyleSheet("")
        self.status.setText("Copied the digitseq export command for these settings.")

    # -- preview -----------------------------------------------------------------------------

    def schedule_preview(self) -> None:
        self._preview_serial += 1  # what is shown now no longer matches the settings
        self._set_preview_current(False)
        self._preview_timer.start()

    def start_preview(self) -> None:
        if self._preview_busy:
            self._preview_wanted = True  # newest wins: run again when this one is done
            return
        self._preview_wanted = False
        serial = self._preview_serial
        try:
            # The real count: the plan (splits, unique texts) depends on it; planning is cheap at any
            # count and only the first few images are drawn.
            request = self.request(output=Path("."), overwrite=False, resume=False)
        except (ValueError, TypeError, OSError) as exc:
            self._show_preview_error(window_message(str(exc)))
            return
        self.preview_state.setText("Making the preview…")
        task = BackgroundTask(lambda flag: preview(request, PREVIEW_COUNT), self)
        task.succeeded.connect(lambda samples: self._show_preview(serial, samples))
        task.failed.connect(lambda message: self._show_preview_error(message, serial))
        task.finished.connect(self._preview_finished)
        self._preview_task = task
        self._preview_busy = True
        task.start()

    def _preview_finished(self) -> None:
        self._preview_busy = False
        if self._preview_wanted:
            self.start_preview()

    def _set_preview_current(self, current: bool) -> None:
        for image, caption in self.preview_labels:
            image.setEnabled(current)  # greyed out until the preview matches the settings again
            caption.setEnabled(current)

    def _show_preview(self, serial: int, samples) -> None:
        if serial != self._preview_serial:
            return  # made for settings that have changed since
        self.preview_samples = [(np.ascontiguousarray(image), text) for image, text in samples]
        for i, (image, caption) in enumerate(self.preview_labels):
            if i < len(self.preview_samples):
                pixels, text = self.preview_samples[i]
                qimage = to_qimage(pixels)
                scale = min(
                    2.0, PREVIEW_WIDTH / pixels.shape[1], PREVIEW_HEIGHT / pixels.shape[0]
                )  # any image.height
                mode = (
                    Qt.FastTransformation if scale >= 1 else Qt.SmoothTransformation
                )  # crisp up, smooth down
                image.setPixmap(
                    QPixmap.fromImage(qimage).scaled(
                        round(pixels.shape[1] * scale),
                        max(1, round(pixels.shape[0] * scale)),
                        Qt.IgnoreAspectRatio,
                        mode,
                    )
                )
                caption.setText(text)
            else:
                image.clear()
                caption.clear()
        self._set_preview_current(True)
        self.preview_state.setStyleSheet("")
        self.preview_state.setText("")

    def _show_preview_error(self, message: str, serial: int | None = None) -> None:
        if serial is not None and serial != self._preview_serial:
            return
        self.preview_samples = []
        for image, caption in self.preview_labels:
            image.clear()
            caption.clear()
        self.preview_state.setStyleSheet("color: #b00020;")
        self.preview_state.setText(f"No preview: {message}")

    # -- export ------------------------------------------------------------------------------

    def start_export(self) -> None:
        if self.is_running():
            return
        self._forget_last_export()  # a refusal must not stand under the last export's full bar
        try:
            request = self.request()
        except (ValueError, TypeError, OSError) as exc:
            self._show_error(window_message(str(exc)))
            return
        self.result = None
        self.open_button.setEnabled(False)
        self.export_button.setEnabled(False)
        self.cancel_button.setText("Cancel")
        self.status.setStyleSheet("")
        self.status.setText("Starting…")
        self._started = time.monotonic()
        self._first_done = None
        self._task = BackgroundTask(lambda task: run_export(request, task.report, task), self)
        self._task.progressed.connect(self._on_progress)
        self._task.succeeded.connect(self._on_done)
        self._task.failed.connect(self._on_failed)
        self._task.start()

    def is_running(self) -> bool:
        return self._task is not None and self._task.isRunning()

    def _on_progress(self, done: int, total: int) -> None:
        cancelling = self._task is not None and self._task.is_set()
        if self._first_done is None:
            self._first_done, self._started = done, time.monotonic()
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        elapsed = time.monotonic() - self._started
        made = done - self._first_done
        rate = made / elapsed if elapsed > 0 and made else 0.0
        left = f", {_duration((total - done) / rate)} left" if rate else ""
        if not cancelling:  # keep saying that it stops
            self.status.setText(
                f"{done:,} / {total:,} images" + (f" · {rate:,.0f} images/s" if rate else "") + left
            )

    def _on_done(self, result) -> None:
        self.result = result
        self._idle()
        if result.status == "complete":
            self.status.setText(f"Done: {result.written:,} images in {result.output}")
        else:
            self.status.setText(
                f"Cancelled after {result.written:,} of {result.total:,} images; the folder is "
                "consistent. Tick “Finish an interrupted export” and Export again to complete it."
            )
        self.open_button.setEnabled(True)
        self._closed_if_asked()

    def _on_failed(self, message: str) -> None:
        self._close_when_stopped = False  # stay open: the error must be seen
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
            self.status.setText("Cancelling after the current chunk…")
            self._task.cancel()

    def _cancel_or_close(self) -> None:
        if self.is_running():
            self.cancel()
        else:
            self.reject()

    def open_folder(self) -> None:
        if self.result is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(self.result.output).resolve())))

    # -- closing -----------------------------------------------------------------------------

    def shut_down(self, timeout: float = SHUT_DOWN_SECONDS) -> bool:
        """Cancel what runs and wait for it (at most ``timeout`` seconds in all); True if all stopped.
        A task still running after that is a daemon thread: it cannot keep the process alive."""
        self._preview_timer.stop()
        self._preview_wanted = False
        self._close_when_stopped = False
        deadline = time.monotonic() + timeout
        stopped = True
        for task in (self._task, self._preview_task):
            if task is not None and task.isRunning():
                task.cancel()
                stopped &= task.wait(max(0.0, deadline - time.monotonic()))
        return stopped

    def reject(self) -> None:
        if self._close_after_cancel():
            return
        self.shut_down()
        super().reject()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self._close_after_cancel():
            event.ignore()
            return
        self.shut_down()
        super().closeEvent(event)

    def _close_after_cancel(self) -> bool:
        """Closing during an export cancels it and closes once it has stopped (after the chunk
        being written), the dialog answering meanwhile. True when the close is put off so."""
        if not self.is_running():
            return False
        self._close_when_stopped = True
        self.cancel()
        self.status.setText("Cancelling after the current chunk; the dialog closes when it has stopped…")
        return True

    def _closed_if_asked(self) -> None:
        """The put-off close, once the export reported its end (its thread is then exiting)."""
        if self._close_when_stopped:
            self._close_when_stopped = False
            self.shut_down()
            super().reject()

    def _browse_output(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export into folder", self.output.text())
        if folder:
            self.output.setText(folder)

    def _browse_sequences(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "File of sequences", "", "Text files (*.txt);;All files (*)"
        )
        if path:
            self.sequence_file.setText(path)


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    return (
        f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        if seconds >= 3600
        else f"{seconds // 60}:{seconds % 60:02d}"
    )


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
