"""The window's layout: sizes, scrolling, the mouse wheel, the zoom text, the width limit (issue 11)."""

from __future__ import annotations

import re

from gui_helpers import change_and_wait
from PyQt5.QtCore import QPoint, QPointF, QRect, Qt
from PyQt5.QtGui import QWheelEvent
from PyQt5.QtWidgets import QApplication, QScrollArea

from digitseq_gui.engine.layout import MAX_IMAGE_WIDTH
from digitseq_gui.gui.main_window import DEFAULT_SIZE, PREVIEW_MIN_WIDTH


def settle(qtbot) -> None:
    QApplication.processEvents()
    qtbot.wait(50)


def tab_scroll_areas(window) -> list[QScrollArea]:
    tabs = window.controls.tabs
    return [tabs.widget(i) for i in range(tabs.count())]


def inside(widget, outer) -> bool:
    rect = QRect(widget.mapTo(outer, QPoint(0, 0)), widget.size())
    return outer.rect().contains(rect)


def test_default_size_needs_no_scrolling(qtbot, window):
    assert window.size() == DEFAULT_SIZE
    tabs = window.controls.tabs
    for index, area in enumerate(tab_scroll_areas(window)):
        tabs.setCurrentIndex(index)
        settle(qtbot)
        assert area.verticalScrollBar().maximum() == 0, f"tab {tabs.tabText(index)!r} needs scrolling"
    assert window.controls.reset_button.isVisible() and inside(window.controls.reset_button, window)


def test_every_tab_is_in_sight_at_the_default_size(qtbot, window):
    # five tabs in the panel: none may hide behind the tab bar's scroll arrows
    bar = window.controls.tabs.tabBar()
    settle(qtbot)
    shown = [bar.tabRect(i) for i in range(bar.count())]
    assert all(bar.rect().contains(rect) for rect in shown), [bar.tabText(i) for i in range(bar.count())]


def test_narrow_window_has_a_minimum_size_and_keeps_the_right_pane_whole(qtbot, window):
    minimum = window.minimumSize()
    assert 560 <= minimum.width() <= 800 and minimum.height() <= 600  # fits a small screen
    window.splitter.setSizes([5000, 10])  # as a stored splitter state might ask
    window.resize(200, 200)
    settle(qtbot)
    assert window.size() == minimum
    assert window.right_pane.width() >= PREVIEW_MIN_WIDTH
    assert inside(window.right_pane, window) and inside(window.controls, window)
    assert window.preview.viewport().width() >= PREVIEW_MIN_WIDTH - 40
    # The toolbar folds what does not fit into its » menu rather than cutting it off.
    for widget in (window.new_sample_button, window.grid_check, window.zoom_box, window.boxes_check):
        assert not widget.isVisible() or inside(widget, window.toolbar), widget
    # The preview still fits its grid into the narrow pane.
    assert window.preview.canvas.width() <= window.preview.viewport().width()


def _wheel(widget, steps: int = -1) -> None:
    position = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(
        position,
        QPointF(widget.mapToGlobal(position.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120 * steps),
        Qt.NoButton,
        Qt.NoModifier,
        Qt.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_the_wheel_scrolls_the_panel_not_the_spin_box_under_the_pointer(qtbot, window):
    window.resize(window.minimumSize())
    controls = window.controls
    controls.tabs.setCurrentIndex(1)  # Augmentation: the tallest tab scrolls in a small window
    settle(qtbot)
    area = controls.tabs.widget(1)
    bar = area.verticalScrollBar()
    assert bar.maximum() > 0
    row = controls.augmentation_group.rows["rotate"]
    controls.augmentation_group.transform.setChecked(True)
    window.new_sample_button.setFocus()
    spin_before, slider_before, scroll_before = row.spin.value(), row.slider.value(), bar.value()
    _wheel(row.spin)
    _wheel(row.slider)
    assert (row.spin.value(), row.slider.value()) == (spin_before, slider_before)
    assert bar.value() > scroll_before  # the panel scrolled instead
    row.spin.setFocus()
    settle(qtbot)
    _wheel(row.spin, steps=1)
    assert row.spin.value() > spin_before  # focused, the wheel changes it as usual


def test_every_value_control_ignores_the_unfocused_wheel(window):
    from digitseq_gui.gui.wheel_guard import GUARDED

    controls = [w for w in window.findChildren(GUARDED)]
    assert len(controls) > 20
    for widget in controls:
        assert widget.focusPolicy() == Qt.StrongFocus, widget
    box = window.controls.image_width
    window.new_sample_button.setFocus()
    before = box.value()
    _wheel(box, steps=3)
    assert box.value() == before


def test_zoom_reads_sensibly_for_a_very_wide_image(qtbot, window):
    change_and_wait(
        qtbot,
        window,
        lambda: (window.grid_check.setChecked(False), window.controls.image_width.setValue(10_000)),
    )
    settle(qtbot)
    text = window.zoom_box.currentText()
    assert re.fullmatch(r"Fit \(0\.\d{1,3}×\)", text), text
    metrics = window.zoom_box.fontMetrics()
    assert metrics.horizontalAdvance(text) < window.zoom_box.width() - 16  # shown whole, not cut off
    change_and_wait(qtbot, window, lambda: window.controls.image_width.setValue(200))
    settle(qtbot)
    assert re.fullmatch(r"Fit \(\d+×\)", window.zoom_box.currentText())


def test_width_goes_as_far_as_the_engine_allows(qtbot, window):
    box = window.controls.image_width
    assert box.maximum() == MAX_IMAGE_WIDTH == 100_000
    result = change_and_wait(
        qtbot, window, lambda: (window.grid_check.setChecked(False), box.setValue(100_000))
    )
    assert result.sequence.image.shape == (28, 100_000)
    assert window.size_label.text() == "100000 × 28 px"
    assert window.controls.max_spacing.maximum() == MAX_IMAGE_WIDTH


def test_keyboard_mnemonics_are_unique_among_what_is_visible_together(qtbot, window):
    """Alt+letter must reach one control: no two visible labels share an underlined letter."""
    from PyQt5.QtWidgets import QAbstractButton, QLabel

    menus = [action.text() for action in window.menuBar().actions()]
    tabs = window.controls.tabs
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        settle(qtbot)
        texts = list(menus)
        for widget in window.findChildren((QLabel, QAbstractButton)):
            if widget.isVisible() and "<" not in widget.text():  # rich text has entities, not mnemonics
                texts.append(widget.text())
        letters = [m.group(1).lower() for text in texts for m in [re.search(r"&([^&\s])", text)] if m]
        duplicates = {letter for letter in letters if letters.count(letter) > 1}
        assert not duplicates, (
            f"tab {tabs.tabText(index)!r}: Alt+{sorted(duplicates)} reach more than one control: "
            f"{[t for t in texts if re.search(r'&[' + ''.join(duplicates) + r']', t, re.I)]}"
        )
