"""The main window: settings on the left, the live preview on the right, menus and status bar.

Data flows one way: a control changes -> a request (settings + digits + seed, with an increasing
id) goes to the worker -> the newest result comes back and is shown. The window keeps the result
object it shows, so File > Save writes exactly those pixels, never a new sample.
"""
from __future__ import annotations

import random
from pathlib import Path

from PyQt5.QtCore import QSettings, Qt, QTimer, pyqtSignal
from PyQt5.QtGui import QKeySequence
from PyQt5.QtWidgets import (QAction, QApplication, QCheckBox, QComboBox, QFileDialog, QHBoxLayout, QLabel,
                             QMainWindow, QMessageBox, QPushButton, QScrollArea, QSplitter, QVBoxLayout,
                             QWidget)

from ..engine.config import load_config, save_config
from ..engine.errors import DigitSeqError
from . import image_saving
from .about import show_about
from .command_line import command_line
from .controls import MAX_SEED, ControlsPanel
from .icon import app_icon
from .preview import FIT, ZOOMS, PreviewArea
from .settings_store import SettingsStore
from .worker import PreviewRequest, PreviewResult, PreviewWorker

CONFIG_FILTER = "DigitSeq configuration (*.json);;All files (*)"


class MainWindow(QMainWindow):
    previewShown = pyqtSignal(object)  # the PreviewResult now on screen
    previewFailed = pyqtSignal(str, str)  # field, message of a rejected request

    def __init__(self, settings: QSettings | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("DigitSeq")
        self.setWindowIcon(app_icon())
        self.setMinimumSize(900, 520)
        if settings is None:  # an INI file on every platform: readable, and tests can redirect it
            settings = QSettings(QSettings.IniFormat, QSettings.UserScope, "DigitSeq", "DigitSeq")
        self.store = SettingsStore(settings)
        self.shown_result: PreviewResult | None = None
        self._request_id = 0

        self.controls = ControlsPanel()
        self.preview = PreviewArea()
        self._build_central()
        self._build_actions()
        self._build_menus()
        self._build_status_bar()

        self.worker = PreviewWorker(self)
        self.worker.resultReady.connect(self._show_result)
        self.worker.failed.connect(self._show_failure)
        self.worker.progress.connect(self._show_progress)
        self.worker.start()
        app = QApplication.instance()
        if app is not None:  # quitting without closing the window (logout, app.quit()) stops it too
            app.aboutToQuit.connect(self.worker.stop)

        # All changes made in one pass of the event loop become one request.
        self._submit_timer = QTimer(self, singleShot=True, interval=0)
        self._submit_timer.timeout.connect(self._submit)
        self._restore_settings()
        self.controls.changed.connect(self._settings_changed)
        self.controls.seedEdited.connect(self.schedule_preview)
        self.schedule_preview()

    # -- building ----------------------------------------------------------------------------

    def _build_central(self) -> None:
        scroll = QScrollArea()
        scroll.setWidget(self.controls)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(self.controls.sizeHint().width() + scroll.verticalScrollBar().sizeHint().width() + 4)

        self.new_sample_button = QPushButton("&New sample")
        self.new_sample_button.setToolTip("Draw fresh digits with the same settings (F5)")
        self.new_sample_button.clicked.connect(self.new_sample)
        self.zoom_box = QComboBox()
        self.zoom_box.addItem("Fit", FIT)
        for zoom in ZOOMS:
            self.zoom_box.addItem(f"{zoom}×", zoom)
        self.zoom_box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.zoom_box.setMinimumContentsLength(8)
        self.zoom_box.setToolTip("Preview zoom (Ctrl+= / Ctrl+- / Ctrl+0 to fit)")
        self.zoom_box.activated.connect(lambda: self.preview.set_zoom(self.zoom_box.currentData()))
        zoom_label = QLabel("&Zoom:")
        zoom_label.setBuddy(self.zoom_box)
        self.boxes_check = QCheckBox("Show digit &boxes")
        self.boxes_check.setToolTip("Outline each digit's bounding box and label (Ctrl+B)")
        self.boxes_check.toggled.connect(self.preview.canvas.set_show_boxes)
        bar = QHBoxLayout()
        bar.addWidget(self.new_sample_button)
        bar.addStretch(1)
        bar.addWidget(self.boxes_check)
        bar.addSpacing(12)
        bar.addWidget(zoom_label)
        bar.addWidget(self.zoom_box)

        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("color: #c62828;")
        self.banner.setVisible(False)
        self.label_caption = QLabel()
        self.label_caption.setAlignment(Qt.AlignCenter)
        self.label_caption.setTextInteractionFlags(Qt.TextSelectableByMouse)
        font = self.label_caption.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.label_caption.setFont(font)

        right = QWidget()
        right.setMinimumWidth(440)
        column = QVBoxLayout(right)
        column.addLayout(bar)
        column.addWidget(self.banner)
        column.addWidget(self.preview, 1)
        column.addWidget(self.label_caption)

        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)
        self.preview.zoomChanged.connect(self._zoom_shown)

    def _action(self, text: str, slot, shortcuts=(), tip: str = "") -> QAction:
        action = QAction(text, self)
        action.triggered.connect(slot)
        keys: list[QKeySequence] = []
        for shortcut in shortcuts:  # a platform may bind a standard key to nothing, or to a duplicate
            key = QKeySequence(shortcut)
            if not key.isEmpty() and key not in keys:
                keys.append(key)
        action.setShortcuts(keys)
        if tip:
            action.setStatusTip(tip)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.open_config_action = self._action("&Open configuration…", self.open_config, [QKeySequence.Open],
                                               "Load settings from a JSON configuration file")
        self.save_image_action = self._action("&Save image as…", self.save_image, [QKeySequence.Save],
                                              "Save the image on screen as PNG, JPEG or NumPy .npy")
        self.save_image_action.setEnabled(False)
        self.save_config_action = self._action("Save &configuration as…", self.save_config, ["Ctrl+Shift+S"],
                                               "Save the settings as a JSON configuration file")
        self.export_action = self._action("&Export data set…", self.open_export, ["Ctrl+E"],
                                          "Write many labelled images to disk")
        self.quit_action = self._action("&Quit", self.close, [QKeySequence.Quit, "Ctrl+Q"])
        self.copy_command_action = self._action("Copy as &command line", self.copy_command, ["Ctrl+Shift+C"],
                                                "Copy the digitseq command that makes this exact image")
        self.new_sample_action = self._action("&New sample", self.new_sample, ["F5", "Ctrl+R"],
                                              "Draw fresh digits with the same settings")
        self.zoom_in_action = self._action("Zoom &in", self.zoom_in, ["Ctrl+=", QKeySequence.ZoomIn])
        self.zoom_out_action = self._action("Zoom &out", self.zoom_out, [QKeySequence.ZoomOut])
        self.zoom_fit_action = self._action("&Fit to window", self.zoom_fit, ["Ctrl+0"])
        self.boxes_action = self._action("Show digit &boxes", self.boxes_check.setChecked, ["Ctrl+B"])
        self.boxes_action.setCheckable(True)
        self.boxes_check.toggled.connect(self.boxes_action.setChecked)
        self.about_action = self._action("&About DigitSeq", lambda: show_about(self))
        self.about_qt_action = self._action("About &Qt", QApplication.aboutQt)

    def _build_menus(self) -> None:
        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        for action in (self.open_config_action, self.save_config_action, None, self.save_image_action,
                       self.export_action, None, self.quit_action):
            file_menu.addSeparator() if action is None else file_menu.addAction(action)
        edit_menu = menus.addMenu("&Edit")
        edit_menu.addAction(self.copy_command_action)
        view_menu = menus.addMenu("&View")
        for action in (self.new_sample_action, None, self.zoom_in_action, self.zoom_out_action,
                       self.zoom_fit_action, None, self.boxes_action):
            view_menu.addSeparator() if action is None else view_menu.addAction(action)
        help_menu = menus.addMenu("&Help")
        help_menu.addAction(self.about_action)
        help_menu.addAction(self.about_qt_action)

    def _build_status_bar(self) -> None:
        self.size_label = QLabel()
        self.time_label = QLabel()
        self.statusBar().addPermanentWidget(self.size_label)
        self.statusBar().addPermanentWidget(self.time_label)
        self.statusBar().showMessage("Loading MNIST…")

    # -- the preview loop --------------------------------------------------------------------

    def _settings_changed(self) -> None:
        if self.controls.seed_locked.isChecked():
            self.schedule_preview()
        else:
            self.controls.draw_seed()  # emits seedEdited, which schedules

    def schedule_preview(self) -> None:
        self._submit_timer.start()

    def new_sample(self) -> None:
        """Fresh digits, same settings: a new seed (a locked seed stays locked, at the new value)."""
        self.controls.draw_seed()

    def _submit(self) -> None:
        self._request_id += 1
        request = PreviewRequest(self._request_id, self.controls.digits_text(), self.controls.config(),
                                 self.controls.seed.value())
        self.worker.submit(request)

    def _show_result(self, result: PreviewResult) -> None:
        if result.request_id != self._request_id:
            return  # an older request finished after a newer one was sent: not what is asked for now
        self.shown_result = result
        sequence = result.sequence
        self.preview.set_result(sequence.image, sequence.boxes, sequence.label)
        self.controls.clear_errors()
        self.banner.setVisible(False)
        self.label_caption.setText(f"label: <b>{sequence.label}</b> &nbsp; seed: {sequence.seed}")
        height, width = sequence.image.shape
        self.size_label.setText(f"{width} × {height} px")
        self.time_label.setText(f"generated in {result.elapsed * 1000:.1f} ms")
        self.statusBar().clearMessage()
        self.save_image_action.setEnabled(True)
        self.previewShown.emit(result)

    def _show_failure(self, request_id: int, field: str, message: str) -> None:
        if request_id != self._request_id:
            return
        placed = self.controls.show_error(field, message)
        self.banner.setText(message if not placed else
                            "Not updated: a setting needs changing (see the message in red on the left).")
        if self.shown_result is not None and placed:
            self.banner.setText(self.banner.text() + " The preview shows the last image that worked.")
        self.banner.setVisible(True)
        self.preview.canvas.set_stale(True)
        if self.shown_result is None:
            self.preview.canvas.set_message("No image yet: " + message)
        self.statusBar().showMessage("Settings rejected: see the message in red", 8000)
        self.previewFailed.emit(field, message)

    def _show_progress(self, request_id: int, text: str) -> None:
        if self.shown_result is None:
            self.preview.canvas.set_message(text)
        self.statusBar().showMessage(text)

    # -- zoom ----------------------------------------------------------------------------------

    def zoom_in(self) -> None:
        self.preview.zoom_in()

    def zoom_out(self) -> None:
        self.preview.zoom_out()

    def zoom_fit(self) -> None:
        self.preview.set_zoom(FIT)

    def _zoom_shown(self, scale: float) -> None:
        index = self.zoom_box.findData(self.preview.zoom())
        self.zoom_box.setCurrentIndex(max(index, 0))
        self.zoom_box.setItemText(0, f"Fit ({scale:g}×)" if self.preview.zoom() == FIT else "Fit")

    # -- files -------------------------------------------------------------------------------

    def save_image(self) -> None:
        result = self.shown_result  # exactly the image on screen
        if result is None:
            return
        folder = self.store.folder("images")
        path, selected = QFileDialog.getSaveFileName(
            self, "Save image", str(Path(folder) / image_saving.suggested_name(result.sequence.label)),
            image_saving.FILTERS, image_saving.PNG_FILTER)
        if not path:
            return
        target = image_saving.resolve_path(path, selected)
        try:
            written = image_saving.save_image(result.sequence.image, target)
        except (OSError, DigitSeqError) as exc:
            QMessageBox.critical(self, "Could not save the image", f"The image was not saved to {target}.\n\n{exc}")
            return
        self.store.set_folder("images", written.parent)
        self.statusBar().showMessage(f"Saved {written}", 8000)

    def open_config(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open configuration", self.store.folder("configs"), CONFIG_FILTER)
        if not path:
            return
        try:
            config = load_config(path)
        except (OSError, DigitSeqError) as exc:
            QMessageBox.critical(self, "Could not open the configuration", str(exc))
            return
        self.store.set_folder("configs", Path(path).parent)
        self.controls.set_config(config)
        self.statusBar().showMessage(f"Loaded {path}", 8000)

    def save_config(self) -> None:
        folder = self.store.folder("configs")
        path, _ = QFileDialog.getSaveFileName(self, "Save configuration", str(Path(folder) / "digitseq-config.json"),
                                              CONFIG_FILTER)
        if not path:
            return
        target = Path(path) if Path(path).suffix else Path(path + ".json")
        try:
            save_config(self.controls.config(), target)
        except (OSError, DigitSeqError) as exc:
            QMessageBox.critical(self, "Could not save the configuration", f"{target} was not written.\n\n{exc}")
            return
        self.store.set_folder("configs", target.parent)
        self.statusBar().showMessage(f"Saved {target}", 8000)

    def copy_command(self) -> None:
        """The command that reproduces the image on screen (or, before the first, the settings)."""
        if self.shown_result is not None:
            request = self.shown_result.request
            text = command_line(request.config, request.digits, request.seed)
        else:
            text = command_line(self.controls.config(), self.controls.digits_text(), self.controls.seed.value())
        QApplication.clipboard().setText(text)
        self.statusBar().showMessage("Copied the command line to the clipboard", 8000)

    def open_export(self) -> None:
        try:
            from .export_dialog import ExportDialog
        except ImportError as exc:
            QMessageBox.information(self, "Export unavailable",
                                    f"Exporting data sets is not available in this installation.\n\n({exc})")
            return
        dialog = ExportDialog(self.controls.config(), self)
        dialog.exec_()

    # -- settings and shutdown ---------------------------------------------------------------

    def _restore_settings(self) -> None:
        store = self.store
        self.controls.set_config(store.config())
        self.controls.digits.setText(store.value("generation/digits", "0123"))
        self.controls.random_length.setValue(store.value("generation/random_length", 8, int))
        self.controls.seed_locked.setChecked(store.value("generation/seed_locked", True, bool))
        self.controls.seed.setValue(store.value("generation/seed", random.randint(0, MAX_SEED), int))
        self.controls.last_dataset_folder = store.folder("datasets")
        self.boxes_check.setChecked(store.value("view/show_boxes", False, bool))
        zoom = store.value("view/zoom", FIT, int)
        self.preview.set_zoom(zoom if zoom in ZOOMS else FIT)
        geometry = store.bytes("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1180, 720)
        splitter = store.bytes("window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def save_settings(self) -> None:
        store = self.store
        store.set_config(self.controls.config())
        store.set_value("generation/digits", self.controls.digits_text())
        store.set_value("generation/random_length", self.controls.random_length.value())
        store.set_value("generation/seed_locked", self.controls.seed_locked.isChecked())
        store.set_value("generation/seed", self.controls.seed.value())
        store.set_folder("datasets", self.controls.last_dataset_folder)
        store.set_value("view/show_boxes", self.boxes_check.isChecked())
        store.set_value("view/zoom", self.preview.zoom())
        store.set_value("window/geometry", self.saveGeometry())
        store.set_value("window/splitter", self.splitter.saveState())
        store.sync()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.save_settings()
        self._submit_timer.stop()
        self.worker.stop()  # waits: no "QThread: Destroyed while thread is still running"
        super().closeEvent(event)
