"""The "Paper and ink" and "Capture" tabs: image colour, ink, paper, and the capture effects
(engine/finish.py).

The capture rows are the augmentation rows (augmentation_controls.StrengthsGroup) built from
``engine.capture.CAPTURE_EFFECTS``, under their own master switch. A configuration file may hold
values these lists do not offer (a #RRGGBB ink, a list of inks, a folder of backgrounds): they are
shown as an extra entry and kept as they are.
"""

from __future__ import annotations

from PyQt5.QtCore import pyqtSignal
from PyQt5.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QVBoxLayout,
    QWidget,
)

from ..engine.capture import CAPTURE_EFFECTS
from ..engine.config import Augmentation, Config
from ..engine.finish_config import CaptureEffect
from .augmentation_controls import StrengthsGroup
from .combo import combo_box

INKS = [
    ("Black", "black"),
    ("Blue ballpoint", "blue"),
    ("Pencil", "pencil"),
    ("Black or blue", ["black", "blue"]),
]
BACKGROUNDS = [
    ("White", "white"),
    ("Tinted", "tinted"),
    ("Paper grain", "grain"),
    ("Cheque pattern", "cheque"),
]
LINES = [
    ("None", "none"),
    ("Ruled line under the number", "ruled"),
    ("Squared (grid)", "grid"),
    ("Comb of boxes", "boxes"),
]


def _select(box: QComboBox, value) -> None:
    """Select the entry holding ``value``; a value the list does not offer becomes an entry."""
    index = box.findData(value)
    if index < 0:
        box.addItem(str(value) if not isinstance(value, list) else ", ".join(value), value)
        index = box.count() - 1
    box.setCurrentIndex(index)


class PaperInkGroup(QGroupBox):
    changed = pyqtSignal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Paper and ink", parent)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)
        self.color = combo_box(
            [("Grey", "gray"), ("Colour (RGB)", "rgb")], "Grey images (H, W), or colour images (H, W, 3)"
        )
        form.addRow("Colo&ur:", self.color)
        self.ink = combo_box(INKS, "The ink's colour; 'Black or blue' picks one per image")
        form.addRow("&Ink:", self.ink)
        self.darkness = QDoubleSpinBox()
        self.darkness.setRange(0.3, 1.0)
        self.darkness.setSingleStep(0.05)
        self.darkness.setToolTip("The ink's strength (1 = the digit's own darkness)")
        form.addRow("Ink s&trength:", self.darkness)
        self.pressure = QDoubleSpinBox()
        self.pressure.setRange(0.0, 0.5)
        self.pressure.setSingleStep(0.05)
        self.pressure.setToolTip("How much the darkness may fall along the sequence, like a pen's pressure")
        form.addRow("Ink pre&ssure:", self.pressure)
        self.background = combo_box(
            BACKGROUNDS, "What the digits are written on (a folder of pictures: in a config file)"
        )
        form.addRow("P&aper:", self.background)
        self.lines = combo_box(LINES, "Printed lines where a form puts them; the strokes cross them")
        form.addRow("Printed &lines:", self.lines)
        self.printed = QCheckBox("Printed &mark beside it ($, No.): not in the label")
        form.addRow(self.printed)
        for box in (self.color, self.ink, self.background, self.lines):
            box.currentIndexChanged.connect(self.changed.emit)
        for spin in (self.darkness, self.pressure):
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(self.changed.emit)
        self.printed.toggled.connect(self.changed.emit)
        self.set_values(Config())

    def apply(self, config: Config) -> None:
        """Write these settings into ``config``."""
        config.image.color = self.color.currentData()
        config.ink.color = self.ink.currentData()
        config.ink.darkness = round(self.darkness.value(), 4)
        config.ink.pressure = round(self.pressure.value(), 4)
        config.paper.background = self.background.currentData()
        config.paper.lines = self.lines.currentData()
        config.paper.printed = self.printed.isChecked()

    def set_values(self, config: Config) -> None:
        _select(self.color, config.image.color)
        _select(self.ink, config.ink.color)
        self.darkness.setValue(config.ink.darkness)
        self.pressure.setValue(config.ink.pressure)
        _select(self.background, config.paper.background)
        _select(self.lines, config.paper.lines)
        self.printed.setChecked(config.paper.printed)


class CaptureGroup(StrengthsGroup):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(
            "Capture",
            "Camera or scanner effec&ts",
            "Whole-image effects of a photo or a scan, each image its own amount",
            CAPTURE_EFFECTS,
            parent,
        )
        self.capture = self.master
        self.set_values(Config())

    def apply(self, config: Config) -> None:
        """Write these settings into ``config``."""
        config.capture.enabled = self.capture.isChecked()
        for name, row in self.rows.items():
            value = row.value()
            config.capture.effects[name] = CaptureEffect(value.enabled, value.strength)

    def set_values(self, config: Config) -> None:
        self.capture.setChecked(config.capture.enabled)
        for name, row in self.rows.items():
            effect = config.capture.effects[name]
            row.set_value(Augmentation(effect.enabled, effect.strength))
        self._master_toggled(config.capture.enabled)
