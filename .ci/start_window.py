"""Start the installed package's window offscreen, wait for its first preview, and quit.

    QT_QPA_PLATFORM=offscreen python .ci/start_window.py

CI runs it in a fresh venv holding only the built wheel: the window, its icon, and a preview drawn
from the MNIST digits the wheel ships. Settings go to a temporary folder, not the user's. Exits 0
once the preview is on screen, 1 if it does not come within the time limit.
"""

from __future__ import annotations

import os
import sys
import tempfile

TIME_LIMIT_MS = 120_000


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PyQt5.QtCore import QSettings, QTimer

    from digitseq_gui.gui.app import create_application
    from digitseq_gui.gui.icon import app_icon
    from digitseq_gui.gui.main_window import MainWindow

    app = create_application(sys.argv)
    with tempfile.TemporaryDirectory() as folder:
        QSettings.setDefaultFormat(QSettings.IniFormat)
        QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, folder)
        app.setWindowIcon(app_icon())
        window = MainWindow()
        outcome: dict[str, str] = {}

        def shown(result) -> None:
            outcome["preview"] = f"preview shown: {window.windowTitle()!r}"
            window.close()

        def too_late() -> None:
            outcome.setdefault("error", f"no preview within {TIME_LIMIT_MS // 1000} s")
            window.close()

        window.previewShown.connect(shown)
        QTimer.singleShot(TIME_LIMIT_MS, too_late)
        window.show()
        app.exec_()
    if "preview" not in outcome:
        print(
            f"start_window: {outcome.get('error', 'the window closed before its preview')}", file=sys.stderr
        )
        return 1
    print(f"start_window: {outcome['preview']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
