"""The preview: a grid of samples (one sample is a 1 x 1 grid), scaled up crisply.

Each image pixel is drawn as a solid square (nearest neighbour) at a whole-number zoom (1x-16x),
or "fit", which picks the largest whole zoom at which the grid fits the view (or shrinks, for
very wide images). A cell is the sample, optionally its twin without augmentation right under
it, and (in a grid) its text under that. Samples of an older request stay, drawn faded, until the
newer ones replace them; a rejected setting draws a dashed red frame around the grid. Before the
first image the canvas shows a placeholder text such as "Loading MNIST...".
"""

from __future__ import annotations

import numpy as np
from PyQt5.QtCore import QPoint, QRect, QSize, Qt, pyqtSignal
from PyQt5.QtGui import QColor, QFont, QImage, QPainter, QPalette, QPen
from PyQt5.QtWidgets import QScrollArea, QSizePolicy, QWidget

ZOOMS = (1, 2, 3, 4, 6, 8, 12, 16)
FIT = 0  # the zoom value meaning "fit to the window"
MARGIN = 18  # room above each image for the digit labels of the box overlay (when shown)
TOP = 4  # above each image without the overlay
GAP = 16  # between columns of cells, in screen pixels
ROW_GAP = 8  # between rows of cells
TWIN_GAP = 4  # between a sample and its twin without augmentation
CAPTION = 16  # height of the text under each cell of a grid
OLD_OPACITY = 0.35  # samples of a request that has been replaced


def to_qimage(image: np.ndarray) -> QImage:
    """A float image (1.0 white) or uint8 image (255 white) as a grayscale QImage owning its bytes;
    an (H, W, 3) image (image.color "rgb") as an RGB one."""
    if image.dtype != np.uint8:
        image = np.rint(np.clip(image, 0.0, 1.0) * 255).astype(np.uint8)
    data = np.ascontiguousarray(image)
    height, width = data.shape[:2]
    if data.ndim == 3:
        return QImage(data.data, width, height, 3 * width, QImage.Format_RGB888).copy()
    return QImage(data.data, width, height, width, QImage.Format_Grayscale8).copy()


def from_qimage(qimage: QImage) -> np.ndarray:
    """The pixels of a grayscale QImage as a (height, width) uint8 array (rows unpadded)."""
    qimage = qimage.convertToFormat(QImage.Format_Grayscale8)
    pointer = qimage.constBits()
    pointer.setsize(qimage.bytesPerLine() * qimage.height())
    rows = np.frombuffer(pointer, np.uint8).reshape(qimage.height(), qimage.bytesPerLine())
    return rows[:, : qimage.width()].copy()


def format_zoom(scale: float) -> str:
    """3 -> "3×", 0.0707 -> "0.071×": whole zooms as they are, others to two significant digits."""
    if abs(scale - round(scale)) < 1e-9:
        return f"{round(scale)}×"
    return f"{scale:.2g}×"


class Cell:
    """One sample on screen: its image, boxes and text, its twin, and whether it is current."""

    def __init__(
        self, image: QImage, boxes: np.ndarray, label: str, text: str, twin: QImage | None, writer: int = -1
    ):
        self.image, self.boxes, self.label, self.text, self.twin = image, np.asarray(boxes), label, text, twin
        self.writer = writer  # the sample's one writer (sampling.writer = same), else -1
        self.current = True

    @property
    def caption(self) -> str:
        """What the grid writes under the sample: its text, and its writer's id when it has one."""
        return self.text if self.writer < 0 else f"{self.text}   writer {self.writer}"


TWIN_MARK = QColor(120, 190, 255)  # the bar beside compare's copy without augmentation (and the legend's)


