"""The application icon, from the package resources (``resources/icons/digitseq.svg``)."""

from __future__ import annotations

from importlib import resources

from PyQt5.QtCore import Qt
from PyQt5.QtGui import QIcon, QPixmap


def app_icon() -> QIcon:
    icon = QIcon()
    try:
        svg = resources.files("digitseq_gui.resources").joinpath("icons", "digitseq.svg").read_bytes()
    except (FileNotFoundError, ModuleNotFoundError, OSError):
        return icon  # an installation without the icon still runs
    pixmap = QPixmap()
    if not pixmap.loadFromData(svg, "SVG"):
        return icon
    for size in (16, 24, 32, 48, 64, 128, 256):
        icon.addPixmap(pixmap.scaled(size, size, Qt.KeepAspectRatio, Qt.SmoothTransformation))
    return icon
