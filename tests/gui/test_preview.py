"""The live preview: every control changes the picture, changes coalesce, errors stay in place."""

from __future__ import annotations

import re

import numpy as np
import pytest
from gui_helpers import (
    change_and_complete,
    change_and_fail,
    change_and_wait,
    engine_image,
    shown_grid,
    shown_pixels,
    to_bytes,
)
from PyQt5.QtCore import Qt

from digitseq_gui.gui.preview import GAP, ROW_GAP, TOP


def test_first_preview_is_the_engine_image_for_the_settings_and_seed(window):
    result = window.shown_result
    assert result is not None and result.sequence.label == "0123"
    assert result.sequence.seed == window.controls.seed.value()
    np.testing.assert_array_equal(shown_pixels(window), to_bytes(result.sequence.image))
    np.testing.assert_array_equal(result.sequence.image, engine_image(result))
    assert window.size_label.text() == "200 × 28 px"
    assert re.fullmatch(r"(generated in|\d+ samples in) \d+\.\d ms", window.time_label.text())


def _set_custom_npz(window, tmp_path):
    from digitseq_gui import load_dataset

    test = load_dataset("mnist", "test")
    path = tmp_path / "mine.npz"
    np.savez(
        path,
        x_train=test.images[:500],
        y_train=test.labels[:500],
        x_test=test.images[500:1000],
        y_test=test.labels[500:1000],
    )
    window.controls.set_custom_source(str(path))


CONTROL_CHANGES = {
    "digits": lambda w, t: w.controls.digits.setText("987"),
    "random digits": lambda w, t: w.controls.random_button.click(),
    "width": lambda w, t: w.controls.image_width.setValue(260),
    "spacing type": lambda w, t: (
        w.controls.image_width.setValue(130),
        w.controls.spacing_type.setCurrentIndex(1),
    ),
    "spacing subtype": lambda w, t: w.controls.spacing_subtype.setCurrentIndex(1),
    "minimum gap": lambda w, t: w.controls.min_spacing.setValue(7),
    "maximum gap": lambda w, t: w.controls.max_spacing.setValue(30),
    "trim": lambda w, t: w.controls.trim.setChecked(True),
    "transform": lambda w, t: w.controls.augmentation_group.transform.setChecked(True),
    "data set part": lambda w, t: w.controls.split.setCurrentIndex(1),
    "own data set": _set_custom_npz,
    "seed": lambda w, t: w.controls.seed.setValue(w.controls.seed.value() + 1),
    "separator gap": lambda w, t: (
        w.controls.digits.setText("01-23"),
        w.controls.separator_width.setValue(20),
    ),
    "new sample button": lambda w, t: w.new_sample_button.click(),
}


@pytest.mark.parametrize("name", list(CONTROL_CHANGES))
def test_each_control_changes_the_preview(qtbot, window, tmp_path, name):
    before = shown_pixels(window)
    result = change_and_wait(qtbot, window, lambda: CONTROL_CHANGES[name](window, tmp_path))
    after = shown_pixels(window)
    assert before.shape != after.shape or not np.array_equal(before, after)
    np.testing.assert_array_equal(after, to_bytes(result.sequence.image))
    np.testing.assert_array_equal(result.sequence.image, engine_image(result))


@pytest.mark.parametrize("name", ["rotate", "noise"])
def test_each_augmentation_strength_and_switch_changes_the_preview(qtbot, window, name):
    # Compared over the whole grid: one sample's noise may be drawn too faint to show.
    change_and_complete(qtbot, window, lambda: window.controls.augmentation_group.transform.setChecked(True))
    row = window.controls.augmentation_group.rows[name]
    start = shown_grid(window)
    change_and_complete(qtbot, window, lambda: row.check.setChecked(not row.check.isChecked()))
    assert not np.array_equal(start, shown_grid(window))
    if not row.check.isChecked():
        change_and_complete(qtbot, window, lambda: row.check.setChecked(True))
    before = shown_grid(window)
    change_and_complete(qtbot, window, lambda: row.slider.setValue(row.slider.maximum()))
    result = window.shown_result
    assert result.request.config.image.augmentations[name].strength == row.spec.maximum
    assert not np.array_equal(before, shown_grid(window))
    np.testing.assert_array_equal(result.sequence.image, engine_image(result))


def test_locked_seed_gives_the_same_image_for_the_same_settings(qtbot, window):
    first = shown_pixels(window)
    change_and_wait(qtbot, window, lambda: window.controls.trim.setChecked(True))
    change_and_wait(qtbot, window, lambda: window.controls.trim.setChecked(False))
    np.testing.assert_array_equal(shown_pixels(window), first)


def test_unlocked_seed_draws_a_new_seed_on_every_change(qtbot, window):
    window.controls.seed_locked.setChecked(False)
    seed = window.controls.seed.value()
    result = change_and_wait(qtbot, window, lambda: window.controls.max_spacing.setValue(9))
    assert result.sequence.seed != seed
    assert window.controls.seed.value() == result.sequence.seed
    assert str(result.sequence.seed) in window.label_caption.text()


def test_new_sample_shortcut_draws_fresh_digits(qtbot, window):
    seed = window.controls.seed.value()
    before = shown_pixels(window)
    window.activateWindow()
    result = change_and_wait(qtbot, window, lambda: qtbot.keyClick(window, Qt.Key_F5))
    assert result.sequence.seed != seed
    assert window.controls.seed_locked.isChecked()
    assert not np.array_equal(before, shown_pixels(window))


