"""A spin box for seeds: every seed the engine and the command line take (0 to 2**63 - 1).

QSpinBox holds a C int and stops at 2**31 - 1, so a seed that ``digitseq generate`` printed or a
PNG recorded could not be typed in. This box keeps a Python int and otherwise behaves like a
QSpinBox without keyboard tracking: arrows, Page Up/Down and the wheel step it, and typed digits
count once Enter is pressed or the box loses focus.
"""

from __future__ import annotations

import random

from PyQt5.QtCore import pyqtSignal
from PyQt5.QtGui import QValidator
from PyQt5.QtWidgets import QAbstractSpinBox, QWidget

from ..engine.seeding import MAX_SEED

RANDOM_SEEDS = 2**31 - 1  # drawn seeds stay short enough to read; any up to MAX_SEED can be typed


def random_seed() -> int:
    """A seed for "New seed", a new window or a new export."""
    return random.randint(0, RANDOM_SEEDS)


class SeedBox(QAbstractSpinBox):
    valueChanged = pyqtSignal(object)  # the new seed (a Python int: a C int would overflow)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._value = 0
        self.lineEdit().setText("0")
        self.setAccelerated(True)
        self.editingFinished.connect(self._take_text)

    def value(self) -> int:
        return self._value

    def setValue(self, value: int) -> None:  # noqa: N802 - QSpinBox's name
        value = min(max(int(value), 0), MAX_SEED)
        if self.lineEdit().text() != str(value):
            self.lineEdit().setText(str(value))
        if value != self._value:
            self._value = value
            self.valueChanged.emit(value)

    def stepBy(self, steps: int) -> None:  # noqa: N802 - Qt's name
        self._take_text()  # a step counts from what is typed, as in a QSpinBox
        self.setValue(self._value + steps)
        self.selectAll()

    def stepEnabled(self):  # noqa: N802 - Qt's name
        enabled = QAbstractSpinBox.StepNone
        if self.isReadOnly():
            return enabled
        if self._value > 0:
            enabled |= QAbstractSpinBox.StepDownEnabled
        if self._value < MAX_SEED:
            enabled |= QAbstractSpinBox.StepUpEnabled
        return enabled

    def validate(self, text: str, pos: int):
        if seed_of(text) is not None:
            return QValidator.Acceptable, text, pos
        if not text.strip():
            return QValidator.Intermediate, text, pos  # emptied to type anew
        return QValidator.Invalid, text, pos

    def fixup(self, text: str) -> str:
        return str(self._value)  # an emptied box goes back to the seed it held

    def sizeHint(self):  # noqa: N802 - Qt's name: room for a ten-digit seed; longer ones scroll
        hint = super().sizeHint()
        hint.setWidth(self.fontMetrics().horizontalAdvance("2147483647") + 40)
        return hint

    def minimumSizeHint(self):  # noqa: N802 - Qt's name: a drawn seed always shows whole
        return self.sizeHint()

    def _take_text(self) -> None:
        seed = seed_of(self.lineEdit().text())
        if seed is not None:
            self.setValue(seed)
        self.lineEdit().setText(str(self._value))


def seed_of(text: str) -> int | None:
    """The seed ``text`` spells (spaces around it allowed, as pasted from a terminal), or None."""
    text = text.strip()
    if text.isascii() and text.isdigit() and int(text) <= MAX_SEED:
        return int(text)
    return None
