"""The settings panel: every engine option as a labelled, keyboard-usable control, in three tabs.

Tabs ("Digits" and spacing, "Augment"ation, "Paper" and ink, "Capture", "Data" set) keep the panel within a normal window's
height, so nothing needs scrolling at the default size; each tab still scrolls in a very small
window. The seed row is built here but placed by the window above the preview, next to "New sample".

The panel turns its controls into a ``Config`` (plus the sequence text, separator gap and seed)
and back. It does no checking of its own beyond what a control can express: the engine judges
the settings, and a rejection comes back through ``show_error(field, message)``, shown in red right
under the control at fault (its tab brought to the front, scrolled into view), in the window's words.
"""

from __future__ import annotations

import random
from pathlib import Path

from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..engine.config import Config
from ..engine.layout import MAX_IMAGE_WIDTH, MAX_OVERLAP
from ..engine.presets import PRESET_PREFIX
from ..engine.scaling import MAX_HEIGHT, MIN_HEIGHT
from ..engine.sequences import DEFAULT_SEPARATOR_WIDTH, MAX_SEPARATOR_WIDTH, SEPARATORS
from .augmentation_controls import AugmentationGroup
from .combo import combo_box, select_data
from .messages import place_of, window_message
from .paper_controls import CaptureGroup, PaperInkGroup
from .seed_box import SeedBox, random_seed

MIN_GAP = -MAX_OVERLAP  # the engine's smallest gap: negative gaps overlap neighbouring digits
DEFAULT_DIGITS = "0123"
MAX_SEQUENCE_CHARS = 200  # a pattern with brackets and separators is longer than its digits


def error_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("color: #c62828;")
    label.setTextInteractionFlags(Qt.TextSelectableByMouse)
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


