"""The settings panel: every engine option as a grouped, labelled, keyboard-usable control.

The panel turns its controls into a ``Config`` (plus the digits and the seed) and back. It does no
checking of its own beyond what a control can express: the engine judges the settings, and a
rejection comes back through ``show_error(field, message)``, shown in red under the group of the
control at fault.
"""
from __future__ import annotations

import random
from pathlib import Path

from PyQt5.QtCore import QRegularExpression, pyqtSignal
from PyQt5.QtGui import QRegularExpressionValidator
from PyQt5.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout,
                             QLabel, QLineEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from ..engine.config import Config
from ..engine.digits import MAX_DIGITS
from .augmentation_controls import AugmentationGroup

MAX_WIDTH = 10_000
MAX_SEED = 2**31 - 1  # what a QSpinBox holds; the engine and CLI accept any of these


def error_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("color: #c62828;")
    label.setVisible(False)
    return label


def spin_box(low: int, high: int, suffix: str, tip: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setSuffix(suffix)
    box.setToolTip(tip)
    box.setKeyboardTracking(False)  # typing "250" makes one image, not three
    box.setAccelerated(True)
    return box


def combo_box(items: list[tuple[str, str]], tip: str) -> QComboBox:
    box = QComboBox()
    for text, data in items:
        box.addItem(text, data)
    box.setToolTip(tip)
    return box


def select_data(box: QComboBox, data: str) -> None:
    index = box.findData(data)
    box.setCurrentIndex(max(index, 0))


class ControlsPanel(QWidget):
    """All settings. ``changed``: a setting that shapes the image changed; ``seedEdited``: the
    user typed or drew a seed (that change must not draw yet another seed)."""

    changed = pyqtSignal()
    seedEdited = pyqtSignal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.digits_group = self._build_digits()
        self.layout_group = self._build_layout()
        self.augmentation_group = AugmentationGroup()
        self.augmentation_group.error = error_label()
        self.augmentation_group.layout().addWidget(self.augmentation_group.error)
        self.dataset_group = self._build_dataset()
        self.seed_group = self._build_seed()
        for group in (self.digits_group, self.layout_group, self.augmentation_group, self.dataset_group, self.seed_group):
            layout.addWidget(group)
        layout.addStretch(1)
        self.augmentation_group.changed.connect(self.changed)
        self._groups_by_field = {
            "digits": self.digits_group, "spacing_range": self.layout_group, "spacing": self.layout_group,
            "image_width": self.layout_group, "dataset": self.dataset_group, "seed": self.seed_group,
            "config": self.augmentation_group,
        }
        self._custom_source = ""

    # -- building ----------------------------------------------------------------------------

    def _build_digits(self) -> QGroupBox:
        group = QGroupBox("Digits")
        form = QFormLayout(group)
        self.digits = QLineEdit("0123")
        self.digits.setValidator(QRegularExpressionValidator(QRegularExpression(f"[0-9]{{0,{MAX_DIGITS}}}"), self.digits))
        self.digits.setToolTip("The digits to draw, in order. Only 0-9; leading zeros are kept.")
        self.digits.setPlaceholderText("e.g. 0901234567")
        self.digits.textChanged.connect(self.changed)
        form.addRow("&Sequence:", self.digits)
        self.random_length = spin_box(1, 50, " digits", "How many digits the Random button draws.")
        self.random_length.setValue(8)
        self.random_button = QPushButton("&Random")
        self.random_button.setToolTip("Replace the sequence with random digits of the chosen length.")
        self.random_button.clicked.connect(self.randomize_digits)
        row = QHBoxLayout()
        row.addWidget(self.random_length, 1)
        row.addWidget(self.random_button)
        length_label = QLabel("Random &length:")
        length_label.setBuddy(self.random_length)
        form.addRow(length_label, row)
        group.error = error_label()
        form.addRow(group.error)
        return group

    def _build_layout(self) -> QGroupBox:
        group = QGroupBox("Size and spacing")
        form = QFormLayout(group)
        self.image_width = spin_box(1, MAX_WIDTH, " px", "Width of the image in pixels (the height is always 28).")
        form.addRow("Image &width:", self.image_width)
        self.spacing_type = combo_box(
            [("Variable: random gaps", "variable"), ("Fixed: equal gaps filling the width", "fixed")],
            "Variable: each gap is drawn at random between the minimum and maximum, and the row is "
            "resized to the width.\nFixed: all gaps equal, chosen so the digits fill the width exactly.")
        form.addRow("Spacing t&ype:", self.spacing_type)
        self.spacing_subtype = combo_box(
            [("Between digits only", "between"), ("Between digits and at both ends", "edge")],
            "Where gaps go: only between neighbouring digits, or also before the first and after the last.")
        form.addRow("&Gaps:", self.spacing_subtype)
        self.min_spacing = spin_box(0, MAX_WIDTH, " px", "The smallest gap between digits, in pixels.")
        form.addRow("M&inimum gap:", self.min_spacing)
        self.max_spacing = spin_box(0, MAX_WIDTH, " px", "The largest gap between digits, in pixels.")
        form.addRow("Ma&ximum gap:", self.max_spacing)
        self.trim = QCheckBox("Tri&m blank columns around each digit")
        self.trim.setToolTip("MNIST digits sit in a 28-pixel box with blank margins. Trimming them "
                             "makes the gap the visible space between strokes.")
        form.addRow(self.trim)
        for widget in (self.image_width, self.min_spacing, self.max_spacing):
            widget.valueChanged.connect(self.changed)
        for widget in (self.spacing_type, self.spacing_subtype):
            widget.currentIndexChanged.connect(self.changed)
        self.trim.toggled.connect(self.changed)
        group.error = error_label()
        form.addRow(group.error)
        return group

    def _build_dataset(self) -> QGroupBox:
        group = QGroupBox("Data set")
        form = QFormLayout(group)
        self.source = combo_box([("Embedded MNIST", "mnist"), ("Your own files", "custom")],
                                "Where the handwritten digits come from.")
        form.addRow("So&urce:", self.source)
        self.source_path = QLineEdit()
        self.source_path.setReadOnly(True)
        self.source_path.setPlaceholderText("choose a folder or an .npz file")
        self.source_path.setToolTip("A folder with MNIST-format IDX files (train-images-idx3-ubyte...) "
                                    "or a Keras-style mnist.npz (x_train, y_train, x_test, y_test).")
        form.addRow("Files:", self.source_path)
        self.browse_folder = QPushButton("F&older…")
        self.browse_folder.setToolTip("Use a folder of MNIST-format IDX files.")
        self.browse_npz = QPushButton(".n&pz file…")
        self.browse_npz.setToolTip("Use a NumPy .npz file with x_train, y_train, x_test, y_test.")
        row = QHBoxLayout()
        row.addWidget(self.browse_folder)
        row.addWidget(self.browse_npz)
        form.addRow("", row)
        self.split = combo_box([("Training set (60,000 in MNIST)", "train"), ("Test set (10,000 in MNIST)", "test")],
                               "Which part of the data set the digits are drawn from.")
        form.addRow("Par&t:", self.split)
        self.source.currentIndexChanged.connect(self._source_changed)
        self.split.currentIndexChanged.connect(self.changed)
        self.browse_folder.clicked.connect(lambda: self._browse(folder=True))
        self.browse_npz.clicked.connect(lambda: self._browse(folder=False))
        self.last_dataset_folder = str(Path.home())
        group.error = error_label()
        form.addRow(group.error)
        return group

    def _build_seed(self) -> QGroupBox:
        group = QGroupBox("Random seed")
        form = QFormLayout(group)
        self.seed = spin_box(0, MAX_SEED, "", "The seed that picks the digit images, the gaps and the "
                                                 "augmentation. The same seed and settings give the same image.")
        self.seed.valueChanged.connect(self.seedEdited)
        self.new_seed_button = QPushButton("New see&d")
        self.new_seed_button.setToolTip("Draw a new random seed (the same as New sample).")
        self.new_seed_button.clicked.connect(self.draw_seed)
        row = QHBoxLayout()
        row.addWidget(self.seed, 1)
        row.addWidget(self.new_seed_button)
        form.addRow("Seed:", row)
        self.seed_locked = QCheckBox("&Keep this seed when settings change")
        self.seed_locked.setToolTip("On: the same settings always give the same image.\n"
                                    "Off: every change draws new digits with a new seed.")
        self.seed_locked.setChecked(True)
        form.addRow(self.seed_locked)
        group.error = error_label()
        form.addRow(group.error)
        return group

    # -- behaviour ---------------------------------------------------------------------------

    def randomize_digits(self) -> None:
        self.digits.setText("".join(random.choice("0123456789") for _ in range(self.random_length.value())))

    def draw_seed(self) -> None:
        """A new random seed; emits seedEdited once."""
        self.seed.setValue(random.randint(0, MAX_SEED))

    def _source_changed(self) -> None:
        custom = self.source.currentData() == "custom"
        self.source_path.setEnabled(custom)
        if custom and not self._custom_source:
            self._browse(folder=False)
            if not self._custom_source:
                select_data(self.source, "mnist")
                return
        self.changed.emit()

    def _browse(self, folder: bool) -> None:
        if folder:
            path = QFileDialog.getExistingDirectory(self, "Choose a folder of MNIST-format files", self.last_dataset_folder)
        else:
            path, _ = QFileDialog.getOpenFileName(self, "Choose a digit data set", self.last_dataset_folder,
                                                  "NumPy archive (*.npz);;All files (*)")
        if not path:
            return
        self.last_dataset_folder = str(Path(path).parent if not folder else Path(path))
        self.set_custom_source(path)

    def set_custom_source(self, path: str) -> None:
        self._custom_source = path
        self.source_path.setText(path)
        self.source.blockSignals(True)
        select_data(self.source, "custom")
        self.source.blockSignals(False)
        self.source_path.setEnabled(True)
        self.changed.emit()

    # -- values ------------------------------------------------------------------------------

    def config(self) -> Config:
        config = Config()
        config.image.width = self.image_width.value()
        config.image.trim_padding = self.trim.isChecked()
        config.image.transform, config.image.augmentations = self.augmentation_group.values()
        config.spacing.type = self.spacing_type.currentData()
        config.spacing.subtype = self.spacing_subtype.currentData()
        config.spacing.min = self.min_spacing.value()
        config.spacing.max = self.max_spacing.value()
        custom = self.source.currentData() == "custom" and self._custom_source
        config.dataset.source = self._custom_source if custom else "mnist"
        config.dataset.split = self.split.currentData()
        return config

    def set_config(self, config: Config) -> None:
        """Show ``config`` in the controls; emits ``changed`` once."""
        widgets = self.findChildren(QWidget)
        for widget in widgets:
            widget.blockSignals(True)
        try:
            self.image_width.setValue(config.image.width)
            self.trim.setChecked(config.image.trim_padding)
            self.augmentation_group.set_values(config.image.transform, config.image.augmentations)
            select_data(self.spacing_type, config.spacing.type)
            select_data(self.spacing_subtype, config.spacing.subtype)
            self.min_spacing.setValue(config.spacing.min)
            self.max_spacing.setValue(config.spacing.max)
            if config.dataset.source == "mnist":
                select_data(self.source, "mnist")
            else:
                self._custom_source = config.dataset.source
                self.source_path.setText(config.dataset.source)
                select_data(self.source, "custom")
            self.source_path.setEnabled(config.dataset.source != "mnist")
            select_data(self.split, config.dataset.split)
        finally:
            for widget in widgets:
                widget.blockSignals(False)
        self.changed.emit()

    def digits_text(self) -> str:
        return self.digits.text()

    # -- errors ------------------------------------------------------------------------------

    def show_error(self, field: str, message: str) -> bool:
        """Show ``message`` under the group of ``field``; False if no group owns that field."""
        self.clear_errors()
        group = self._groups_by_field.get(field)
        if group is None:
            return False
        group.error.setText(message)
        group.error.setVisible(True)
        return True

    def clear_errors(self) -> None:
        for group in set(self._groups_by_field.values()):
            group.error.clear()
            group.error.setVisible(False)

    def error_text(self, field: str) -> str:
        group = self._groups_by_field.get(field)
        return group.error.text() if group is not None and not group.error.isHidden() else ""
