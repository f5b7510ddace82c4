"""The Export data set dialog: a small export, a cancel, errors in the dialog's words, a preview that
follows every setting, the seed it starts from, and a copied command that makes the same data set."""

from __future__ import annotations

import json
import re
import threading
import time

import numpy as np
import pytest
from gui_helpers import run_in_shell
from PyQt5.QtWidgets import QApplication

from digitseq_gui import Config, export

TIMEOUT_MS = 60_000
FLAG = re.compile(r"(^|\s)--\w")  # a command-line flag: the window must not speak them


@pytest.fixture
def dialog(qtbot, tmp_path):
    from digitseq_gui.gui.export_dialog import ExportDialog

    config = Config()
    config.dataset.split = "test"
    dlg = ExportDialog(config, seed=4242)
    qtbot.addWidget(dlg)
    dlg.output.setText(str(tmp_path / "out"))
    dlg.workers.setValue(1)
    dlg.count.setValue(100)
    dlg.show()
    yield dlg
    assert dlg.shut_down(), "a task of the dialog outlived it"


def export_and_wait(dialog, qtbot) -> None:
    """Click Export and wait for the task to finish and its result to be shown."""
    dialog.export_button.click()
    assert dialog.is_running() and not dialog.export_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.result is not None and not dialog.is_running(), timeout=TIMEOUT_MS)


def wait_for_preview(dialog, qtbot, texts_match=None) -> None:
    qtbot.waitUntil(
        lambda: (
            bool(dialog.preview_samples)
            and dialog.preview_labels[0][0].isEnabled()
            and (texts_match is None or all(bool(texts_match(t)) for _, t in dialog.preview_samples))
        ),
        timeout=TIMEOUT_MS,
    )


