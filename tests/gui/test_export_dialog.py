"""The Export data set dialog: a small export, a cancel, errors in the dialog, preview, closing."""
from __future__ import annotations

import json

import pytest

from digitseq_gui import Config
from digitseq_gui import export

TIMEOUT_MS = 60_000


@pytest.fixture
def dialog(qtbot, tmp_path):
    from digitseq_gui.gui.export_dialog import ExportDialog

    config = Config()
    config.dataset.split = "test"
    dlg = ExportDialog(config)
    qtbot.addWidget(dlg)
    dlg.output.setText(str(tmp_path / "out"))
    dlg.workers.setValue(1)
    dlg.count.setValue(100)
    dlg.show()
    yield dlg
    dlg._stop_threads()


def test_small_export_reports_where_and_how_many(dialog, qtbot, tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr("digitseq_gui.gui.export_dialog.QDesktopServices.openUrl", lambda url: opened.append(url))
    dialog.source.setCurrentIndex(1)  # pattern
    dialog.unique.setChecked(True)
    dialog.format.setCurrentIndex(2)  # npz
    export_and_wait(dialog, qtbot)
    assert dialog.result.status == "complete"
    assert "100 images" in dialog.status.text() and str(tmp_path / "out") in dialog.status.text()
    assert dialog.progress.value() == dialog.progress.maximum() == 100
    data = export.load_export(tmp_path / "out")
    assert len(set(data["all"]["texts"])) == 100
    assert dialog.open_button.isEnabled()
    dialog.open_button.click()
    assert opened and opened[0].toLocalFile() == str((tmp_path / "out").resolve())


def export_and_wait(dialog, qtbot) -> None:
    """Click Export and wait for the worker to finish and its result to be shown."""
    dialog.export_button.click()
    assert dialog.is_running() and not dialog.export_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.result is not None and not dialog.is_running(), timeout=TIMEOUT_MS)


def test_cancel_stops_and_leaves_a_consistent_folder(dialog, qtbot, tmp_path):
    dialog.count.setValue(20_000)
    dialog.export_button.click()
    task = dialog._task
    with qtbot.waitSignal(task.progressed, timeout=TIMEOUT_MS, check_params_cb=lambda done, total: done > 0):
        pass
    assert dialog.cancel_button.text() == "Cancel"
    with qtbot.waitSignal(task.finished, timeout=TIMEOUT_MS):
        dialog.cancel_button.click()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=TIMEOUT_MS)
    assert dialog.result.status == "cancelled" and 0 < dialog.result.written < 20_000
    assert "Cancelled" in dialog.status.text()
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    rows = (tmp_path / "out" / "labels.csv").read_text().splitlines()[1:]
    assert len(rows) == len(list((tmp_path / "out" / "images").iterdir())) == dialog.result.written
    assert manifest["status"] == "partial"


def test_errors_show_in_the_dialog(dialog, qtbot):
    dialog.source.setCurrentIndex(1)
    dialog.pattern.setText("0x##")
    dialog.export_button.click()
    assert not dialog.is_running()
    assert "'x'" in dialog.status.text()
    dialog.pattern.setText("##")
    dialog.unique.setChecked(True)
    dialog.count.setValue(500)
    dialog.export_button.click()
    qtbot.waitUntil(lambda: "cannot make 500 unique" in dialog.status.text(), timeout=TIMEOUT_MS)
    assert dialog.export_button.isEnabled()


def test_existing_folder_is_refused_in_the_dialog(dialog, qtbot, tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x.txt").write_text("x")
    dialog.export_button.click()
    qtbot.waitUntil(lambda: "--overwrite" in dialog.status.text() or "not empty" in dialog.status.text(), timeout=TIMEOUT_MS)


def test_preview_shows_samples(dialog, qtbot):
    dialog.start_preview()
    qtbot.waitUntil(lambda: dialog.preview_images.count() == 4, timeout=TIMEOUT_MS)
    assert dialog.status.text().startswith("preview:")


def test_closing_while_running_waits_for_the_worker(dialog, qtbot):
    dialog.count.setValue(20_000)
    dialog.export_button.click()
    task = dialog._task
    dialog.close()
    assert not task.isRunning()
