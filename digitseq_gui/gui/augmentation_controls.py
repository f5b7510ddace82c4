"""The augmentation group: the transform master switch and one row per augmentation.

The rows are built from ``engine.augment.AUGMENTATIONS`` (name, label, help, unit, default,
maximum...), so a new augmentation in the engine appears here without a change to this file.
Each row is an on/off check box, a slider to drag and a spin box to type the exact strength.
"""

from __future__ import annotations

from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..engine.augment import AUGMENTATIONS, AugmentationSpec
from ..engine.config import Augmentation

SLIDER_STEPS = 100


class AugmentationRow:
    """Check box + slider + spin box for one augmentation; the spin box holds the value."""

    def __init__(self, spec: AugmentationSpec, grid: QGridLayout, row: int, on_change):
        self.spec = spec
        self.check = QCheckBox(spec.label)
        self.check.setToolTip(spec.help)
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setRange(0, int(spec.maximum) if spec.integer else SLIDER_STEPS)
        self.slider.setToolTip(spec.help)
        self.slider.setAccessibleName(f"{spec.label} strength")
        if spec.integer:
            self.spin = QSpinBox()
            self.spin.setRange(0, int(spec.maximum))
        else:
            self.spin = QDoubleSpinBox()
            self.spin.setDecimals(2 if spec.maximum < 5 else 1)
            self.spin.setRange(0.0, float(spec.maximum))
            self.spin.setSingleStep(spec.maximum / 20)
        if spec.unit:
            self.spin.setSuffix(f" {spec.unit}" if spec.unit != "°" else "°")
        self.spin.setKeyboardTracking(False)
        self.spin.setCorrectionMode(QAbstractSpinBox.CorrectToNearestValue)
        self.spin.setToolTip(f"{spec.help} (0 to {spec.maximum:g})")
        self.spin.setAccessibleName(f"{spec.label} strength")
        self.spin.setMinimumWidth(80)
        grid.addWidget(self.check, row, 0)
        grid.addWidget(self.slider, row, 1)
        grid.addWidget(self.spin, row, 2)
        self.slider.valueChanged.connect(self._slider_moved)
        self.spin.valueChanged.connect(self._spin_changed)
        self.check.toggled.connect(self._update_enabled)
        self.check.toggled.connect(on_change)
        self.spin.valueChanged.connect(on_change)
        self.set_value(Augmentation(spec.classic, spec.default))

    def value(self) -> Augmentation:
        strength = self.spin.value()
        return Augmentation(
            self.check.isChecked(), int(strength) if self.spec.integer else round(float(strength), 4)
        )

    def set_value(self, augmentation: Augmentation) -> None:
        self.check.setChecked(augmentation.enabled)
        self.spin.setValue(augmentation.strength)
        self._spin_changed(self.spin.value())
        self._update_enabled()

    def set_master_enabled(self, enabled: bool) -> None:
        self.check.setEnabled(enabled)
        self._update_enabled()

    def _update_enabled(self) -> None:
        on = self.check.isEnabled() and self.check.isChecked()
        self.slider.setEnabled(on)
        self.spin.setEnabled(on)

    def _slider_moved(self, position: int) -> None:
        value = position if self.spec.integer else position * self.spec.maximum / SLIDER_STEPS
        if abs(value - self.spin.value()) > 1e-9:
            self.spin.setValue(value)

    def _spin_changed(self, value: float) -> None:
        position = int(value) if self.spec.integer else round(value / self.spec.maximum * SLIDER_STEPS)
        self.slider.blockSignals(True)
        self.slider.setValue(position)
        self.slider.blockSignals(False)


class StrengthsGroup(QGroupBox):
    """A master switch over a grid of on/off-and-strength rows, one per spec (the digits'
    augmentations, the capture effects); a row is usable only while the switch is on."""

    changed = pyqtSignal()

    def __init__(self, title: str, switch: str, tooltip: str, specs, parent: QWidget | None = None):
        super().__init__(title, parent)
        layout = QVBoxLayout(self)
        self.master = QCheckBox(switch)
        self.master.setToolTip(tooltip)
        layout.addWidget(self.master)
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setContentsMargins(18, 0, 0, 0)
        layout.addLayout(grid)
        self.rows = {
            spec.name: AugmentationRow(spec, grid, i, self.changed.emit) for i, spec in enumerate(specs)
        }
        self.master.toggled.connect(self._master_toggled)
        self.master.toggled.connect(self.changed.emit)
        self._master_toggled(False)

    def _master_toggled(self, on: bool) -> None:
        for row in self.rows.values():
            row.set_master_enabled(on)


class AugmentationGroup(StrengthsGroup):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(
            "Augmentation",
            "&Augment the digits (transform)",
            "Distort each digit like a different hand wrote it. The first use "
            "loads the augmentation library, which takes about a second.",
            AUGMENTATIONS,
            parent,
        )
        self.transform = self.master

    def values(self) -> tuple[bool, dict[str, Augmentation]]:
        return self.transform.isChecked(), {name: row.value() for name, row in self.rows.items()}

    def set_values(self, transform: bool, augmentations: dict[str, Augmentation]) -> None:
        self.transform.setChecked(transform)
        for name, row in self.rows.items():
            if name in augmentations:
                row.set_value(augmentations[name])
        self._master_toggled(transform)
