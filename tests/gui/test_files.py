"""Saving the image on screen, configs, the command line, settings, About and Export."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from gui_helpers import change_and_wait, run_in_shell, shown_pixels, to_bytes
from PIL import Image
from PyQt5.QtCore import QSettings
from PyQt5.QtWidgets import QApplication, QFileDialog, QMessageBox

from digitseq_gui import load_config
from digitseq_gui.gui import image_saving


@pytest.fixture
def save_dialog(monkeypatch):
    """Answer the next save-as dialog with ``answer``; record what the window proposed."""
    calls = []

    def install(answer: tuple[str, str]):
        def fake(parent, caption, directory, filters, selected=""):
            calls.append({"caption": caption, "directory": directory, "filters": filters})
            return answer

        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake))
        return calls

    return install


@pytest.fixture
def critical(monkeypatch):
    calls = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda *args: calls.append(args)))
    return calls


def test_save_png_writes_exactly_the_pixels_on_screen(window, tmp_path, save_dialog, critical):
    calls = save_dialog((str(tmp_path / "picked.png"), image_saving.PNG_FILTER))
    window.save_image_action.trigger()
    assert Path(calls[0]["directory"]).name == "seq_0123.png"
    with Image.open(tmp_path / "picked.png") as saved:
        assert saved.mode == "L"
        pixels = np.asarray(saved)
    np.testing.assert_array_equal(pixels, shown_pixels(window))
    assert not critical
    # The next dialog opens in the folder just used.
    calls = save_dialog((str(tmp_path / "again.png"), image_saving.PNG_FILTER))
    window.save_image_action.trigger()
    assert Path(calls[-1]["directory"]).parent == tmp_path


def test_save_npy_by_filter_writes_the_float_array(window, tmp_path, save_dialog):
    save_dialog((str(tmp_path / "array"), image_saving.NPY_FILTER))
    window.save_image_action.trigger()
    array = np.load(tmp_path / "array.npy", allow_pickle=False)
    assert array.dtype == np.float32 and array.shape == (28, 200)
    np.testing.assert_array_equal(array, window.shown_result.sequence.image)
    np.testing.assert_array_equal(to_bytes(array), shown_pixels(window))


def test_save_jpeg_by_extension(window, tmp_path, save_dialog):
    save_dialog((str(tmp_path / "photo.jpeg"), image_saving.PNG_FILTER))
    window.save_image_action.trigger()
    with Image.open(tmp_path / "photo.jpeg") as saved:
        assert saved.format == "JPEG" and saved.size == (200, 28)
        pixels = np.asarray(saved.convert("L")).astype(int)
    # Lossy, but the image on screen: close to its pixels, far from a blank or another image.
    assert np.abs(pixels - shown_pixels(window).astype(int)).mean() < 6


def test_saving_after_a_rejected_change_saves_the_image_still_shown(qtbot, window, tmp_path, save_dialog):
    shown = shown_pixels(window)
    with qtbot.waitSignal(window.previewFailed, timeout=20_000):
        window.controls.spacing_type.setCurrentIndex(1)
    save_dialog((str(tmp_path / "kept.png"), image_saving.PNG_FILTER))
    window.save_image_action.trigger()
    with Image.open(tmp_path / "kept.png") as saved:
        np.testing.assert_array_equal(np.asarray(saved), shown)


@pytest.mark.parametrize("where", ["missing folder", "folder is a file", "read-only folder"])
def test_a_failing_save_shows_an_error_and_leaves_no_file(window, tmp_path, save_dialog, critical, where):
    if where == "missing folder":
        folder = tmp_path / "no-such-folder"
    elif where == "folder is a file":
        folder = tmp_path / "a-file"
        folder.write_text("x")
    else:
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            pytest.skip("root can write into read-only folders")
        folder = tmp_path / "read-only"
        folder.mkdir()
        folder.chmod(0o555)
    before = sorted(tmp_path.rglob("*"))
    save_dialog((str(folder / "out.png"), image_saving.PNG_FILTER))
    window.save_image_action.trigger()
    assert len(critical) == 1
    assert "not saved" in critical[0][2]
    assert sorted(tmp_path.rglob("*")) == before  # nothing written, no temporary file left


def test_config_save_and_open_round_trip(qtbot, window, tmp_path, save_dialog, monkeypatch):
    controls = window.controls
    change_and_wait(
        qtbot,
        window,
        lambda: (
            controls.image_width.setValue(150),
            controls.spacing_subtype.setCurrentIndex(1),
            controls.min_spacing.setValue(1),
            controls.max_spacing.setValue(5),
            controls.trim.setChecked(True),
            controls.augmentation_group.transform.setChecked(True),
            controls.augmentation_group.rows["noise"].check.setChecked(True),
            controls.augmentation_group.rows["rotate"].spin.setValue(20),
            controls.split.setCurrentIndex(1),
        ),
    )
    saved_config = controls.config()
    save_dialog((str(tmp_path / "settings"), "DigitSeq configuration (*.json)"))
    window.save_config_action.trigger()
    assert load_config(tmp_path / "settings.json") == saved_config

    change_and_wait(
        qtbot,
        window,
        lambda: (controls.image_width.setValue(300), controls.augmentation_group.transform.setChecked(False)),
    )
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *a: (str(tmp_path / "settings.json"), ""))
    )
    result = change_and_wait(qtbot, window, window.open_config_action.trigger)
    assert controls.config() == saved_config
    assert result.request.config == saved_config
    assert controls.augmentation_group.rows["rotate"].slider.isEnabled()


def test_the_seeds_config_files_open(qtbot, window, tmp_path, monkeypatch):
    path = tmp_path / "seed-config.json"
    path.write_text(
        json.dumps(
            {
                "image": {"transform": True},
                "spacing": {"type": "variable", "subtype": "edge"},
                "output_format": "png",
            }
        )
    )
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a: (str(path), "")))
    result = change_and_wait(qtbot, window, window.open_config_action.trigger)
    assert window.controls.spacing_subtype.currentData() == "edge"
    assert window.controls.augmentation_group.transform.isChecked()
    assert result.request.config.image.transform


def test_a_broken_config_is_reported_and_changes_nothing(window, tmp_path, monkeypatch, critical):
    path = tmp_path / "broken.json"
    path.write_text('{"spacing": {"type": "zigzag"}}')
    before = window.controls.config()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a: (str(path), "")))
    window.open_config_action.trigger()
    assert len(critical) == 1 and "Spacing type" in critical[0][2] and "zigzag" in critical[0][2]
    assert "spacing.type" not in critical[0][2]  # the label the user sees, not the config key
    assert window.controls.config() == before


def _run_copied_command(text: str, folder: Path) -> np.ndarray:
    run_in_shell(text + " -o out.npy", folder)
    return np.load(folder / "out.npy", allow_pickle=False)


def test_copied_command_line_reproduces_the_preview(window, tmp_path):
    window.copy_command_action.trigger()
    text = QApplication.clipboard().text()
    assert (
        text.startswith("digitseq generate 0123 ") and f"--seed {window.shown_result.sequence.seed}" in text
    )
    np.testing.assert_array_equal(_run_copied_command(text, tmp_path), window.shown_result.sequence.image)


def test_copied_command_carries_non_default_augmentations(qtbot, window, tmp_path):
    group = window.controls.augmentation_group
    change_and_wait(
        qtbot,
        window,
        lambda: (
            group.transform.setChecked(True),
            group.rows["shear"].check.setChecked(False),
            group.rows["translate"].check.setChecked(True),
        ),
    )
    window.copy_command_action.trigger()
    text = QApplication.clipboard().text()
    assert "--config digitseq-preview.json" in text
    np.testing.assert_array_equal(_run_copied_command(text, tmp_path), window.shown_result.sequence.image)


def test_copied_command_for_a_pattern_is_an_export_with_these_settings(qtbot, window, tmp_path):
    change_and_wait(
        qtbot,
        window,
        lambda: (
            window.controls.digits.setText("0[789]0-####"),
            window.controls.separator_width.setValue(14),
        ),
    )
    window.copy_command_action.trigger()
    text = QApplication.clipboard().text()
    seed = window.controls.seed.value()
    assert text.startswith("digitseq export --pattern '0[789]0-####' ")
    assert f"--seed {seed}" in text and "--separator-width 14" in text
    assert "copied" in window.statusBar().currentMessage().lower()
    run_in_shell(text.replace("--count 1000", "--count 5"), tmp_path)
    from digitseq_gui import export

    data = export.load_export(tmp_path / "digitseq-export")
    assert len(data["all"]["texts"]) == 5 and data["manifest"]["separator_width"] == 14
    assert all(t[:3] in ("070", "080", "090") and t[3] == "-" for t in data["all"]["texts"])


def test_settings_are_remembered_in_the_redirected_file(qtbot, make_window, settings, tmp_path):
    default = QSettings(QSettings.IniFormat, QSettings.UserScope, "DigitSeq", "DigitSeq")
    assert default.fileName().startswith(str(tmp_path))  # the default location is redirected too
    window = make_window()
    change_and_wait(
        qtbot,
        window,
        lambda: (
            window.controls.digits.setText("4242"),
            window.controls.image_width.setValue(180),
            window.controls.split.setCurrentIndex(1),
        ),
    )
    seed = window.controls.seed.value()
    window.boxes_check.setChecked(True)
    window.grid_rows.setValue(3)
    window.compare_check.setChecked(True)
    window.controls.separator_width.setValue(7)
    window.close()
    assert Path(settings.fileName()).is_file() and str(tmp_path) in settings.fileName()

    again = make_window()
    assert again.controls.digits_text() == "4242"
    assert again.controls.image_width.value() == 180
    assert again.controls.split.currentData() == "test"
    assert again.controls.seed.value() == seed
    assert again.boxes_check.isChecked()
    assert again.grid() == (3, 2) and again.compare_check.isChecked()
    assert again.controls.separator_width.value() == 7
    assert again.shown_result.request.seed == seed


def test_about_credits_mnist_and_its_licence(window, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "about", staticmethod(lambda parent, title, text: shown.append(text)))
    window.about_action.trigger()
    for needle in ("Yann LeCun", "Corinna Cortes", "Christopher J.C. Burges", "CC BY-SA 3.0"):
        assert needle in shown[0]


def test_export_opens_with_the_main_windows_settings_seed_and_pattern(qtbot, window):
    from digitseq_gui.gui.export_dialog import ExportDialog

    change_and_wait(
        qtbot,
        window,
        lambda: (
            window.controls.digits.setText("0[789]0-####"),
            window.controls.separator_width.setValue(14),
            window.controls.image_width.setValue(240),
        ),
    )
    window.export_action.trigger()
    dialog = window.export_dialog
    assert isinstance(dialog, ExportDialog) and dialog.isVisible() and dialog.isModal()
    assert dialog.seed.value() == window.controls.seed.value()
    assert dialog.config == window.controls.config()
    assert dialog.source.currentText() == "Pattern" and dialog.pattern.text() == "0[789]0-####"
    assert dialog.separator_width.value() == 14
    dialog.close()
    assert dialog.shut_down()


def test_menus_use_the_standard_shortcuts(window):
    from PyQt5.QtGui import QKeySequence

    assert QKeySequence(QKeySequence.Save) in window.save_image_action.shortcuts()
    assert QKeySequence(QKeySequence.Open) in window.open_config_action.shortcuts()
    assert QKeySequence("Ctrl+Q") in window.quit_action.shortcuts()
    assert QKeySequence("Ctrl+E") in window.export_action.shortcuts()
    assert QKeySequence("F5") in window.new_sample_action.shortcuts()
    assert not window.windowIcon().isNull()