def test_small_export_reports_where_and_how_many(dialog, qtbot, tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr(
        "digitseq_gui.gui.export_dialog.QDesktopServices.openUrl", lambda url: opened.append(url)
    )
    dialog.source.setCurrentIndex(1)  # pattern
    dialog.unique.setChecked(True)
    dialog.format.setCurrentIndex(2)  # npz
    export_and_wait(dialog, qtbot)
    assert dialog.result.status == "complete"
    assert "100 images" in dialog.status.text() and str(tmp_path / "out") in dialog.status.text()
    assert dialog.progress.value() == dialog.progress.maximum() == 100
    data = export.load_export(tmp_path / "out")
    assert len(set(data["all"]["texts"])) == 100
    assert data["manifest"]["seed"] == 4242
    assert dialog.open_button.isEnabled()
    dialog.open_button.click()
    assert opened and opened[0].toLocalFile() == str((tmp_path / "out").resolve())


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
    assert "Cancelled" in dialog.status.text() and "Finish an interrupted export" in dialog.status.text()
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    rows = (tmp_path / "out" / "labels.csv").read_text().splitlines()[1:]
    assert len(rows) == len(list((tmp_path / "out" / "images").iterdir())) == dialog.result.written
    assert manifest["status"] == "partial"


def test_errors_show_in_the_dialog(dialog, qtbot):
    dialog.source.setCurrentIndex(1)
    dialog.pattern.setText("0x##")
    dialog.export_button.click()
    assert not dialog.is_running()
    assert "'x'" in dialog.status.text() and "color" in dialog.status.styleSheet()
    dialog.pattern.setText("##")
    dialog.unique.setChecked(True)
    dialog.count.setValue(500)
    dialog.export_button.click()
    qtbot.waitUntil(lambda: "cannot make 500 unique" in dialog.status.text().lower(), timeout=TIMEOUT_MS)
    assert dialog.export_button.isEnabled()
    assert not FLAG.search(dialog.status.text())


def test_an_earlier_export_in_the_folder_is_refused_with_the_dialogs_check_boxes_as_advice(
    dialog, qtbot, tmp_path
):
    export_and_wait(dialog, qtbot)
    dialog.result = None
    dialog.export_button.click()
    qtbot.waitUntil(lambda: "not empty" in dialog.status.text(), timeout=TIMEOUT_MS)
    text = dialog.status.text()
    assert "holds an earlier export" in text and "tick “Replace an existing export” to replace it" in text
    assert "“Finish an interrupted export”" in text and not FLAG.search(text), text
    dialog.overwrite.setChecked(True)  # the advice works
    export_and_wait(dialog, qtbot)
    assert dialog.result.status == "complete"


def test_export_clicked_as_soon_as_an_error_shows_starts(dialog, qtbot, tmp_path, monkeypatch):
    """The error reaches the dialog a moment before the export's thread has returned: a click on
    Export in that moment starts the export (it was ignored, the button left enabled)."""
    from digitseq_gui.gui.background import BackgroundTask

    export_and_wait(dialog, qtbot)
    emit = BackgroundTask._emit

    def slow_to_return(task, signal, *args):  # stretch every moment between the report and the thread's end
        emit(task, signal, *args)
        time.sleep(0.5)  # after the report (``failed``, ``succeeded``) and after ``finished``

    monkeypatch.setattr(BackgroundTask, "_emit", slow_to_return)
    dialog.result = None
    dialog.export_button.click()
    qtbot.waitUntil(lambda: "not empty" in dialog.status.text(), timeout=TIMEOUT_MS)
    assert _task_thread_alive()  # the refused export's thread is still returning
    dialog.overwrite.setChecked(True)
    export_and_wait(dialog, qtbot)
    assert dialog.result.status == "complete"

    assert _task_thread_alive()  # and the same moment after a finished export: Close closes
    dialog.cancel_button.click()
    assert not dialog.isVisible() and "Cancelling" not in dialog.status.text()


def _task_thread_alive() -> bool:
    return any(t.name == "digitseq-task" and t.is_alive() for t in threading.enumerate())


def test_existing_folder_is_refused_in_the_dialogs_words(dialog, qtbot, tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x.txt").write_text("x")
    dialog.export_button.click()
    qtbot.waitUntil(lambda: "not empty" in dialog.status.text(), timeout=TIMEOUT_MS)
    text = dialog.status.text()
    # Only an earlier export may be replaced: a folder of someone else's files is never emptied,
    # so the advice is another folder, not the Replace check box.
    assert "choose an empty or new folder" in text and "Replace an existing export" not in text
    assert not FLAG.search(text), text
    assert (tmp_path / "out" / "x.txt").read_text() == "x" and len(list((tmp_path / "out").iterdir())) == 1


def test_preview_shows_the_exports_first_images(dialog, qtbot, tmp_path):
    dialog.source.setCurrentIndex(1)
    dialog.pattern.setText("0[789]0-####")
    wait_for_preview(dialog, qtbot, lambda text: re.fullmatch(r"0[789]0-\d{4}", text))
    shown = dialog.preview_samples
    assert len(shown) == 6
    for (image, caption), (pixels, text) in zip(dialog.preview_labels, shown):
        assert caption.text() == text
        assert image.pixmap() is not None and image.pixmap().width() == 2 * pixels.shape[1]  # 200 px at 2x
        assert image.width() >= image.pixmap().width()  # shown whole
    dialog.format.setCurrentIndex(2)  # npz: the images as one array
    wait_for_preview(dialog, qtbot)
    shown = dialog.preview_samples
    export_and_wait(dialog, qtbot)
    data = export.load_export(tmp_path / "out")["all"]
    assert [t for _, t in shown] == list(data["texts"][:6])
    np.testing.assert_array_equal(np.stack([p for p, _ in shown]), data["images"][:6])


def test_preview_follows_every_change_and_is_never_stale(dialog, qtbot):
    dialog.source.setCurrentIndex(1)
    dialog.pattern.setText("11-##")
    wait_for_preview(dialog, qtbot, lambda text: text.startswith("11-"))
    first = [p.copy() for p, _ in dialog.preview_samples]
    dialog.pattern.setText("22-##")
    assert not dialog.preview_labels[0][0].isEnabled()  # greyed at once: it no longer matches
    wait_for_preview(dialog, qtbot, lambda text: text.startswith("22-"))
    dialog.separator_width.setValue(30)
    wait_for_preview(dialog, qtbot)
    widened = dialog.preview_samples[0][0]
    assert not np.array_equal(widened, first[0])
    dialog.pattern.setText("2x-##")
    qtbot.waitUntil(lambda: "No preview" in dialog.preview_state.text(), timeout=TIMEOUT_MS)
    assert dialog.preview_samples == []
    assert all(image.pixmap() is None or image.pixmap().isNull() for image, _ in dialog.preview_labels)
    assert "'x'" in dialog.preview_state.text()


def test_the_seed_starts_as_the_main_windows_or_fresh(qtbot):
    from digitseq_gui.gui.export_dialog import ExportDialog

    given = ExportDialog(Config(), seed=987654)
    qtbot.addWidget(given)
    assert given.seed.value() == 987654
    fresh = [ExportDialog(Config()) for _ in range(2)]
    for dlg in fresh:
        qtbot.addWidget(dlg)
    assert fresh[0].seed.value() != fresh[1].seed.value()  # drawn, not a constant such as 0
    for dlg in [given, *fresh]:
        assert dlg.shut_down()


def test_copied_command_makes_the_same_data_set(dialog, qtbot, tmp_path):
    config = Config()
    config.dataset.split = "test"
    config.image.transform = True
    config.image.augmentations["rotate"].strength = 20.0
    config.image.augmentations["noise"].enabled = True
    config.image.width = 180
    dialog.config = config
    dialog.source.setCurrentIndex(1)
    dialog.pattern.setText("0[789]-###")
    dialog.count.setValue(70)
    dialog.unique.setChecked(True)
    dialog.separator_width.setValue(6)
    dialog.format.setCurrentIndex(2)  # npz
    dialog.copy_button.click()
    command = QApplication.clipboard().text()
    assert command.startswith("cat > ") and "digitseq export --config" in command
    assert "--seed 4242" in command and "--pattern '0[789]-###'" in command
    export_and_wait(dialog, qtbot)
    ours = export.load_export(tmp_path / "out")
    shell_folder = tmp_path / "shell"
    shell_folder.mkdir()
    run_in_shell(command.replace(str(tmp_path / "out"), str(shell_folder / "copy")), shell_folder)
    theirs = export.load_export(shell_folder / "copy")
    for key in ("images", "labels", "texts", "boxes"):
        np.testing.assert_array_equal(ours["all"][key], theirs["all"][key])
    assert ours["manifest"]["config"] == theirs["manifest"]["config"]


@pytest.mark.parametrize("how", ["close", "escape"])
def test_closing_while_running_cancels_and_closes_once_stopped(dialog, qtbot, tmp_path, how):
    from PyQt5.QtCore import Qt

    dialog.count.setValue(20_000)
    dialog.export_button.click()
    task = dialog._task
    with qtbot.waitSignal(task.progressed, timeout=TIMEOUT_MS, check_params_cb=lambda done, total: done > 0):
        pass
    if how == "close":
        dialog.close()
    else:
        qtbot.keyClick(dialog, Qt.Key_Escape)
    # The dialog does not freeze waiting: it says what happens and closes when the export stopped.
    assert dialog.isVisible() and "closes when it has stopped" in dialog.status.text()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=TIMEOUT_MS)
    assert not task.isRunning() and dialog.result.status == "cancelled"
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["status"] == "partial"


@pytest.mark.parametrize("format_name", ["lmdb", "webdataset", "parquet"])
def test_every_export_format_and_the_compression_choice_are_offered(dialog, qtbot, tmp_path, format_name):
    if format_name == "parquet":
        pytest.importorskip("pyarrow")  # the parquet extra; without it the export says how to install it
    # The window lists the export's registry: every format and compression, by its title.
    assert [dialog.format.itemData(i) for i in range(dialog.format.count())] == list(export.FORMATS)
    assert dialog.format.itemText(0) == "PNG images + labels.csv" and dialog.format.currentData() == "png"
    assert [dialog.compression.itemData(i) for i in range(dialog.compression.count())] == list(
        export.COMPRESSIONS
    )
    assert dialog.compression.currentText() == "Default (smaller files)"
    dialog.count.setValue(70)
    dialog.format.setCurrentIndex(dialog.format.findData(format_name))
    dialog.compression.setCurrentIndex(dialog.compression.findData("fast"))
    dialog.copy_button.click()
    command = QApplication.clipboard().text()
    assert f"--format {format_name}" in command and "--compression fast" in command
    export_and_wait(dialog, qtbot)
    written = export.load_export(tmp_path / "out")
    assert written["manifest"]["format"] == format_name and written["manifest"]["compression"] == "fast"
    assert len(written["all"]["labels"]) == 70 and len(written["all"]["image_bytes"]) == 70


def test_an_export_of_tall_keep_aspect_images_is_previewed_whole_and_self_describing(qtbot, tmp_path):
    """Height 64 with keep-aspect and overlapping gaps from the main window's settings: the
    dialog's preview shows the images whole (shrunk to its 56 px rows), and the exported PNGs
    have that shape and carry their label, seed and settings."""
    from PIL import Image

    from digitseq_gui import read_image_info
    from digitseq_gui.gui.export_dialog import PREVIEW_HEIGHT, ExportDialog

    config = Config()
    config.dataset.split = "test"
    config.image.height, config.image.fit, config.spacing.min, config.spacing.max = 64, "keep-aspect", -6, 0
    dialog = ExportDialog(config.validated(), seed=77)
    qtbot.addWidget(dialog)
    dialog.output.setText(str(tmp_path / "out"))
    dialog.workers.setValue(1)
    dialog.count.setValue(10)
    dialog.show()
    try:
        wait_for_preview(dialog, qtbot)
        for image, _ in dialog.preview_labels[: len(dialog.preview_samples)]:
            assert image.pixmap().height() <= PREVIEW_HEIGHT <= image.height()
        assert dialog.preview_samples[0][0].shape == (64, 200)
        export_and_wait(dialog, qtbot)
        path = tmp_path / "out" / "images" / "000000.png"
        with Image.open(path) as saved:
            assert saved.size == (200, 64)
        info = read_image_info(path)
        assert info.seed == 77 and info.index == 0 and info.settings["image"]["fit"] == "keep-aspect"
        assert info.settings["spacing"]["min"] == -6
    finally:
        assert dialog.shut_down()


def test_preview_is_the_exports_first_images_with_splits_and_unique_texts(dialog, qtbot, tmp_path):
    """The plan depends on the count (how the splits are cut, which texts are unique): the preview
    is planned with the real count, so it shows what the export writes."""
    dialog.count.setValue(300)
    dialog.splits.setText("train=0.8,val=0.1,test=0.1")
    dialog.unique.setChecked(True)
    dialog.format.setCurrentIndex(2)  # npz
    wait_for_preview(dialog, qtbot)
    qtbot.wait(300)  # the last change's preview, not an earlier one
    wait_for_preview(dialog, qtbot)
    shown = dialog.preview_samples
    export_and_wait(dialog, qtbot)
    train = export.load_export(tmp_path / "out")["train"]
    assert [t for _, t in shown] == list(train["texts"][: len(shown)])
    np.testing.assert_array_equal(np.stack([p for p, _ in shown]), train["images"][: len(shown)])


def test_worker_processes_are_bounded_by_what_the_export_accepts(dialog):
    from digitseq_gui.export import max_workers

    assert (dialog.workers.minimum(), dialog.workers.maximum()) == (1, max_workers())
    dialog.workers.setValue(64)
    assert dialog.workers.value() == max_workers()
    dialog.request()  # accepted as it stands: no "too many workers" error to run into


def test_the_window_and_the_cli_start_from_the_same_defaults_and_limits(qtbot, window):
    """One registry: the dialog, the main window and ``digitseq export`` read the engine's separator
    default and maximum and the export's worker, format and compression defaults."""
    from digitseq_gui.cli import build_parser
    from digitseq_gui.engine.sequences import DEFAULT_SEPARATOR_WIDTH, MAX_SEPARATOR_WIDTH
    from digitseq_gui.gui.export_dialog import ExportDialog

    dialog = ExportDialog(Config())
    qtbot.addWidget(dialog)
    args = build_parser().parse_args(["export", "--length", "4", "--output", "x"])
    assert dialog.workers.value() == args.workers == export.default_workers()
    assert dialog.format.currentData() == args.format == export.ExportRequest("x", None).format
    assert dialog.compression.currentData() == args.compression == export.DEFAULT_COMPRESSION
    assert dialog.separator_width.value() == args.separator_width == DEFAULT_SEPARATOR_WIDTH
    for box in (dialog.separator_width, window.controls.separator_width):
        assert box.maximum() == MAX_SEPARATOR_WIDTH
    assert window.controls.separator_width.value() == DEFAULT_SEPARATOR_WIDTH
    dialog.output.setText("x")
    dialog.separator_width.setValue(MAX_SEPARATOR_WIDTH)
    assert dialog.request().separator_width == MAX_SEPARATOR_WIDTH  # the engine takes its own maximum
    dialog.shut_down()


def test_the_copied_command_asks_the_cli_for_the_very_request_the_dialog_makes(dialog, tmp_path):
    """Request and command come from one mapping: every setting changed in the dialog reaches both."""
    import shlex

    from digitseq_gui.cli import build_parser
    from digitseq_gui.cli.export import request_from_args

    dialog.source.setCurrentIndex(1)
    dialog.pattern.setText("0[789]-###")
    dialog.count.setValue(321)
    dialog.unique.setChecked(True)
    dialog.separator_width.setValue(7)
    dialog.format.setCurrentIndex(dialog.format.findData("npz"))
    dialog.compression.setCurrentIndex(dialog.compression.findData("none"))
    dialog.splits.setText("train=0.5,test=0.5")
    dialog.seed.setValue(99)
    dialog.workers.setValue(2)
    argv = shlex.split(dialog.command())
    assert argv[:2] == ["digitseq", "export"]
    args = build_parser().parse_args(argv[1:])
    from digitseq_gui.engine import sequences

    from_cli = request_from_args(args, sequences.pattern(args.pattern))
    mine = dialog.request()
    assert from_cli.sequences.describe() == mine.sequences.describe()
    fields = ("count", "seed", "format", "splits", "unique", "separator_width", "workers", "compression")
    assert {f: getattr(from_cli, f) for f in fields} == {f: getattr(mine, f) for f in fields}
    assert args.pattern == "0[789]-###" and from_cli.output == mine.output
    assert from_cli.config.to_dict() == mine.config.to_dict()


def test_alt_e_moves_to_the_seed(dialog, qtbot):
    """The Seed row's label has the seed box as its buddy, so its mnemonic works."""
    from PyQt5.QtWidgets import QLabel

    [label] = [w for w in dialog.findChildren(QLabel) if w.text() == "S&eed:"]
    assert label.buddy() is dialog.seed
