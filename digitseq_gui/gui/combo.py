"""Combo boxes of (text, data) items, as every settings panel of the window builds them."""

from __future__ import annotations

from PyQt5.QtWidgets import QComboBox


def combo_box(items: list[tuple[str, str]], tip: str) -> QComboBox:
    box = QComboBox()
    for text, data in items:
        box.addItem(text, data)
    box.setToolTip(tip)
    box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(12)  # the panel stays narrow; a longer item is shown whole when open
    return box


def select_data(box: QComboBox, data: str) -> None:
    index = box.findData(data)
    box.setCurrentIndex(max(index, 0))
