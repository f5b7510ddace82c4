"""The OpenCV plugin-path trap, on a real X display.

Importing cv2 (which imgaug needs) sets QT_QPA_PLATFORM_PLUGIN_PATH to the Qt plugins inside the
opencv-python wheel; a PyQt5 window created afterwards on xcb then aborts. Offscreen tests never
see it, so this test loads imgaug first and then starts the real window on the xcb platform, in a
subprocess, on $DISPLAY or on an Xvfb it starts itself. Skipped when neither is available.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

WINDOW_SCRIPT = textwrap.dedent("""
    import os, sys
    from digitseq_gui.engine.imgaug_compat import augmenters
    augmenters()  # imports cv2 first: the trap, if it were not defused
    from PyQt5.QtCore import QSettings, QTimer
    from digitseq_gui.gui.app import create_application
    app = create_application([sys.argv[0]])
    from digitseq_gui.gui.main_window import MainWindow
    window = MainWindow(settings=QSettings(sys.argv[1], QSettings.IniFormat))
    outcome = {}
    def shown(result):
        outcome["label"] = result.sequence.label
        window.close()
    window.previewShown.connect(shown)
    window.previewFailed.connect(lambda field, message: (outcome.update(error=message), window.close()))
    QTimer.singleShot(60_000, window.close)  # never hang a test run
    window.controls.augmentation_group.transform.setChecked(True)
    window.show()
    app.exec_()
    print("platform", app.platformName(), "result", outcome)
    sys.exit(0 if outcome.get("label") == "0123" else 3)
""")


@pytest.fixture
def x_display():
    """$DISPLAY if set, else a private Xvfb (stopped afterwards), else skip."""
    if os.environ.get("DISPLAY"):
        yield os.environ["DISPLAY"]
        return
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.skip("no X display and no Xvfb to start one")
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write_end), "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        with os.fdopen(read_end) as pipe:
            number = pipe.readline().strip()
        if not number:
            pytest.skip("Xvfb did not start")
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_window_starts_on_xcb_after_imgaug_and_opencv_were_imported(x_display, tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", DISPLAY=x_display)
    env.pop("QT_QPA_PLATFORM_PLUGIN_PATH", None)
    completed = subprocess.run(
        [sys.executable, "-c", WINDOW_SCRIPT, str(tmp_path / "settings.ini")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "platform xcb" in completed.stdout
    assert "cv2/qt/plugins" not in completed.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 and Wayland displays are Linux's")
@pytest.mark.parametrize(
    "display", [{}, {"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":987"}], ids=["none", "unreachable"]
)
def test_without_a_display_the_window_says_so_in_one_line(tmp_path, display):
    """Qt would abort (exit 134) with a page about its platform plugins; DigitSeq says what is missing."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run(
        [sys.executable, "-m", "digitseq_gui"],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(env, HOME=str(tmp_path), **display),
    )
    assert done.returncode == 2, (done.returncode, done.stderr)
    lines = done.stderr.strip().splitlines()
    last = lines[-1]
    assert (
        len(lines) == 1
        and last.startswith("digitseq-gui: Qt found no display")
        and "Traceback" not in done.stderr
    )
    assert ("':987'" in last) if display else ("no DISPLAY or WAYLAND_DISPLAY" in last)
    # Qt's own reason, in the same line: "could not connect to display" where the X libraries are
    # installed, "Could not load the Qt platform plugin" on a minimal machine without them.
    assert (
        "(Qt: could not connect to display" in last
        or '(Qt: Could not load the Qt platform plugin "xcb"' in last
    )