def test_rapid_changes_coalesce_into_few_generations(qtbot, window):
    count = window.worker.generation_count
    final = {}

    def drag():
        for width in range(200, 230):
            window.controls.image_width.setValue(width)
        final["width"] = width

    result = change_and_wait(qtbot, window, drag)
    assert window.worker.generation_count - count <= 3  # 30 edits, not 30 images
    assert result.sequence.image.shape == (28, final["width"])
    np.testing.assert_array_equal(shown_pixels(window), to_bytes(engine_image(result)))


def test_fixed_spacing_that_cannot_fill_the_width_is_shown_next_to_the_control(qtbot, window):
    good = window.shown_result
    pixels = shown_pixels(window)
    field, message = change_and_fail(qtbot, window, lambda: window.controls.spacing_type.setCurrentIndex(1))
    assert field == "image_width"
    shown = window.controls.error_text("image_width")
    assert "widths that work: 118 to 136" in shown
    assert window.controls.errors["width"].isVisible()
    assert window.controls.error_text("digits") == ""
    # The last good image stays, and it is what Save would write.
    assert window.shown_result is good
    np.testing.assert_array_equal(shown_pixels(window), pixels)
    assert window.banner.isVisibleTo(window)
    # Fixing the width brings the preview back and clears the message.
    result = change_and_wait(qtbot, window, lambda: window.controls.image_width.setValue(130))
    assert result.sequence.image.shape == (28, 130)
    assert window.controls.error_text("image_width") == ""
    assert not window.banner.isVisibleTo(window)


def test_empty_digits_are_reported_under_the_digits(qtbot, window):
    field, message = change_and_fail(qtbot, window, lambda: window.controls.digits.setText(""))
    assert field == "digits"
    assert "at least one digit" in window.controls.error_text("digits")


def test_a_broken_data_set_is_reported_in_the_data_set_group(qtbot, window, tmp_path):
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"not a zip file")
    field, message = change_and_fail(qtbot, window, lambda: window.controls.set_custom_source(str(broken)))
    assert field == "dataset"
    assert window.controls.error_text("dataset")


def test_zoom_and_box_overlay_change_what_is_drawn(qtbot, window):
    canvas = window.preview.canvas
    change_and_wait(qtbot, window, lambda: window.grid_check.setChecked(False))
    window.preview.set_zoom(2)
    assert (canvas.width(), canvas.height()) == (200 * 2 + 2 * GAP, 28 * 2 + TOP + 2 * ROW_GAP)
    window.zoom_in_action.trigger()
    assert window.preview.scale() == 3
    window.zoom_out_action.trigger()
    window.zoom_out_action.trigger()
    assert window.preview.scale() == 1
    window.zoom_fit_action.trigger()
    assert window.zoom_box.currentText().startswith("Fit")
    plain = canvas.grab().toImage()
    window.boxes_check.setChecked(True)
    assert window.boxes_action.isChecked()
    assert canvas.grab().toImage() != plain


def test_window_shows_a_loading_state_before_the_first_image(make_window):
    window = make_window(wait=False)
    assert window.shown_result is None
    assert window.preview.canvas._message.startswith("Loading")
    assert not window.save_image_action.isEnabled()


def test_closing_during_generation_stops_the_worker(make_window):
    window = make_window(wait=False)
    window.controls.augmentation_group.transform.setChecked(True)
    window._submit()  # a request (loading MNIST, maybe imgaug) is in flight right now
    window.close()
    assert window.worker.isFinished()


def test_dragging_shows_images_as_it_goes_and_queues_nothing(qtbot, window):
    """While a slider moves (a change every 10 ms) the picture keeps changing, never frozen until
    the drag stops, and the worker makes at most one image per change, usually fewer."""
    change_and_wait(
        qtbot,
        window,
        lambda: (
            window.grid_check.setChecked(False),
            window.controls.augmentation_group.transform.setChecked(True),
        ),
    )
    slider = window.controls.augmentation_group.rows["rotate"].slider
    shown_during_drag = set()
    window.preview.canvas.painted.connect(
        lambda: dragging["on"] and shown_during_drag.add(window.shown_result.request_id)
    )
    made = window.worker.generation_count
    dragging = {"on": True, "step": 0}
    changes = 60

    def step():
        slider.setValue(1 + dragging["step"] % slider.maximum())
        dragging["step"] += 1
        if dragging["step"] == changes:
            timer.stop()
            dragging["on"] = False

    from PyQt5.QtCore import QTimer

    timer = QTimer(interval=10)
    timer.timeout.connect(step)
    with qtbot.waitSignal(
        window.previewShown,
        timeout=20_000,
        check_params_cb=lambda result: not dragging["on"] and result.request_id == window._request_id,
    ):
        timer.start()
        qtbot.waitUntil(lambda: not dragging["on"], timeout=20_000)
    assert len(shown_during_drag) >= 2  # pictures of several settings painted while the slider still moved
    assert window.worker.generation_count - made <= changes
    row = window.controls.augmentation_group.rows["rotate"]
    assert window.shown_result.request.config.image.augmentations["rotate"].strength == row.spin.value()
    assert row.spin.value() == pytest.approx(slider.value() * row.spec.maximum / slider.maximum())
