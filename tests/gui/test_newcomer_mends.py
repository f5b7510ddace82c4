"""What a newcomer met in the window and the export dialog (issue 20), mended: each test drives the
real widgets and checks what is on screen or on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from gui_helpers import change_and_wait
from PyQt5.QtWidgets import QFileDialog

from digitseq_gui import Config, export, read_image_info
from digitseq_gui.gui import image_saving

TIMEOUT_MS = 60_000


@pytest.fixture
def dialog(qtbot, tmp_path):
    from digitseq_gui.gui.export_dialog import ExportDialog

    config = Config()
    config.dataset.split = "test"
    dlg = ExportDialog(config, seed=5)
    qtbot.addWidget(dlg)
    dlg.output.setText(str(tmp_path / "out"))
    dlg.workers.setValue(1)
    dlg.count.setValue(64)
    dlg.show()
    yield dlg
    assert dlg.shut_down()


def export_and_wait(dialog, qtbot) -> None:
    dialog.result = None
    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.result is not None and not dialog.is_running(), timeout=TIMEOUT_MS)


def test_a_relative_folder_shows_the_absolute_path_it_writes_to_and_writes_there(
    dialog, qtbot, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    dialog.output.setText("20000")  # the mistyped count of the report
    where = str(tmp_path / "20000")
    assert dialog.output_where.isVisible()
    assert f"Writes to {where}" in dialog.output_where.text() and str(tmp_path) in dialog.output_where.text()
    assert dialog.request().output == Path(where)
    assert f"--output {where}" in dialog.command()  # the copied command writes there from any folder
    export_and_wait(dialog, qtbot)
    assert dialog.result.status == "complete" and f"in {where}" in dialog.status.text()
    assert (tmp_path / "20000" / "manifest.json").is_file()
    dialog.output.setText(str(tmp_path / "abs"))
    assert dialog.output_where.text() == f"Writes to {tmp_path / 'abs'}"


def test_a_changed_setting_clears_the_last_exports_bar_and_a_refusal_never_stands_under_a_full_bar(
    dialog, qtbot
):
    export_and_wait(dialog, qtbot)
    assert dialog.progress.value() == dialog.progress.maximum() == 64
    assert dialog.status.text().startswith("Done: 64 images")
    # Export again into the same folder without "Replace": refused, and the bar no longer says 100%.
    dialog.export_button.click()
    qtbot.waitUntil(
        lambda: not dialog.is_running() and "color" in dialog.status.styleSheet(), timeout=TIMEOUT_MS
    )
    assert "Replace an existing export" in dialog.status.text()
    assert dialog.progress.value() == 0 and dialog.result is None
    dialog.overwrite.setChecked(True)  # any change clears the refusal too
    assert dialog.status.text() == ""
    export_and_wait(dialog, qtbot)
    assert dialog.status.text().startswith("Done: 64 images")
    dialog.count.setValue(65)  # the Done line and the full bar described other settings
    assert dialog.progress.value() == 0 and dialog.status.text() == ""


def test_the_dialog_offers_a_separator_gap_only_for_sources_with_separators(dialog):
    dialog.source.setCurrentIndex(0)  # random digits
    assert not dialog.separator_width.isVisible() and not dialog.separator_label.isVisible()
    dialog.source.setCurrentIndex(1)  # pattern
    assert dialog.separator_width.isVisible() and dialog.separator_label.isVisible()
    dialog.source.setCurrentIndex(2)  # a file, which may hold separators
    assert dialog.separator_width.isVisible()


def test_the_window_offers_a_separator_gap_only_for_a_sequence_with_a_separator(qtbot, window):
    controls = window.controls
    assert controls.digits.text() == "0123" and not controls.separator_width.isVisible()
    controls.digits.setText("090-1234")
    assert controls.separator_width.isVisible() and controls.separator_label.isVisible()
    controls.random_button.click()  # random digits: no separator
    assert controls.digits.text().isdigit() and not controls.separator_width.isVisible()


def test_compare_names_the_copy_without_augmentation_in_a_visible_legend(qtbot, window):
    assert not window.compare_legend.isVisible()
    change_and_wait(qtbot, window, lambda: window.compare_check.setChecked(True))
    assert window.compare_legend.isVisible()
    assert "without augmentation" in window.compare_legend.text() and "blue" in window.compare_legend.text()
    window.compare_check.setChecked(False)
    assert not window.compare_legend.isVisible()


def test_with_the_transform_off_a_saved_png_lists_no_augmentation_as_enabled(
    qtbot, window, tmp_path, monkeypatch
):
    def save_as(path):
        monkeypatch.setattr(
            QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), image_saving.PNG_FILTER))
        )
        window.save_image_action.trigger()
        return read_image_info(path).settings["image"]

    assert not window.controls.config().image.transform
    off = save_as(tmp_path / "off.png")
    assert off["transform"] is False and "augmentations" not in off
    change_and_wait(qtbot, window, lambda: window.controls.augmentation_group.transform.setChecked(True))
    on = save_as(tmp_path / "on.png")
    assert on["transform"] is True and on["augmentations"]["rotate"]["enabled"] is True


def test_an_exported_png_with_the_transform_off_lists_no_augmentation(dialog, qtbot, tmp_path):
    export_and_wait(dialog, qtbot)
    settings = read_image_info(tmp_path / "out" / "images" / "000000.png").settings
    assert settings["image"]["transform"] is False and "augmentations" not in settings["image"]
    assert Config.from_dict(settings) == dialog.config  # still loads as the config that made it
    assert export.load_export(tmp_path / "out")["manifest"]["config"]["image"]["augmentations"]
