"""The main window: settings on the left, the live preview on the right, menus, toolbar, status bar.

Data flows one way: a control changes -> a request (settings + sequence text + seed + how many
samples, with an increasing id) goes to the worker -> the newest result comes back and is shown,
sample 0 first and the rest of a grid as it is made. The window keeps the result object of
sample 0, so File > Save writes exactly those pixels, never a new sample.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PyQt5.QtCore import QSettings, QSize, Qt, QTimer, pyqtSignal
from PyQt5.QtGui import QKeySequence
from PyQt5.QtWidgets import (
    QAction,
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ..engine.config import load_config, save_config
from ..engine.errors import DigitSeqError
from ..engine.presets import PRESET_PREFIX, PRESETS, REALISTIC_PRESETS, preset_named
from ..engine.sequences import DEFAULT_SEPARATOR_WIDTH
from . import image_saving
from .about import show_about
from .command_line import command_line, export_command_line, sequence_option
from .controls import ControlsPanel
from .icon import app_icon
from .messages import window_message
from .preview import FIT, TWIN_MARK, ZOOMS, Cell, PreviewArea, format_zoom, to_qimage
from .seed_box import random_seed, seed_of
from .settings_store import SettingsStore
from .wheel_guard import guard_wheel
from .worker import PreviewRequest, PreviewResult, PreviewWorker

CONFIG_FILTER = "DigitSeq configuration (*.json);;All files (*)"
DEFAULT_SIZE = QSize(1280, 720)  # fits a 1366 x 768 screen; a 4 x 2 grid of 200 px strips shows at 2x
DEFAULT_GRID = (4, 2)  # rows, columns: eight 200-pixel strips fit a default window at 2x
MAX_GRID = 8
PREVIEW_MIN_WIDTH = 300
STALE_AFTER_MS = 250


class MainWindow(QMainWindow):
    previewShown = pyqtSignal(object)  # the PreviewResult of sample 0, now on screen
    previewCompleted = pyqtSignal(object)  # the last PreviewResult of a request (every sample on screen)
    previewFailed = pyqtSignal(str, str)  # field, message of a rejected request

    def __init__(self, settings: QSettings | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("DigitSeq")
        self.setWindowIcon(app_icon())
        if settings is None:  # an INI file on every platform: readable, and tests can redirect it
            settings = QSettings(QSettings.IniFormat, QSettings.UserScope, "DigitSeq", "DigitSeq")
        self.store = SettingsStore(settings)
        self.shown_result: PreviewResult | None = None
        self.export_dialog = None
        self._request_id = 0  # the newest request scheduled
        self._shown_id = -1  # the request whose samples are on screen

        self.controls = ControlsPanel()
        self.preview = PreviewArea()
        self._build_central()
        self._build_toolbar()
        self._build_actions()
        self._build_menus()
        self._build_status_bar()
        guard_wheel(self)
        self._set_minimum_size()

        self.worker = PreviewWorker(self)
        self.worker.resultReady.connect(self._show_result)
        self.worker.failed.connect(self._show_failure)
        self.worker.progress.connect(self._show_progress)
        self.preview.canvas.painted.connect(self._painted)
        self.worker.start()
        app = QApplication.instance()
        if app is not None:  # quitting without closing the window (logout, app.quit()) stops it too
            app.aboutToQuit.connect(self._shut_down)

        # All changes made in one pass of the event loop become one request.
        self._submit_timer = QTimer(self, singleShot=True, interval=0)
        self._submit_timer.timeout.connect(self._submit)
        # When new samples take a while (the first augmentation loads imgaug), the old ones fade,
        # so they are never taken for the current settings; quick updates never flicker.
        self._fade_timer = QTimer(self, singleShot=True, interval=STALE_AFTER_MS)
        self._fade_timer.timeout.connect(self.preview.canvas.start_request)
        self._restore_settings()
        self.controls.changed.connect(self._settings_changed)
        self.controls.seedEdited.connect(self.schedule_preview)
        self.controls.resetRequested.connect(self.reset_settings)
        self.schedule_preview()

    # -- building ----------------------------------------------------------------------------

    def _build_central(self) -> None:
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("color: #c62828;")
        self.banner.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.banner.setVisible(False)
        self.label_caption = QLabel()
        self.label_caption.setAlignment(Qt.AlignCenter)
        self.label_caption.setWordWrap(True)
        self.label_caption.setTextInteractionFlags(Qt.TextSelectableByMouse)
        font = self.label_caption.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.label_caption.setFont(font)

        # What compare shows, said in words (the twin's blue bar alone explained nothing).
        self.compare_legend = QLabel(
            f'<span style="color:{TWIN_MARK.name()}; font-weight:bold">▌</span> Compare: each sample as '
            "drawn, and under it, marked blue, <b>the same digits and gaps without augmentation</b>."
        )
        self.compare_legend.setWordWrap(True)
        self.compare_legend.setVisible(False)

        self.right_pane = QWidget()
        self.right_pane.setMinimumWidth(PREVIEW_MIN_WIDTH)
        column = QVBoxLayout(self.right_pane)
        column.setContentsMargins(6, 6, 6, 6)
        column.addWidget(self.banner)
        column.addWidget(self.compare_legend)
        column.addWidget(self.preview, 1)
        column.addWidget(self.label_caption)

        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.addWidget(self.controls)
        self.splitter.addWidget(self.right_pane)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)
        self.preview.zoomChanged.connect(self._zoom_shown)

    def _build_toolbar(self) -> None:
        """The preview's own controls: sampling (New sample, seed) and viewing (grid, compare,
        boxes, zoom). A toolbar, so a narrow window folds its end into a » menu instead of
        cutting anything off."""
        self.new_sample_button = QPushButton("&New sample")
        self.new_sample_button.setToolTip("Draw fresh digits with the same settings (F5)")
        self.new_sample_button.clicked.connect(self.new_sample)
        self.grid_check = QCheckBox("Grid")
        self.grid_check.setToolTip("Show many samples at once: rows × columns (Ctrl+G)")
        self.grid_rows, self.grid_columns = QSpinBox(), QSpinBox()
        for box, tip in ((self.grid_rows, "Rows of samples"), (self.grid_columns, "Columns of samples")):
            box.setRange(1, MAX_GRID)
            box.setToolTip(tip)
            box.setKeyboardTracking(False)
            box.valueChanged.connect(self._grid_changed)
        self.grid_check.toggled.connect(self._grid_changed)
        self.compare_check = QCheckBox("&Compare without augmentation")
        self.compare_check.setToolTip(
            "Under each sample, the same digits and gaps without augmentation "
            "(marked blue), to judge what the augmentation does (Ctrl+U)"
        )
        self.compare_check.toggled.connect(self._grid_changed)
        self.boxes_check = QCheckBox("Digit &boxes")
        self.boxes_check.setToolTip("Outline each digit's bounding box and label (Ctrl+B)")
        self.boxes_check.toggled.connect(self.preview.set_show_boxes)
        self.zoom_box = QComboBox()
        self.zoom_box.addItem("Fit", FIT)
        for zoom in ZOOMS:
            self.zoom_box.addItem(format_zoom(zoom), zoom)
        self.zoom_box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.zoom_box.setMinimumContentsLength(len("Fit (0.071×)"))
        self.zoom_box.setToolTip("Preview zoom (Ctrl+= / Ctrl+- / Ctrl+0 to fit)")
        self.zoom_box.activated.connect(lambda: self.preview.set_zoom(self.zoom_box.currentData()))
        zoom_label = QLabel("&Zoom: ")
        zoom_label.setBuddy(self.zoom_box)

        bar = QToolBar("Preview")
        bar.setObjectName("preview-toolbar")
        bar.setMovable(False)
        bar.addWidget(self.new_sample_button)
        bar.addSeparator()
        bar.addWidget(self.controls.seed_bar)
        bar.addSeparator()
        bar.addWidget(self.grid_check)
        bar.addWidget(self.grid_rows)
        bar.addWidget(QLabel(" × "))
        bar.addWidget(self.grid_columns)
        bar.addSeparator()
        bar.addWidget(self.compare_check)
        bar.addSeparator()
        bar.addWidget(self.boxes_check)
        bar.addSeparator()
        bar.addWidget(zoom_label)
        bar.addWidget(self.zoom_box)
        self.addToolBar(Qt.TopToolBarArea, bar)
        self.toolbar = bar

    def _set_minimum_size(self) -> None:
        """Small enough for a small screen, big enough that both panes keep their controls whole."""
        tabs = self.controls.tabs
        scroll_bar = tabs.widget(0).verticalScrollBar().sizeHint().width()
        left = (
            max(tabs.widget(i).widget().minimumSizeHint().width() for i in range(tabs.count()))
            + scroll_bar
            + 4
        )
        width = left + PREVIEW_MIN_WIDTH + self.splitter.handleWidth() + 8
        self.controls.setMinimumWidth(left)
        self.setMinimumSize(width, 460)

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
        self.open_config_action = self._action(
            "&Open configuration…",
            self.open_config,
            [QKeySequence.Open],
            "Load settings from a JSON configuration file",
        )
        self.save_image_action = self._action(
            "&Save image as…",
            self.save_image,
            [QKeySequence.Save],
            "Save the first sample (top left) as PNG, JPEG or NumPy .npy",
        )
        self.save_image_action.setEnabled(False)
        self.save_config_action = self._action(
            "Save &configuration as…",
            self.save_config,
            ["Ctrl+Shift+S"],
            "Save the settings as a JSON configuration file",
        )
        self.export_action = self._action(
            "&Export data set…", self.open_export, ["Ctrl+E"], "Write many labelled images to disk"
        )
        self.quit_action = self._action("&Quit", self.close, [QKeySequence.Quit, "Ctrl+Q"])
        self.copy_command_action = self._action(
            "Copy as &command line",
            self.copy_command,
            ["Ctrl+Shift+C"],
            "Copy the digitseq command that makes the first sample",
        )
        self.reset_action = self._action(
            "&Reset settings to defaults",
            self.reset_settings,
            [],
            "Every setting back to its default (the seed stays)",
        )
        self.new_sample_action = self._action(
            "&New sample", self.new_sample, ["F5", "Ctrl+R"], "Draw fresh digits with the same settings"
        )
        self.grid_action = self._action("&Grid of samples", self.grid_check.setChecked, ["Ctrl+G"])
        self.grid_action.setCheckable(True)
        self.grid_check.toggled.connect(self.grid_action.setChecked)
        self.compare_action = self._action(
            "Show samples &without augmentation too", self.compare_check.setChecked, ["Ctrl+U"]
        )
        self.compare_action.setCheckable(True)
        self.compare_check.toggled.connect(self.compare_action.setChecked)
        self.zoom_in_action = self._action("Zoom &in", self.zoom_in, ["Ctrl+=", QKeySequence.ZoomIn])
        self.zoom_out_action = self._action("Zoom &out", self.zoom_out, [QKeySequence.ZoomOut])
        self.zoom_fit_action = self._action("&Fit to window", self.zoom_fit, ["Ctrl+0"])
        self.boxes_action = self._action("Show digit &boxes", self.boxes_check.setChecked, ["Ctrl+B"])
        self.boxes_action.setCheckable(True)
        self.boxes_check.toggled.connect(self.boxes_action.setChecked)
        # Presets (engine/presets.py): the Sequence field names one, its settings are laid over the panel's.
        self.preset_actions = {
            name: self._action(
                f"&{name.capitalize()}: {preset.description}",
                lambda checked=False, name=name: self.apply_preset(name),
                [],
                f"Samples of valid {preset.base or name} values, with the preset's settings "
                + ("(colour, ink, paper and capture)" if preset.base else "(drawn separators)"),
            )
            for name, preset in PRESETS.items()
        }
        self.about_action = self._action("&About DigitSeq", lambda: show_about(self))
        self.about_qt_action = self._action("About &Qt", QApplication.aboutQt)

    def _build_menus(self) -> None:
        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        for action in (
            self.open_config_action,
            self.save_config_action,
            None,
            self.save_image_action,
            self.export_action,
            None,
            self.quit_action,
        ):
            file_menu.addSeparator() if action is None else file_menu.addAction(action)
        edit_menu = menus.addMenu("&Edit")
        edit_menu.addAction(self.copy_command_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.reset_action)
        view_menu = menus.addMenu("&View")
        for action in (
            self.new_sample_action,
            None,
            self.grid_action,
            self.compare_action,
            self.boxes_action,
            None,
            self.zoom_in_action,
            self.zoom_out_action,
            self.zoom_fit_action,
        ):
            view_menu.addSeparator() if action is None else view_menu.addAction(action)
        self.presets_menu = menus.addMenu("&Presets")
        for name, action in self.preset_actions.items():
            if name == next(iter(REALISTIC_PRESETS)):  # the realistic variants, after a separator
                self.presets_menu.addSeparator()
            self.presets_menu.addAction(action)
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
        """A request is coming: from now on, results of older ones are not what is asked for."""
        self._request_id += 1
        self._submit_timer.start()

    def new_sample(self) -> None:
        """Fresh digits, same settings: a new seed (a locked seed stays locked, at the new value)."""
        self.controls.draw_seed()

    def grid(self) -> tuple[int, int]:
        """(rows, columns) of samples shown; (1, 1) is the single view."""
        if not self.grid_check.isChecked():
            return 1, 1
        return self.grid_rows.value(), self.grid_columns.value()

    def _grid_changed(self) -> None:
        rows, columns = self.grid()
        for box in (self.grid_rows, self.grid_columns):
            box.setEnabled(self.grid_check.isChecked())
        self.preview.set_grid(rows, columns, self.compare_check.isChecked())
        self.compare_legend.setVisible(self.compare_check.isChecked())
        self.schedule_preview()

    def _request(self) -> PreviewRequest:
        rows, columns = self.grid()
        return PreviewRequest(
            self._request_id,
            self.controls.digits_text(),
            self.controls.config(),
            self.controls.seed.value(),
            self.controls.separator_width.value(),
            rows * columns,
            self.compare_check.isChecked(),
        )

    def _submit(self) -> None:
        self.worker.submit(self._request())
        self._fade_timer.start()

    def _show_result(self, result: PreviewResult) -> None:
        """Show a delivery. Sample 0 of any request newer than the one on screen is shown, even when
        a still newer one is on its way (a drag shows every image it gets, never a frozen picture);
        the rest of a grid only for the request on screen; the signals only for the newest."""
        if result.start == 0:
            if not self._shown_id < result.request_id <= self._request_id:
                return
            self._shown_id = result.request_id
        elif result.request_id != self._shown_id:
            return
        newest = result.request_id == self._request_id
        twins = result.plain or [None] * len(result.samples)
        cells = [
            Cell(
                to_qimage(sample.image),
                sample.boxes,
                sample.label,
                sample.text,
                to_qimage(twin.image) if twin is not None else None,
                sample.writer,
            )
            for sample, twin in zip(result.samples, twins)
        ]
        if result.start == 0:
            self._fade_timer.stop()
            self.preview.canvas.start_request()
        self.preview.set_cells(result.start, cells)
        count = result.request.cells
        if result.complete and count > 1:
            self.time_label.setText(f"{count} samples in {result.elapsed * 1000:.1f} ms")
        if result.start != 0:
            if result.complete and newest:
                self.previewCompleted.emit(result)
            return
        self.shown_result = result
        sequence = result.sequence
        self.controls.clear_errors()
        self.banner.setVisible(False)
        first = "first sample (top left): " if count > 1 else ""
        self.label_caption.setText(
            f"{first}label <b>{sequence.label}</b> &nbsp; text {result.samples[0].text} "
            f"&nbsp; seed {sequence.seed}"
            if result.samples[0].text != sequence.label
            else f"{first}label <b>{sequence.label}</b> &nbsp; seed {sequence.seed}"
        )
        height, width = sequence.image.shape[:2]
        self.size_label.setText(f"{width} × {height} px")
        if count == 1 or not result.complete:
            self.time_label.setText(f"generated in {result.elapsed * 1000:.1f} ms")
        self.statusBar().clearMessage()
        self.save_image_action.setEnabled(True)
        if newest:
            self.previewShown.emit(result)
            if result.complete:
                self.previewCompleted.emit(result)

    def _painted(self) -> None:
        if self.shown_result is not None:
            self.worker.first_sample_painted(self.shown_result.request_id)

    def _show_failure(self, request_id: int, field: str, message: str) -> None:
        if request_id != self._request_id:
            return
        self._fade_timer.stop()
        placed = self.controls.show_error(field, message)
        text = window_message(message)
        if placed:
            where = self.controls.tabs.tabText(self.controls.tabs.currentIndex())
            text = f"Not updated: {text} (see the message in red under “{where}”)."
        else:
            text = f"Not updated: {text}"
        if self.shown_result is not None:
            text += " The preview shows the last images that worked."
        self.banner.setText(text)
        self.banner.setVisible(True)
        self.preview.canvas.set_stale(True)
        if self.shown_result is None:
            self.preview.canvas.set_message("No image yet: " + window_message(message))
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
        self.zoom_box.setItemText(0, f"Fit ({format_zoom(scale)})" if self.preview.zoom() == FIT else "Fit")

    # -- files -------------------------------------------------------------------------------

    def save_image(self) -> None:
        result = self.shown_result  # exactly the first sample on screen
        if result is None:
            return
        folder = self.store.folder("images")
        path, selected = QFileDialog.getSaveFileName(
            self,
            "Save image",
            str(Path(folder) / image_saving.suggested_name(result.sequence.label)),
            image_saving.FILTERS,
            image_saving.PNG_FILTER,
        )
        if not path:
            return
        target = image_saving.resolve_path(path, selected)
        try:
            written = image_saving.save_image(result.sequence.image, target, image_saving.image_info(result))
        except (OSError, DigitSeqError) as exc:
            QMessageBox.critical(
                self,
                "Could not save the image",
                f"The image was not saved to {target}.\n\n{window_message(str(exc))}",
            )
            return
        self.store.set_folder("images", written.parent)
        self.statusBar().showMessage(f"Saved {written}", 8000)

    def open_config(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open configuration", self.store.folder("configs"), CONFIG_FILTER
        )
        if not path:
            return
        try:
            config = load_config(path)
        except (OSError, DigitSeqError) as exc:
            QMessageBox.critical(self, "Could not open the configuration", window_message(str(exc)))
            return
        self.store.set_folder("configs", Path(path).parent)
        self.controls.set_config(config)
        self.statusBar().showMessage(f"Loaded {path}", 8000)

    def save_config(self) -> None:
        folder = self.store.folder("configs")
        path, _ = QFileDialog.getSaveFileName(
            self, "Save configuration", str(Path(folder) / "digitseq-config.json"), CONFIG_FILTER
        )
        if not path:
            return
        target = Path(path) if Path(path).suffix else Path(path + ".json")
        try:
            save_config(self.controls.config(), target)
        except (OSError, DigitSeqError) as exc:
            QMessageBox.critical(
                self,
                "Could not save the configuration",
                f"{target} was not written.\n\n{window_message(str(exc))}",
            )
            return
        self.store.set_folder("configs", target.parent)
        self.statusBar().showMessage(f"Saved {target}", 8000)

    def copy_command(self) -> None:
        """The command that reproduces the first sample; for a pattern or separators (which
        ``digitseq generate`` does not take) the ``digitseq export`` command with these settings."""
        request = self.shown_result.request if self.shown_result is not None else self._request()
        first = self.shown_result.samples[0] if self.shown_result is not None else None
        if first is not None and first.text == first.label and request.digits.strip() == first.label:
            text = command_line(request.config, first.label, request.seed)
            told = "Copied the command line that makes the first sample"
        else:
            text = export_command_line(
                request.config,
                sequence_option(request.digits),
                count=1000,
                seed=request.seed,
                output="digitseq-export",
                format="png",
                separator_width=request.separator_width,
            )
            told = (
                "Copied a digitseq export command for these settings (1000 images; edit --count and --output)"
            )
        QApplication.clipboard().setText(text)
        self.statusBar().showMessage(told, 8000)

    def open_export(self) -> None:
        from .export_dialog import ExportDialog

        if self.export_dialog is not None and self.export_dialog.isVisible():
            self.export_dialog.raise_()
            self.export_dialog.activateWindow()
            return
        request = self._request()
        self.export_dialog = ExportDialog(
            request.config,
            self,
            seed=request.seed,
            sequence=request.digits,
            separator_width=request.separator_width,
        )
        self.export_dialog.open()  # window-modal without a nested event loop: quitting stays simple

    def apply_preset(self, name: str) -> None:
        """Show preset ``name``: its settings over the panel's, every sample a fresh value."""
        preset = preset_named(name)
        self.controls.set_config(preset.config(self.controls.config()))
        self.controls.digits.setText(PRESET_PREFIX + name)

    def reset_settings(self) -> None:
        """Settings and view to their defaults in one change; the seed and the window stay."""
        for widget in (self.grid_check, self.grid_rows, self.grid_columns, self.compare_check):
            widget.blockSignals(True)
        self.grid_check.setChecked(True)
        self.grid_rows.setValue(DEFAULT_GRID[0])
        self.grid_columns.setValue(DEFAULT_GRID[1])
        self.compare_check.setChecked(False)
        for widget in (self.grid_check, self.grid_rows, self.grid_columns, self.compare_check):
            widget.blockSignals(False)
        self.grid_action.setChecked(True)
        self.compare_action.setChecked(False)
        self.boxes_check.setChecked(False)
        self.preview.set_zoom(FIT)
        self._grid_changed()
        self.controls.reset()
        self.statusBar().showMessage("Settings reset to their defaults", 8000)

    # -- settings and shutdown ---------------------------------------------------------------

    def _restore_settings(self) -> None:
        store = self.store
        self.controls.set_config(store.config())
        self.controls.digits.setText(store.value("generation/digits", "0123"))
        self.controls.separator_width.setValue(
            store.value("generation/separator_width", DEFAULT_SEPARATOR_WIDTH, int)
        )
        self.controls.random_length.setValue(store.value("generation/random_length", 8, int))
        self.controls.seed_locked.setChecked(store.value("generation/seed_locked", True, bool))
        seed = seed_of(store.value("generation/seed", "", str))  # as text: QSettings' int is 32 bits
        self.controls.seed.setValue(random_seed() if seed is None else seed)
        self.controls.last_dataset_folder = store.folder("datasets")
        self.boxes_check.setChecked(store.value("view/show_boxes", False, bool))
        self.grid_rows.setValue(store.value("view/grid_rows", DEFAULT_GRID[0], int))
        self.grid_columns.setValue(store.value("view/grid_columns", DEFAULT_GRID[1], int))
        self.compare_check.setChecked(store.value("view/compare", False, bool))
        self.grid_check.setChecked(store.value("view/grid", True, bool))
        self._grid_changed()
        zoom = store.value("view/zoom", FIT, int)
        self.preview.set_zoom(zoom if zoom in ZOOMS else FIT)
        geometry = store.bytes("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(DEFAULT_SIZE)
        splitter = store.bytes("window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def save_settings(self) -> None:
        store = self.store
        store.set_config(self.controls.config())
        store.set_value("generation/digits", self.controls.digits_text())
        store.set_value("generation/separator_width", self.controls.separator_width.value())
        store.set_value("generation/random_length", self.controls.random_length.value())
        store.set_value("generation/seed_locked", self.controls.seed_locked.isChecked())
        store.set_value("generation/seed", str(self.controls.seed.value()))
        store.set_folder("datasets", self.controls.last_dataset_folder)
        store.set_value("view/show_boxes", self.boxes_check.isChecked())
        store.set_value("view/grid", self.grid_check.isChecked())
        store.set_value("view/grid_rows", self.grid_rows.value())
        store.set_value("view/grid_columns", self.grid_columns.value())
        store.set_value("view/compare", self.compare_check.isChecked())
        store.set_value("view/zoom", self.preview.zoom())
        store.set_value("window/geometry", self.saveGeometry())
        store.set_value("window/splitter", self.splitter.saveState())
        store.sync()

    def _shut_down(self) -> None:
        """Stop every thread this window started: an export is cancelled (its folder stays
        resumable), the preview worker stopped. Never waits on a data set that does not answer."""
        self._submit_timer.stop()
        dialog = self.export_dialog
        if dialog is not None:
            running, folder = dialog.is_running(), dialog.output.text()
            stopped = dialog.shut_down()
            dialog.close()
            if running:  # the window is going away: say it where the person started it
                print(
                    f"DigitSeq: the export to {folder} was cancelled; "
                    + (
                        "its folder is consistent: open Export again and tick “Finish an interrupted export” "
                        "to complete it."
                        if stopped
                        else "it did not stop in time and was left as it was."
                    ),
                    file=sys.stderr,
                    flush=True,
                )
        self.worker.stop()  # no "QThread: Destroyed while thread is still running"

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.save_settings()
        self._shut_down()
        super().closeEvent(event)