class PreviewCanvas(QWidget):
    """Paints ``rows x columns`` cells at ``scale`` screen pixels per image pixel."""

    painted = pyqtSignal()  # after each paint: the benchmark times pixels on screen with it
    BACKGROUND = QColor(96, 96, 96)  # dark enough for light captions, light enough to tell black ink from it

    def __init__(self, parent=None):
        super().__init__(parent)
        self.cells: list[Cell | None] = []
        self._rows, self._columns = 1, 1
        self._compare = False
        self._message = "Loading MNIST…"
        self._scale = 4.0
        self._show_boxes = False
        self._stale = False
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.Window, self.BACKGROUND)
        self.setPalette(palette)
        self.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)

    # -- content -----------------------------------------------------------------------------

    def set_grid(self, rows: int, columns: int, compare: bool) -> None:
        self._rows, self._columns, self._compare = rows, columns, compare
        count = rows * columns
        self.cells = (self.cells + [None] * count)[:count]
        self._update_size()

    def start_request(self) -> None:
        """New samples are coming: what is shown now is of an older request."""
        for cell in self.cells:
            if cell is not None:
                cell.current = False

    def set_cells(self, start: int, cells: list[Cell]) -> None:
        for offset, cell in enumerate(cells):
            if start + offset < len(self.cells):
                self.cells[start + offset] = cell
        self._message = ""
        self._stale = False
        self._update_size()

    def set_message(self, text: str) -> None:
        """Placeholder text, shown only while there is no image yet."""
        self._message = text
        self.update()

    def set_stale(self, stale: bool) -> None:
        """Mark the shown images as out of date (a setting was rejected): a dashed red frame."""
        self._stale = stale
        self.update()

    def set_scale(self, scale: float) -> None:
        self._scale = scale
        self._update_size()

    def set_show_boxes(self, show: bool) -> None:
        self._show_boxes = show
        self._update_size()

    def qimage(self) -> QImage | None:
        """The first sample's image (top left)."""
        return self.cells[0].image if self.cells and self.cells[0] is not None else None

    def image_size(self) -> QSize:
        first = next((cell for cell in self.cells if cell is not None), None)
        return first.image.size() if first is not None else QSize(0, 0)

    # -- geometry ----------------------------------------------------------------------------

    def _captions(self) -> bool:
        return self._rows * self._columns > 1

    def _top(self) -> int:
        return MARGIN if self._show_boxes else TOP

    def cell_size(self, scale: float, image: QSize | None = None) -> QSize:
        image = image or self.image_size()
        height = self._top() + round(image.height() * scale)
        if self._compare:
            height += TWIN_GAP + round(image.height() * scale)
        if self._captions():
            height += CAPTION
        return QSize(round(image.width() * scale), height)

    def grid_size(self, scale: float, image: QSize | None = None) -> QSize:
        cell = self.cell_size(scale, image)
        return QSize(
            self._columns * cell.width() + (self._columns + 1) * GAP,
            self._rows * cell.height() + (self._rows + 1) * ROW_GAP,
        )

    def _cell_origin(self, index: int) -> QPoint:
        cell = self.cell_size(self._scale)
        row, column = divmod(index, self._columns)
        return QPoint(GAP + column * (cell.width() + GAP), ROW_GAP + row * (cell.height() + ROW_GAP))

    def _update_size(self) -> None:
        if self.image_size().isEmpty():
            self.setFixedSize(QSize(420, 160))
        else:
            self.setFixedSize(self.grid_size(self._scale))
        self.update()

    # -- painting ----------------------------------------------------------------------------

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        if self.image_size().isEmpty():
            painter.setPen(QColor(235, 235, 235))
            font = QFont(self.font())
            font.setPointSizeF(font.pointSizeF() * 1.3)
            painter.setFont(font)
            painter.drawText(
                self.rect().adjusted(12, 0, -12, 0), Qt.AlignCenter | Qt.TextWordWrap, self._message
            )
            painter.end()
            self.painted.emit()
            return
        # Crisp (nearest neighbour) when enlarging; smooth when shrinking, else strokes break up.
        painter.setRenderHint(QPainter.SmoothPixmapTransform, self._scale < 1)
        for index, cell in enumerate(self.cells):
            if cell is not None:
                self._paint_cell(painter, cell, self._cell_origin(index))
        if self._stale:
            painter.setOpacity(1.0)
            painter.setPen(QPen(QColor(220, 40, 40), 2, Qt.DashLine))
            painter.setBrush(Qt.NoBrush)
            painter.drawRect(self.rect().adjusted(2, 2, -3, -3))
        painter.end()
        self.painted.emit()

    def _paint_cell(self, painter: QPainter, cell: Cell, origin: QPoint) -> None:
        painter.setOpacity(1.0 if cell.current else OLD_OPACITY)
        width, height = round(cell.image.width() * self._scale), round(cell.image.height() * self._scale)
        target = QRect(origin.x(), origin.y() + self._top(), width, height)
        painter.drawImage(target, cell.image)
        if self._show_boxes:
            self._paint_boxes(painter, cell, target.topLeft())
        bottom = target.bottom() + 1
        if self._compare and cell.twin is not None:
            twin = QRect(origin.x(), bottom + TWIN_GAP, width, height)
            painter.drawImage(twin, cell.twin)
            painter.fillRect(QRect(twin.left() - 5, twin.top(), 3, twin.height()), TWIN_MARK)
            bottom = twin.bottom() + 1
        if self._captions():
            painter.setPen(QColor(225, 225, 225))
            font = QFont(self.font())
            font.setPixelSize(CAPTION - 4)
            painter.setFont(font)
            painter.drawText(
                QRect(origin.x(), bottom + 1, width, CAPTION - 1),
                Qt.AlignLeft | Qt.AlignVCenter,
                cell.caption,
            )

    def _paint_boxes(self, painter: QPainter, cell: Cell, top_left: QPoint) -> None:
        painter.setRenderHint(QPainter.Antialiasing, False)
        pen = QPen(QColor(230, 60, 40), max(1.0, self._scale / 4))
        font = QFont(self.font())
        font.setBold(True)
        font.setPixelSize(max(9, min(MARGIN - 4, int(self._scale * 4))))
        painter.setFont(font)
        metrics = painter.fontMetrics()
        tag_height = min(metrics.height(), MARGIN - 2)
        for (x0, y0, x1, y1), char in zip(cell.boxes, cell.label):
            rect = QRect(
                QPoint(top_left.x() + round(x0 * self._scale), top_left.y() + round(y0 * self._scale)),
                QPoint(
                    top_left.x() + round(x1 * self._scale) - 1, top_left.y() + round(y1 * self._scale) - 1
                ),
            )
            painter.setPen(pen)
            painter.setBrush(Qt.NoBrush)
            painter.drawRect(rect)
            # The label sits just above its box (in the margin for full-height boxes), off the ink.
            tag = QRect(
                rect.left(),
                max(top_left.y() - MARGIN + 1, rect.top() - tag_height),
                metrics.horizontalAdvance(char) + 6,
                tag_height,
            )
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
        # The canvas's dark grey around it too: the style's Dark role is a light grey, against which
        # the light captions under the samples could hardly be read.
        self.setBackgroundRole(QPalette.Dark)
        palette = self.palette()
        palette.setColor(QPalette.Dark, PreviewCanvas.BACKGROUND)
        self.setPalette(palette)
        self.setMinimumSize(240, 140)
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

    def set_grid(self, rows: int, columns: int, compare: bool) -> None:
        self.canvas.set_grid(rows, columns, compare)
        self._apply_zoom()

    def set_show_boxes(self, show: bool) -> None:
        self.canvas.set_show_boxes(show)  # the overlay's labels need room above each image
        self._apply_zoom()

    def set_cells(self, start: int, cells: list[Cell]) -> None:
        size = self.canvas.image_size()
        self.canvas.set_cells(start, cells)
        if self.canvas.image_size() != size or self._zoom == FIT and start == 0:
            self._apply_zoom()

    def _apply_zoom(self) -> None:
        scale = float(self._zoom) if self._zoom != FIT else self._fit_scale()
        if scale != self.canvas._scale or self.canvas.size() != self.canvas.grid_size(scale):
            self.canvas.set_scale(scale)
        self.zoomChanged.emit(scale)

    def _fit_scale(self) -> float:
        size = self.canvas.image_size()
        if size.isEmpty():
            return 4.0
        room = self.viewport().size()
        unit = self.canvas.grid_size(1.0)
        fixed = self.canvas.grid_size(0.0)  # margins, gaps and captions, which do not scale
        grow = QSize(unit.width() - fixed.width(), unit.height() - fixed.height())
        fit = min(
            (room.width() - fixed.width() - 2) / max(grow.width(), 1),
            (room.height() - fixed.height() - 2) / max(grow.height(), 1),
        )
        if fit >= 1:
            return float(min(int(fit), ZOOMS[-1]))  # whole zooms keep every image pixel the same size
        return max(fit, 0.001)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if self._zoom == FIT:
            self._apply_zoom()
