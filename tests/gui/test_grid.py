"""The preview grid, samples without augmentation, patterns and separators in the main window."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest
from gui_helpers import (
    change_and_complete,
    change_and_wait,
    engine_image,
    shown_grid,
    to_bytes,
)

from digitseq_gui import DigitSequence, load_dataset
from digitseq_gui.gui.preview import from_qimage


def test_grid_shows_rows_times_columns_different_samples(qtbot, window):
    change_and_complete(
        qtbot,
        window,
        lambda: (
            window.grid_check.setChecked(True),
            window.grid_rows.setValue(3),
            window.grid_columns.setValue(2),
        ),
    )
    canvas = window.preview.canvas
    assert len(canvas.cells) == 6 and all(cell is not None and cell.current for cell in canvas.cells)
    cells = list(shown_grid(window))
    assert all(c.shape == (28, 200) for c in cells)
    assert len({c.tobytes() for c in cells}) == 6  # six different handwritings, not one image six times
    np.testing.assert_array_equal(cells[0], to_bytes(engine_image(window.shown_result)))
    assert all(cell.label == "0123" for cell in canvas.cells)
    # Laid out as 3 rows of 2: the canvas is wider than one column and taller than two rows.
    cell = canvas.cell_size(window.preview.scale())
    assert canvas.width() >= 2 * cell.width() and canvas.height() >= 3 * cell.height()
    # The same seed gives the same grid.
    again = change_and_complete(qtbot, window, lambda: window.controls.trim.setChecked(True))
    assert again.request.cells == 6
    change_and_complete(qtbot, window, lambda: window.controls.trim.setChecked(False))
    assert [c.tobytes() for c in list(shown_grid(window))] == [c.tobytes() for c in cells]


def test_single_view_is_one_sample(qtbot, window):
    change_and_complete(qtbot, window, lambda: window.grid_check.setChecked(False))
    assert len(window.preview.canvas.cells) == 1 and window.grid() == (1, 1)
    assert not window.grid_rows.isEnabled()


def test_samples_without_augmentation_are_the_same_digits(qtbot, window):
    controls = window.controls
    group = controls.augmentation_group
    result = change_and_wait(
        qtbot,
        window,
        lambda: (
            window.grid_check.setChecked(False),
            group.transform.setChecked(True),
            group.rows["rotate"].spin.setValue(25),
            window.compare_check.setChecked(True),
        ),
    )
    assert result.plain is not None
    twin = window.preview.canvas.cells[0].twin
    assert twin is not None
    config = result.request.config
    plain = DigitSequence(
        replace(config, image=replace(config.image, transform=False)),
        dataset=load_dataset("mnist", config.dataset.split),
    )
    expected = plain.generate("0123", seed=result.request.seed)
    np.testing.assert_array_equal(from_qimage(twin), to_bytes(expected.image))
    np.testing.assert_array_equal(
        result.plain[0].sources, result.sequence.source_indices
    )  # the same MNIST digits
    assert not np.array_equal(from_qimage(twin), from_qimage(window.preview.canvas.cells[0].image))
    # Painted under the sample: the canvas is two images high (plus margins).
    window.preview.set_zoom(2)
    assert window.preview.canvas.height() >= 2 * 28 * 2
    change_and_wait(qtbot, window, lambda: window.compare_check.setChecked(False))
    assert window.preview.canvas.cells[0].twin is None


def test_a_pattern_draws_new_digits_for_every_sample(qtbot, window):
    change_and_complete(
        qtbot,
        window,
        lambda: (
            window.grid_check.setChecked(True),
            window.grid_rows.setValue(4),
            window.grid_columns.setValue(2),
            window.controls.digits.setText("0[789]0-####-####"),
        ),
    )
    texts = [cell.text for cell in window.preview.canvas.cells]
    assert all(re.fullmatch(r"0[789]0-\d{4}-\d{4}", t) for t in texts), texts
    assert len(set(texts)) == 8
    assert [cell.label for cell in window.preview.canvas.cells] == [t.replace("-", "") for t in texts]
    assert "0[789]0" not in window.label_caption.text() and texts[0] in window.label_caption.text()


@pytest.mark.parametrize("gap", [0, 12])
def test_separators_become_blank_gaps_of_the_chosen_width(qtbot, window, gap):
    result = change_and_wait(
        qtbot,
        window,
        lambda: (
            window.grid_check.setChecked(False),
            window.controls.digits.setText("12-34"),
            window.controls.separator_width.setValue(gap),
        ),
    )
    cell = window.preview.canvas.cells[0]
    pixels = from_qimage(cell.image)
    assert pixels.shape == (28, 200) and cell.label == "1234" and cell.text == "12-34"
    boxes = cell.boxes
    between = pixels[:, boxes[1][2] : boxes[2][0]]
    assert between.shape[1] >= gap and (between == 255).all()  # a white run at least the gap wide
    np.testing.assert_array_equal(pixels, to_bytes(engine_image(result)))
    # Save writes the same pixels as shown.
    np.testing.assert_array_equal(to_bytes(result.sequence.image), pixels)


def test_grid_work_of_an_old_request_is_not_queued(qtbot, window):
    """While settings change quickly, only the newest request's samples are made and shown."""
    change_and_complete(
        qtbot,
        window,
        lambda: (
            window.grid_check.setChecked(True),
            window.grid_rows.setValue(8),
            window.grid_columns.setValue(4),
        ),
    )
    count = window.worker.generation_count

    def drag():
        for width in range(200, 240):
            window.controls.image_width.setValue(width)

    result = change_and_complete(qtbot, window, drag)
    assert window.worker.generation_count - count <= 4
    assert all(
        cell.current and from_qimage(cell.image).shape == (28, 239) for cell in window.preview.canvas.cells
    )
    assert result.request.config.image.width == 239


def test_captions_are_light_on_one_dark_background_around_and_between_the_samples(qtbot, window):
    from digitseq_gui.gui.preview import CAPTION, GAP, PreviewCanvas

    change_and_complete(qtbot, window, lambda: window.grid_check.setChecked(True))
    area = window.preview
    shot = area.grab().toImage()
    background = PreviewCanvas.BACKGROUND.rgb()
    assert shot.pixel(3, 3) == background  # around the canvas (the scroll area) ...
    canvas = area.canvas
    corner = canvas.mapTo(area, canvas.rect().topLeft())
    assert shot.pixel(corner.x() + 1, corner.y() + 1) == background  # ... and on it: one background
    # The captions are drawn light: far brighter than that background (readable, not grey on grey).
    # Each cell's caption strip is read where it is painted: below the first and the second sample.
    grabbed = canvas.grab().toImage()
    cell = canvas.cell_size(area.scale())
    for index in (0, 1):
        origin = canvas._cell_origin(index)
        strip = [
            grabbed.pixelColor(x, y).lightness()
            for x in range(origin.x(), origin.x() + cell.width())
            for y in range(origin.y() + cell.height() - CAPTION + 1, origin.y() + cell.height())
        ]
        assert max(strip) - PreviewCanvas.BACKGROUND.lightness() > 100, index
        assert min(strip) == PreviewCanvas.BACKGROUND.lightness()  # the strip is text on the background only
    gap = canvas._cell_origin(1).x() - GAP // 2  # the gap between the first two samples
    assert grabbed.pixel(gap, canvas._cell_origin(0).y() + cell.height() // 2) == background
