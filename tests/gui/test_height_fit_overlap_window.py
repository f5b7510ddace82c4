"""The window's controls for image height, proportions (fit) and negative gaps, and Save image
writing the label, text, seed and settings into the PNG (issue 11 items 2, 3 and 6)."""

from __future__ import annotations

import numpy as np
from gui_helpers import change_and_fail, change_and_wait, engine_image, shown_pixels, to_bytes
from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import QFileDialog

from digitseq_gui import Config, read_image_info
from digitseq_gui.gui import image_saving


def choose(combo, data) -> None:
    combo.setCurrentIndex(combo.findData(data))


def test_height_and_proportions_shape_the_image_on_screen(qtbot, window):
    controls = window.controls
    assert controls.image_height.value() == 28 and controls.fit.currentData() == "stretch"
    assert (controls.image_height.minimum(), controls.image_height.maximum()) == (16, 128)
    result = change_and_wait(qtbot, window, lambda: controls.image_height.setValue(40))
    assert result.sequence.image.shape == (40, 200)
    assert shown_pixels(window).shape == (40, 200)
    result = change_and_wait(qtbot, window, lambda: choose(controls.fit, "keep-aspect"))
    assert result.request.config.image.fit == "keep-aspect" and result.request.config.image.height == 40
    pixels = shown_pixels(window)
    np.testing.assert_array_equal(pixels, to_bytes(engine_image(result)))
    # four 28-px digits at 40 px high take about 180 px of the 200: white margins at both ends
    assert pixels[:, :3].min() == 255 and pixels[:, -3:].min() == 255
    assert window.controls.config().image.height == 40


def test_the_height_box_cannot_leave_the_engines_range(qtbot, window):
    controls = window.controls
    controls.image_height.selectAll()

    def type_64():
        qtbot.keyClicks(controls.image_height, "64")
        qtbot.keyClick(controls.image_height, Qt.Key_Return)

    result = change_and_wait(qtbot, window, type_64)
    assert result.request.config.image.height == 64 and shown_pixels(window).shape == (64, 200)
    controls.image_height.setValue(500)
    assert controls.image_height.value() == 128
    controls.image_height.setValue(3)
    assert controls.image_height.value() == 16


def test_negative_gaps_down_to_minus_eight_overlap_the_digits(qtbot, window):
    controls = window.controls
    assert controls.min_spacing.minimum() == -8 and controls.max_spacing.minimum() == -8
    controls.min_spacing.setValue(-20)
    assert controls.min_spacing.value() == -8
    result = change_and_wait(qtbot, window, lambda: controls.max_spacing.setValue(-3))
    assert result.request.config.spacing_range == (-8, -3)
    assert not controls.errors["gap_range"].isVisible()
    np.testing.assert_array_equal(shown_pixels(window), to_bytes(engine_image(result)))
    # fixed spacing with margins at both ends cannot have a negative gap: a message where the gaps are
    choose(controls.spacing_type, "fixed")
    field, message = change_and_fail(qtbot, window, lambda: choose(controls.spacing_subtype, "edge"))
    shown = controls.errors["gap_range"].text() + controls.errors["spacing_type"].text()
    assert "Between digits" in shown and "subtype" not in shown
    assert controls.errors["gap_range"].isVisible() or controls.errors["spacing_type"].isVisible()


def test_save_image_writes_label_text_seed_and_settings_into_the_png(qtbot, window, tmp_path, monkeypatch):
    controls = window.controls
    change_and_wait(qtbot, window, lambda: controls.image_height.setValue(32))
    change_and_wait(qtbot, window, lambda: controls.digits.setText("090-12"))
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        staticmethod(lambda *a, **k: (str(tmp_path / "shot.png"), image_saving.PNG_FILTER)),
    )
    window.save_image_action.trigger()
    info = read_image_info(tmp_path / "shot.png")
    assert (info.label, info.text, info.seed) == ("09012", "090-12", controls.seed.value())
    assert Config.from_dict(info.settings) == controls.config().validated()
    assert info.settings["image"]["height"] == 32
