"""The preview: the generated image scaled up crisply, with optional digit boxes and labels.

The 28-pixel-high image is drawn with nearest-neighbour scaling (each image pixel a solid square),
at a whole-number zoom (1x-16x) or "fit", which picks the largest whole zoom that fits the view
(or shrinks, for very wide images). Before the first image it shows a placeholder text such as
"Loading MNIST...".
"""
from __future__ import annotations

import numpy as np
from PyQt5.QtCore import QPoint, QRect, QSize, Qt, pyqtSignal
from PyQt5.QtGui import QColor, QFont, QImage, QPainter, QPalette, QPen
from PyQt5.QtWidgets import QScrollArea, QSizePolicy, QWidget

ZOOMS = (1, 2, 3, 4, 6, 8, 12, 16)
FIT = 0  # the zoom value meaning "fit to the window"
MARGIN = 18  # room above the image for the digit labels of the box overlay


def to_qimage(image: np.ndarray) -> QImage:
    """The float image (1.0 white, 0.0 ink) as an 8-bit grayscale QImage that owns its bytes."""
    data = np.ascontiguousarray(np.rint(np.clip(image, 0.0, 1.0) * 255).astype(np.uint8))
    height, width = data.shape
    return QImage(data.data, width, height, width, QImage.Format_Grayscale8).copy()


def from_qimage(qimage: QImage) -> np.ndarray:
    """The pixels of a grayscale QImage as a (height, width) uint8 array (rows unpadded)."""
    qimage = qimage.convertToFormat(QImage.Format_Grayscale8)
    pointer = qimage.constBits()
    pointer.setsize(qimage.bytesPerLine() * qimage.height())
    rows = np.frombuffer(pointer, np.uint8).reshape(qimage.height(), qimage.bytesPerLine())
    return rows[:, : qimage.width()].copy()


class PreviewCanvas(QWidget):
    """Paints the image at ``scale`` screen pixels per image pixel."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._image: QImage | None = None
        self._boxes = np.zeros((0, 4), np.int32)
        self._label = ""
        self._message = "Loading MNIST…"
        self._scale = 4.0
        self._show_boxes = False
        self._stale = False
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.Window, QColor(96, 96, 96))
        self.setPalette(palette)
        self.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)

    def set_result(self, image: np.ndarray, boxes: np.ndarray, label: str) -> None:
        self._image = to_qimage(image)
        self._boxes = np.asarray(boxes)
        self._label = label
        self._message = ""
        self._stale = False
        self._update_size()

    def set_message(self, text: str) -> None:
        """Placeholder text, shown only while there is no image yet."""
        self._message = text
        self.update()

    def set_stale(self, stale: bool) -> None:
        """Mark the shown image as out of date (a setting was rejected): drawn with a dashed frame."""
        self._stale = stale
        self.update()

    def set_scale(self, scale: float) -> None:
        self._scale = scale
        self._update_size()

    def set_show_boxes(self, show: bool) -> None:
        self._show_boxes = show
        self.update()

    def qimage(self) -> QImage | None:
        return self._image

    def image_size(self) -> QSize:
        return self._image.size() if self._image is not None else QSize(0, 0)

    def _update_size(self) -> None:
        if self._image is None:
            self.setFixedSize(QSize(420, 160))
        else:
            self.setFixedSize(QSize(round(self._image.width() * self._scale) + 2 * MARGIN,
                                    round(self._image.height() * self._scale) + 2 * MARGIN))
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        if self._image is None:
            painter.setPen(QColor(235, 235, 235))
            font = QFont(self.font())
            font.setPointSizeF(font.pointSizeF() * 1.3)
            painter.setFont(font)
            painter.drawText(self.rect(), Qt.AlignCenter, self._message)
            return
        target = QRect(MARGIN, MARGIN, self.width() - 2 * MARGIN, self.height() - 2 * MARGIN)
        painter.setRenderHint(QPainter.SmoothPixmapTransform, False)  # crisp, nearest-neighbour
        painter.drawImage(target, self._image)
        if self._stale:
            painter.setPen(QPen(QColor(220, 40, 40), 2, Qt.DashLine))
            painter.drawRect(target.adjusted(-2, -2, 1, 1))
        if self._show_boxes:
            self._paint_boxes(painter)

    def _paint_boxes(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.Antialiasing, False)
        pen = QPen(QColor(230, 60, 40), max(1.0, self._scale / 4))
        font = QFont(self.font())
        font.setBold(True)
        font.setPixelSize(max(9, min(MARGIN - 4, int(self._scale * 4))))
        painter.setFont(font)
        for (x0, y0, x1, y1), char in zip(self._boxes, self._label):
            rect = QRect(QPoint(MARGIN + round(x0 * self._scale), MARGIN + round(y0 * self._scale)),
                         QPoint(MARGIN + round(x1 * self._scale) - 1, MARGIN + round(y1 * self._scale) - 1))
            painter.setPen(pen)
            painter.setBrush(Qt.NoBrush)
            painter.drawRect(rect)
            # The label sits just above its box (in the margin for full-height boxes), off the ink.
            metrics = painter.fontMetrics()
            tag_height = min(metrics.height(), MARGIN - 2)
            tag = QRect(rect.left(), max(0, rect.top() - tag_height), metrics.horizontalAdvance(char) + 6, tag_height)
            painter.fillRect(tag, QColor(230, 60, 40))
            painter.setPen(Qt.white)
            painter.drawText(tag, Qt.AlignCenter, char)


class PreviewArea(QScrollArea):
    """A scrollable, zoomable view of the canvas; ``zoom`` is a factor from ZOOMS or FIT."""

    zoomChanged = pyqtSignal(float)  # the scale in use (also after "fit" recomputes it)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.canvas = PreviewCanvas()
        self.setWidget(self.canvas)
        self.setWidgetResizable(False)
        self.setAlignment(Qt.AlignCenter)
        self.setBackgroundRole(QPalette.Dark)
        self.setMinimumSize(320, 140)
        self._zoom = FIT
        self.canvas.set_scale(4)

    def zoom(self) -> int:
        return self._zoom

    def scale(self) -> float:
        return self.canvas._scale

    def set_zoom(self, zoom: int) -> None:
        self._zoom = zoom
        self._apply_zoom()

    def zoom_in(self) -> None:
        current = self.scale()
        bigger = [z for z in ZOOMS if z > current + 1e-9]
        self.set_zoom(bigger[0] if bigger else ZOOMS[-1])

    def zoom_out(self) -> None:
        current = self.scale()
        smaller = [z for z in ZOOMS if z < current - 1e-9]
        self.set_zoom(smaller[-1] if smaller else ZOOMS[0])

    def set_result(self, image: np.ndarray, boxes: np.ndarray, label: str) -> None:
        self.canvas.set_result(image, boxes, label)
        self._apply_zoom()

    def _apply_zoom(self) -> None:
        scale = float(self._zoom) if self._zoom != FIT else self._fit_scale()
        self.canvas.set_scale(scale)
        self.zoomChanged.emit(scale)

    def _fit_scale(self) -> float:
        size = self.canvas.image_size()
        if size.isEmpty():
            return 4.0
        room = self.viewport().size()
        fit = min((room.width() - 2 * MARGIN - 2) / size.width(), (room.height() - 2 * MARGIN - 2) / size.height())
        if fit >= 1:
            return float(min(int(fit), ZOOMS[-1]))  # whole zooms keep every image pixel the same size
        return max(fit, 0.05)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if self._zoom == FIT:
            self._apply_zoom()
