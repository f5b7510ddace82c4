"""The window's separator style control and Presets menu (issue 17 items 4-6)."""

from __future__ import annotations

import datetime

import numpy as np
from gui_helpers import change_and_complete, change_and_fail, from_qimage, shown_grid

from digitseq_gui.engine.config import Config
from digitseq_gui.engine.presets import BASE_PRESETS, PRESETS


def test_separator_style_control_sets_the_config_and_draws_the_symbols_into_the_labels(qtbot, window):
    controls = window.controls
    change_and_complete(qtbot, window, lambda: controls.digits.setText("12:34"))
    assert controls.separator_style.isVisible() and controls.config().separators.style == "gap"
    assert all(cell.label == "1234" for cell in window.preview.canvas.cells)
    gap_images = shown_grid(window)
    index = controls.separator_style.findData("drawn")
    change_and_complete(qtbot, window, lambda: controls.separator_style.setCurrentIndex(index))
    assert controls.config().separators.style == "drawn"
    cells = window.preview.canvas.cells
    assert all(cell.label == "12:34" for cell in cells)
    assert all(len(cell.boxes) == 5 for cell in cells)  # one box per character, the colon's too
    assert shown_grid(window).tobytes() != gap_images.tobytes()
    # set_config shows the style back, and the default config is the gap style
    controls.set_config(Config.from_dict({"separators": {"style": "gap"}}))
    assert controls.separator_style.currentData() == "gap"


def test_presets_menu_lists_every_preset_and_each_shows_valid_values(qtbot, window):
    actions = window.presets_menu.actions()
    titles = [action.text().replace("&", "") for action in actions if not action.isSeparator()]
    assert [t.split(":")[0].lower() for t in titles] == list(PRESETS)
    # the realistic variants come after a separator
    assert [a.isSeparator() for a in actions].index(True) == len(BASE_PRESETS)
    window.grid_check.setChecked(True)
    for name, action in window.preset_actions.items():
        result = change_and_complete(qtbot, window, action.trigger)
        assert window.controls.digits.text() == f"preset:{name}"
        assert window.controls.config().separators.style == "drawn"
        labels = [cell.label for cell in window.preview.canvas.cells]
        assert len(set(labels)) > 1, f"{name}: every sample should be a fresh value"
        if name == "date":
            for label in labels:
                if "/" in label:
                    datetime.datetime.strptime(label, "%d/%m/%Y")
                else:
                    datetime.date.fromisoformat(label)
        if name == "time":
            for label in labels:
                hours, minutes = label.split(":")
                assert 0 <= int(hours) < 24 and len(minutes) == 2 and (hours == "0" or hours[0] != "0")
        assert result.request.digits == f"preset:{name}"


def test_copied_commands_name_the_preset_and_the_style(qtbot, window):
    from PyQt5.QtWidgets import QApplication

    change_and_complete(qtbot, window, window.preset_actions["time"].trigger)
    window.copy_command()
    text = QApplication.clipboard().text()
    assert "--preset time" in text and "--separators drawn" in text and "--pattern" not in text


def test_the_export_dialog_takes_a_preset_from_the_window(qtbot, window, tmp_path):
    from digitseq_gui.gui.export_dialog import ExportDialog

    change_and_complete(qtbot, window, window.preset_actions["date"].trigger)
    dialog = ExportDialog(window.controls.config(), seed=3, sequence=window.controls.digits_text())
    qtbot.addWidget(dialog)
    source, option = dialog._what()
    assert option == ["--preset", "date"] and source.describe() == {"kind": "preset", "preset": "date"}


def test_a_realistic_preset_shows_colour_images_and_sets_the_paper_and_capture_tabs(qtbot, window):
    from PyQt5.QtGui import QImage
    from PyQt5.QtWidgets import QApplication

    window.grid_check.setChecked(True)
    result = change_and_complete(qtbot, window, window.preset_actions["amount-cheque"].trigger)
    config = window.controls.config()
    assert window.controls.digits.text() == "preset:amount-cheque"
    assert (config.image.color, config.paper.background, config.paper.lines) == ("rgb", "cheque", "ruled")
    assert config.paper.printed and config.capture.enabled
    assert window.controls.paper_group.printed.isChecked()  # the Paper and ink tab shows it
    image = result.samples[0].image
    assert image.shape == (28, 200, 3) and not np.array_equal(image[..., 0], image[..., 2])  # coloured
    assert all(cell.image.format() == QImage.Format_RGB888 for cell in window.preview.canvas.cells)
    for cell in window.preview.canvas.cells:
        assert "." in cell.label and len(cell.boxes) == len(cell.label)
    window.copy_command()
    assert "--preset amount-cheque" in QApplication.clipboard().text()
    # another realistic preset replaces the cheque's paper and ink
    change_and_complete(qtbot, window, window.preset_actions["zip-boxes"].trigger)
    config = window.controls.config()
    assert (config.paper.background, config.paper.lines, config.paper.printed) == ("grain", "boxes", False)
    assert all(len(cell.label) == 5 and cell.label.isdigit() for cell in window.preview.canvas.cells)


def test_a_number_that_begins_and_ends_with_symbols_is_typed_and_drawn_without_error(qtbot, window):
    controls = window.controls
    index = controls.separator_style.findData("drawn")
    change_and_complete(qtbot, window, lambda: controls.separator_style.setCurrentIndex(index))
    controls.digits.clear()
    typed = "(03)1234-5678"

    def of_the_whole_text(result) -> bool:
        return result.request.digits == typed

    with qtbot.waitSignal(window.previewShown, timeout=20_000, check_params_cb=of_the_whole_text) as blocker:
        qtbot.keyClicks(controls.digits, typed)
    result = blocker.args[0]
    qtbot.waitUntil(lambda: all(cell.label == typed for cell in window.preview.canvas.cells), timeout=20_000)
    assert controls.digits.text() == "(03)1234-5678"
    assert result.sequence.label == "(03)1234-5678"  # sample 0, the leading "(" included
    assert controls.shown_error_label() is None
    cells = window.preview.canvas.cells
    assert all(cell.label == "(03)1234-5678" and len(cell.boxes) == 13 for cell in cells)
    # the "(" has its box at the left, holding ink
    first = cells[0]
    x0, y0, x1, y1 = (int(v) for v in first.boxes[0])
    assert x1 <= int(first.boxes[1][0]) + 1 and (from_qimage(first.image)[y0:y1, x0:x1] < 160).any()
    # a text of separators only is refused visibly
    field, message = change_and_fail(qtbot, window, lambda: controls.digits.setText("(-)"))
    label = controls.shown_error_label()
    assert label is not None and "no digit" in label.text()