def scrolling(page: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(page)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    return area


class ControlsPanel(QWidget):
    """All settings. ``changed``: a setting that shapes the image changed; ``seedEdited``: the
    user typed or drew a seed (that change must not draw yet another seed)."""

    changed = pyqtSignal()
    seedEdited = pyqtSignal()
    resetRequested = pyqtSignal()  # the Reset button: the window resets its view too, then calls reset()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.errors: dict[str, QLabel] = {}
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.digits_page = self._page(self._build_digits(), self._build_layout())
        self.augmentation_group = AugmentationGroup()
        self.augmentation_group.changed.connect(self.changed)
        self.errors["augmentation"] = error_label()
        self.augmentation_group.layout().addWidget(self.errors["augmentation"])
        self.augmentation_page = self._page(self.augmentation_group)
        self.dataset_page = self._page(self._build_dataset())
        self.paper_group = PaperInkGroup()
        self.paper_group.changed.connect(self.changed)
        self.errors["paper"] = error_label()
        self.paper_group.layout().addWidget(self.errors["paper"])
        self.capture_group = CaptureGroup()
        self.capture_group.changed.connect(self.changed)
        self.paper_page = self._page(self.paper_group)
        self.capture_page = self._page(self.capture_group)
        # Short names: all five tabs fit the panel's width, none hidden behind scroll arrows.
        self.tabs.addTab(scrolling(self.digits_page), "Digits")
        self.tabs.addTab(scrolling(self.augmentation_page), "Augment")
        self.tabs.addTab(scrolling(self.paper_page), "Paper")
        self.tabs.addTab(scrolling(self.capture_page), "Capture")
        self.tabs.addTab(scrolling(self.dataset_page), "Data")
        self.reset_button = QPushButton("Reset to defaults")
        self.reset_button.setToolTip("Every setting back to its default (the seed stays)")
        self.reset_button.clicked.connect(self.resetRequested)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs, 1)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(6, 0, 6, 6)
        bottom.addStretch(1)
        bottom.addWidget(self.reset_button)
        layout.addLayout(bottom)
        self.seed_bar = self._build_seed()
        self._custom_source = ""

    @staticmethod
    def _page(*groups: QWidget) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        for group in groups:
            column.addWidget(group)
        column.addStretch(1)
        return page

    def _error_row(self, form: QFormLayout, place: str) -> None:
        self.errors[place] = error_label()
        form.addRow(self.errors[place])

    # -- building ----------------------------------------------------------------------------

    def _build_digits(self) -> QGroupBox:
        group = QGroupBox("Sequence")
        form = QFormLayout(group)
        self.digits = QLineEdit(DEFAULT_DIGITS)
        self.digits.setMaxLength(MAX_SEQUENCE_CHARS)
        self.digits.setToolTip(
            "What to draw: digits such as 0123 (leading zeros are kept).\n"
            "Separators - . , / : ( ) + _ and space become a blank gap (or drawn symbols,\n"
            "see Separator style): 090-1234-5678. The Presets menu writes preset:NAME here:\n"
            "every sample is then a fresh valid value (a date, a time, an amount...).\n"
            "A pattern draws different digits for each sample: # is a random digit,\n"
            "[789] one of those digits, e.g. 0[789]0-####-####."
        )
        self.digits.setPlaceholderText("e.g. 0123 or 0[789]0-####-####")
        self.digits.textChanged.connect(self.changed)
        label = QLabel("&Sequence:")
        label.setBuddy(self.digits)
        form.addRow(label, self.digits)
        self._error_row(form, "sequence")
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
        self.separator_width = spin_box(
            0,
            MAX_SEPARATOR_WIDTH,
            " px",
            "The blank gap a separator (- . / ( ) _ space) in the sequence becomes.",
        )
        self.separator_width.setValue(DEFAULT_SEPARATOR_WIDTH)
        self.separator_width.valueChanged.connect(self.changed)
        self.separator_label = QLabel("Sep&arator gap:")  # Alt+P is the Presets menu
        self.separator_label.setBuddy(self.separator_width)
        form.addRow(self.separator_label, self.separator_width)
        self.separator_style = combo_box(
            [("Blank gaps (not in the label)", "gap"), ("Drawn symbols (in the label)", "drawn")],
            "How the separators - . , / : ( ) + look: a blank gap left out of the label, or drawn\n"
            "as pen strokes in the hand of the neighbouring digits and kept in the label.\n"
            "A space or _ is always a gap.",
        )
        self.separator_style.currentIndexChanged.connect(self.changed)
        self.separator_style_label = QLabel("Separator st&yle:")
        self.separator_style_label.setBuddy(self.separator_style)
        form.addRow(self.separator_style_label, self.separator_style)
        self._error_row(form, "separator")
        # The gap means something only for a sequence with a separator: random digits have none.
        self.digits.textChanged.connect(self._show_separator_gap)
        self._show_separator_gap()
        return group

    def _show_separator_gap(self) -> None:
        text = self.digits.text().strip()
        shown = any(c in SEPARATORS for c in text) or text.startswith(PRESET_PREFIX)
        for widget in (
            self.separator_label,
            self.separator_width,
            self.separator_style_label,
            self.separator_style,
        ):
            widget.setVisible(shown)

    def _build_layout(self) -> QGroupBox:
        group = QGroupBox("Size and spacing")
        form = QFormLayout(group)
        self.image_width = spin_box(1, MAX_IMAGE_WIDTH, " px", "Width of the image in pixels.")
        self.image_width.setGroupSeparatorShown(True)
        form.addRow("Image &width:", self.image_width)
        self.image_height = spin_box(
            MIN_HEIGHT,
            MAX_HEIGHT,
            " px",
            "Height of the image in pixels (MNIST digits are 28 high; recognisers are often trained at 32).",
        )
        form.addRow("Image heigh&t:", self.image_height)
        self.fit = combo_box(
            [("Stretch to fill the image", "stretch"), ("Keep the digits' shape", "keep-aspect")],
            "Stretch: the row of digits is resized to exactly the image's height and width, so digits grow "
            "wide or thin with their number.\nKeep the digits' shape: the row is scaled to the height and "
            "centred on a white background (scaled down when it is too wide).",
        )
        form.addRow("Pr&oportions:", self.fit)
        self._error_row(form, "width")
        self.spacing_type = combo_box(
            [("Variable: random gaps", "variable"), ("Fixed: fill the width", "fixed")],
            "Variable: each gap is drawn at random between the minimum and maximum, and the row is "
            "resized to the width.\nFixed: all gaps equal, chosen so the digits fill the width exactly.",
        )
        form.addRow("Spacing t&ype:", self.spacing_type)
        self.spacing_subtype = combo_box(
            [("Between digits", "between"), ("Between and at both ends", "edge")],
            "Where gaps go: only between neighbouring digits, or also before the first and after the last.",
        )
        form.addRow("&Gaps:", self.spacing_subtype)
        self._error_row(form, "spacing_type")
        self.min_spacing = spin_box(
            MIN_GAP,
            MAX_IMAGE_WIDTH,
            " px",
            "The smallest gap between digits, in pixels. "
            f"Down to -{MAX_OVERLAP}: neighbouring digits overlap (touching handwriting).",
        )
        form.addRow("M&inimum gap:", self.min_spacing)
        self.max_spacing = spin_box(
            MIN_GAP,
            MAX_IMAGE_WIDTH,
            " px",
            "The largest gap between digits, in pixels (negative: the digits always overlap).",
        )
        form.addRow("Ma&ximum gap:", self.max_spacing)
        self._error_row(form, "gap_range")
        self.trim = QCheckBox("Tri&m blank columns")
        self.trim.setToolTip(
            "MNIST digits sit in a 28-pixel box with blank margins. Trimming them "
            "makes the gap the visible space between strokes."
        )
        form.addRow(self.trim)
        for widget in (self.image_width, self.image_height, self.min_spacing, self.max_spacing):
            widget.valueChanged.connect(self.changed)
        for widget in (self.fit, self.spacing_type, self.spacing_subtype):
            widget.currentIndexChanged.connect(self.changed)
        self.trim.toggled.connect(self.changed)
        return group

    def _build_dataset(self) -> QGroupBox:
        group = QGroupBox("Data set")
        form = QFormLayout(group)
        self.source = combo_box(
            [("Embedded MNIST", "mnist"), ("Your own files", "custom")],
            "Where the handwritten digits come from.",
        )
        form.addRow("So&urce:", self.source)
        self.source_path = QLineEdit()
        self.source_path.setReadOnly(True)
        self.source_path.setPlaceholderText("choose a folder or an .npz file")
        self.source_path.setToolTip(
            "A folder with MNIST-format IDX files (train-images-idx3-ubyte...) "
            "or a Keras-style mnist.npz (x_train, y_train, x_test, y_test)."
        )
        form.addRow("Files:", self.source_path)
        self.browse_folder = QPushButton("F&older…")
        self.browse_folder.setToolTip("Use a folder of MNIST-format IDX files.")
        self.browse_npz = QPushButton(".npz f&ile…")  # Alt+P is the Presets menu
        self.browse_npz.setToolTip("Use a NumPy .npz file with x_train, y_train, x_test, y_test.")
        row = QHBoxLayout()
        row.addWidget(self.browse_folder)
        row.addWidget(self.browse_npz)
        form.addRow("", row)
        self.split = combo_box(
            [("Training set (60,000 in MNIST)", "train"), ("Test set (10,000 in MNIST)", "test")],
            "Which part of the data set the digits are drawn from.",
        )
        form.addRow("Par&t:", self.split)
        self._error_row(form, "dataset")
        self.writer = combo_box(
            [("Any (each digit by any writer)", "any"), ("Same (one writer per sequence)", "same")],
            "Any: each digit is drawn from any writer's images of it.\n"
            "Same: all digits of a sequence by one writer, as a real number is written;\n"
            "each sample's writer id is shown under it. Your own files need a writers file for this.",
        )
        form.addRow("&Writer:", self.writer)
        self._error_row(form, "writer")
        self.source.currentIndexChanged.connect(self._source_changed)
        self.split.currentIndexChanged.connect(self.changed)
        self.writer.currentIndexChanged.connect(self.changed)
        self.browse_folder.clicked.connect(lambda: self._browse(folder=True))
        self.browse_npz.clicked.connect(lambda: self._browse(folder=False))
        self.last_dataset_folder = str(Path.home())
        return group

    def _build_seed(self) -> QWidget:
        bar = QWidget()
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        self.seed = SeedBox()
        self.seed.setToolTip(
            "The seed that picks the digit images, the gaps and the augmentation. "
            "The same seed and settings give the same image."
        )
        self.seed.valueChanged.connect(self.seedEdited)
        seed_label = QLabel("See&d:")
        seed_label.setBuddy(self.seed)
        self.seed_locked = QCheckBox("&Keep seed")
        self.seed_locked.setToolTip(
            "On: the same settings always give the same image.\n"
            "Off: every change draws new digits with a new seed."
        )
        self.seed_locked.setChecked(True)
        row.addWidget(seed_label)
        row.addWidget(self.seed)
        row.addWidget(self.seed_locked)
        return bar

    # -- behaviour ---------------------------------------------------------------------------

    def randomize_digits(self) -> None:
        self.digits.setText("".join(random.choice("0123456789") for _ in range(self.random_length.value())))

    def draw_seed(self) -> None:
        """A new random seed; emits seedEdited once."""
        self.seed.setValue(random_seed())

    def reset(self) -> None:
        """Every setting to its default, as one change (the seed stays: it is not a setting)."""
        for widget in (self.digits, self.separator_width, self.random_length):
            widget.blockSignals(True)
        self.digits.setText(DEFAULT_DIGITS)
        self.separator_width.setValue(DEFAULT_SEPARATOR_WIDTH)
        self.random_length.setValue(8)
        for widget in (self.digits, self.separator_width, self.random_length):
            widget.blockSignals(False)
        self._show_separator_gap()
        self._custom_source = ""
        self.source_path.clear()
        self.set_config(Config())

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
            path = QFileDialog.getExistingDirectory(
                self, "Choose a folder of MNIST-format files", self.last_dataset_folder
            )
        else:
            path, _ = QFileDialog.getOpenFileName(
                self,
                "Choose a digit data set",
                self.last_dataset_folder,
                "NumPy archive (*.npz);;All files (*)",
            )
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
        config.image.height = self.image_height.value()
        config.image.fit = self.fit.currentData()
        config.image.trim_padding = self.trim.isChecked()
        config.image.transform, config.image.augmentations = self.augmentation_group.values()
        config.spacing.type = self.spacing_type.currentData()
        config.spacing.subtype = self.spacing_subtype.currentData()
        config.spacing.min = self.min_spacing.value()
        config.spacing.max = self.max_spacing.value()
        custom = self.source.currentData() == "custom" and self._custom_source
        config.dataset.source = self._custom_source if custom else "mnist"
        config.dataset.split = self.split.currentData()
        config.sampling.writer = self.writer.currentData()
        config.separators.style = self.separator_style.currentData()
        self.paper_group.apply(config)
        self.capture_group.apply(config)
        return config

    def set_config(self, config: Config) -> None:
        """Show ``config`` in the controls; emits ``changed`` once."""
        widgets = self.findChildren(QWidget)
        for widget in widgets:
            widget.blockSignals(True)
        try:
            self.image_width.setValue(config.image.width)
            self.image_height.setValue(config.image.height)
            select_data(self.fit, config.image.fit)
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
            select_data(self.writer, config.sampling.writer)
            select_data(self.separator_style, config.separators.style)
            self.paper_group.set_values(config)
            self.capture_group.set_values(config)
        finally:
            for widget in widgets:
                widget.blockSignals(False)
        self.changed.emit()

    def digits_text(self) -> str:
        return self.digits.text()

    # -- errors ------------------------------------------------------------------------------

    def show_error(self, field: str, message: str) -> bool:
        """Show ``message`` right under the control of ``field``, its tab in front and the message
        scrolled into view; False if no control owns that field (the window shows it elsewhere)."""
        self.clear_errors()
        place = place_of(field, message)
        label = self.errors.get(place)
        if label is None:
            return False
        label.setText(window_message(message))
        label.setVisible(True)
        for index in range(self.tabs.count()):
            area = self.tabs.widget(index)
            if area.isAncestorOf(label):
                self.tabs.setCurrentIndex(index)
                area.widget().layout().activate()
                area.ensureWidgetVisible(label)
        return True

    def clear_errors(self) -> None:
        for label in self.errors.values():
            label.clear()
            label.setVisible(False)

    def error_text(self, field: str, message: str = "") -> str:
        """The message shown for ``field`` ("" when none is shown there)."""
        label = self.errors.get(place_of(field, message))
        return label.text() if label is not None and not label.isHidden() else ""

    def shown_error_label(self) -> QLabel | None:
        return next((label for label in self.errors.values() if not label.isHidden()), None)
