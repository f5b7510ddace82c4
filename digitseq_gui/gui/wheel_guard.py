"""Spin boxes, combo boxes and sliders ignore the mouse wheel unless they have keyboard focus.

Otherwise scrolling a panel changes whatever value happens to pass under the pointer. The guard
hands the event to the scroll area the control sits in (or, outside one, lets it go on to the
parent), so the panel scrolls instead; a click (or Tab) focuses the control, and then the wheel
changes it as usual.
"""

from __future__ import annotations

from PyQt5.QtCore import QEvent, QObject, Qt
from PyQt5.QtWidgets import QAbstractScrollArea, QAbstractSpinBox, QApplication, QComboBox, QSlider, QWidget

# QSlider, not QAbstractSlider: a scroll area's own scroll bars are QAbstractSliders, and the area
# hands them the very wheel events the guard hands the area (an endless loop on some Pythons).
GUARDED = (QAbstractSpinBox, QComboBox, QSlider)


class WheelGuard(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() != QEvent.Wheel or not isinstance(watched, QWidget) or watched.hasFocus():
            return False
        area = watched.parentWidget()
        while area is not None and not isinstance(area, QAbstractScrollArea):
            area = area.parentWidget()
        if area is not None:
            QApplication.sendEvent(area.viewport(), event)
        else:
            event.ignore()  # not accepted: Qt hands it on to the parent
        return True


def guard_wheel(root: QWidget) -> WheelGuard:
    """Install the guard on every value control under ``root`` (and make the wheel not focus them)."""
    guard = WheelGuard(root)
    for widget in root.findChildren(QWidget):
        if isinstance(widget, GUARDED):
            widget.setFocusPolicy(Qt.StrongFocus)
            widget.installEventFilter(guard)
    return guard
