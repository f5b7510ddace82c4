"""GUI fixtures: QSettings in a temporary INI file, a shown main window, waiting for previews."""

from __future__ import annotations

import pytest
from gui_helpers import PREVIEW_TIMEOUT_MS
from PyQt5.QtCore import QSettings


@pytest.fixture(autouse=True)
def settings_in_temp_folder(tmp_path, qapp):
    """Every QSettings() a test creates, the window's default included, lands in tmp_path."""
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "qsettings"))
    yield
    QSettings.setDefaultFormat(QSettings.NativeFormat)


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "digitseq.ini"), QSettings.IniFormat)


@pytest.fixture
def make_window(qtbot, settings):
    """Build, show and track windows; each is closed after the test and its worker must be stopped."""
    from digitseq_gui.gui.main_window import MainWindow

    windows = []

    def make(wait: bool = True, qsettings: QSettings | None = None) -> MainWindow:
        window = MainWindow(settings=qsettings if qsettings is not None else settings)
        qtbot.addWidget(window)
        windows.append(window)
        if wait:
            with qtbot.waitSignal(window.previewShown, timeout=PREVIEW_TIMEOUT_MS):
                window.show()
        else:
            window.show()
        return window

    yield make
    for window in windows:
        window.close()
        assert not window.worker.isRunning(), "the preview worker outlived its window"


@pytest.fixture
def window(make_window):
    """A shown window with its first preview on screen and the seed locked."""
    window = make_window()
    window.controls.seed_locked.setChecked(True)
    return window
