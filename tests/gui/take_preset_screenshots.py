"""Screenshots of the window showing each preset (issue 17 item 5), for a person to look at.

xvfb-run -a -s "-screen 0 1400x900x24" python tests/gui/take_preset_screenshots.py OUT_FOLDER
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PyQt5.QtCore import QSettings
from PyQt5.QtWidgets import QApplication


def main(folder: Path) -> None:
    from digitseq_gui.engine.presets import preset_named
    from digitseq_gui.gui.main_window import MainWindow

    folder.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "digitseq.ini"), QSettings.IniFormat)
    window = MainWindow(settings=settings)
    window.resize(1300, 820)
    window.show()
    window.grid_check.setChecked(True)
    window.grid_rows.setValue(4)
    window.grid_columns.setValue(2)
    done: list[int] = []
    window.previewCompleted.connect(lambda *_: done.append(1))
    for name, action in window.preset_actions.items():
        done.clear()
        # a realistic preset (engine/presets.py REALISTIC_PRESETS) shows its Paper and ink tab
        window.controls.tabs.setCurrentIndex(2 if preset_named(name).base else 0)
        action.trigger()
        while not done:
            app.processEvents()
        for _ in range(20):
            app.processEvents()
        window.grab().save(str(folder / f"window-{name}.png"))
    window.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
