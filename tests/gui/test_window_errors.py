"""Errors where the user looks, in the words the user sees: issue 11's defects, through the real widgets."""

from __future__ import annotations

import re

import numpy as np
import pytest
from gui_helpers import change_and_fail, change_and_wait, shown_pixels
from PyQt5.QtCore import Qt

from digitseq_gui import Config

# An internal name: snake_case ("image_width") or a dotted config key ("spacing.min"), or a CLI flag.
INTERNAL = re.compile(r"\b[a-z]+_[a-z_]+\b|\b(image|spacing|dataset)\.[a-z_]+\b|(^|\s)--[a-z]")


def really_visible(widget) -> bool:
    """Shown, on the current tab, and not scrolled out of its scroll area: a person can read it."""
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


def test_minimum_gap_above_maximum_shows_under_the_gap_controls(qtbot, window):
    controls = window.controls
    controls.tabs.setCurrentWidget(controls.tabs.widget(1))  # the person is looking at Augmentation
    field, message = change_and_fail(qtbot, window, lambda: controls.min_spacing.setValue(20))
    label = controls.errors["gap_range"]
    assert controls.tabs.currentIndex() == 0  # brought to the front
    assert really_visible(label)
    assert not controls.errors["augmentation"].isVisible()
    # Right under "Maximum gap", not somewhere else in the panel.
    below = (
        label.mapTo(controls, label.rect().topLeft()).y()
        - controls.max_spacing.mapTo(controls, controls.max_spacing.rect().bottomLeft()).y()
    )
    assert 0 <= below < 20
    assert "Minimum gap" in label.text() and "Maximum gap" in label.text()
    assert not INTERNAL.search(label.text()), label.text()
    assert window.banner.isVisible() and not INTERNAL.search(window.banner.text())
    change_and_wait(qtbot, window, lambda: controls.max_spacing.setValue(25))
    assert not label.isVisible() and not window.banner.isVisible()


@pytest.mark.parametrize(
    "case", ["fixed width", "trimmed fixed width", "separators too wide", "letter", "empty"]
)
def test_messages_use_the_labels_the_user_sees(qtbot, window, case):
    controls = window.controls
    actions = {
        "fixed width": lambda: controls.spacing_type.setCurrentIndex(1),
        "trimmed fixed width": lambda: (
            controls.trim.setChecked(True),
            controls.image_width.setValue(60),
            controls.spacing_type.setCurrentIndex(1),
        ),
        "separators too wide": lambda: (
            controls.digits.setText("1-2-3"),
            controls.separator_width.setValue(150),
        ),
        "letter": lambda: controls.digits.setText("12a4"),
        "empty": lambda: controls.digits.setText(""),
    }
    field, message = change_and_fail(qtbot, window, actions[case])
    label = controls.shown_error_label()
    assert label is not None and really_visible(label), f"{case}: no visible message for {field!r}: {message}"
    assert not INTERNAL.search(label.text()), label.text()
    assert not INTERNAL.search(window.banner.text()), window.banner.text()
    if case == "trimmed fixed width":
        assert "Image width of at least" in label.text()


def test_a_letter_in_the_sequence_is_a_visible_error_not_dropped(qtbot, window):
    shown = shown_pixels(window)
    controls = window.controls
    controls.digits.clear()
    with qtbot.waitSignal(window.previewFailed, timeout=20_000):
        qtbot.keyClicks(controls.digits, "12a4")
    assert controls.digits.text() == "12a4"  # kept as typed, not silently "124"
    label = controls.errors["sequence"]
    assert really_visible(label) and "'a'" in label.text()
    assert label.text().startswith("Sequence")
    np.testing.assert_array_equal(shown_pixels(window), shown)  # the last good image stays, marked stale
    assert window.preview.canvas._stale
    qtbot.keyClick(controls.digits, Qt.Key_Backspace)
    qtbot.keyClick(controls.digits, Qt.Key_Backspace)
    result = change_and_wait(qtbot, window, lambda: qtbot.keyClicks(controls.digits, "4"))
    assert result.sequence.label == "124" and not label.isVisible()


@pytest.mark.parametrize("how", ["menu", "button"])
def test_reset_to_defaults_restores_every_setting(qtbot, window, how):
    controls = window.controls
    seed = controls.seed.value()
    change_and_wait(
        qtbot,
        window,
        lambda: (
            controls.digits.setText("9-9"),
            controls.separator_width.setValue(3),
            controls.image_width.setValue(333),
            controls.spacing_subtype.setCurrentIndex(1),
            controls.min_spacing.setValue(4),
            controls.max_spacing.setValue(9),
            controls.trim.setChecked(True),
            controls.augmentation_group.transform.setChecked(True),
            controls.augmentation_group.rows["rotate"].spin.setValue(3),
            controls.split.setCurrentIndex(1),
            window.grid_rows.setValue(7),
            window.compare_check.setChecked(True),
        ),
    )
    assert controls.config() != Config()
    reset = window.reset_action.trigger if how == "menu" else window.controls.reset_button.click
    result = change_and_wait(qtbot, window, reset)
    assert controls.config() == Config()
    assert controls.digits_text() == "0123" and controls.separator_width.value() == 10
    assert (window.grid(), window.compare_check.isChecked()) == ((4, 2), False)
    assert controls.seed.value() == seed  # the seed is not a setting
    assert result.request.config == Config() and result.request.digits == "0123"
    assert not controls.augmentation_group.rows["rotate"].slider.isEnabled()
