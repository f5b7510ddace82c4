"""The window's "Paper and ink" tab (issue 18 item 7): every finishing setting, shown in colour,
the same image as ``digitseq generate`` with the same settings and seed."""

from __future__ import annotations

import numpy as np
from gui_helpers import change_and_wait
from PyQt5.QtGui import QImage

from digitseq_gui import Config, DigitSequence
from digitseq_gui.engine.finish import is_plain


def choose(combo, data) -> None:
    combo.setCurrentIndex(combo.findData(data))


def test_the_tab_starts_at_todays_images(window):
    tabs = window.controls.tabs
    assert {"Paper", "Capture"} <= {tabs.tabText(i) for i in range(tabs.count())}
    assert is_plain(window.controls.config())


def test_colour_ink_paper_and_capture_reach_the_preview(qtbot, window):
    group = window.controls.paper_group
    result = change_and_wait(qtbot, window, lambda: choose(group.color, "rgb"))
    assert result.sequence.image.shape == (28, 200, 3)
    assert window.preview.canvas.qimage().format() == QImage.Format_RGB888
    choose(group.ink, "blue")
    choose(group.lines, "boxes")
    group.printed.setChecked(True)
    result = change_and_wait(qtbot, window, lambda: window.controls.capture_group.capture.setChecked(True))
    config = result.request.config
    assert (config.image.color, config.ink.color, config.paper.lines, config.paper.printed) == (
        "rgb",
        "blue",
        "boxes",
        True,
    )
    assert (
        config.capture.enabled_effects()
        == Config.from_dict({"capture": {"enabled": True}}).capture.enabled_effects()
    )
    # The command line's image for these settings and seed, byte for byte.
    generator = DigitSequence(config)
    expected = generator.generate(result.request.digits, seed=result.request.seed)
    np.testing.assert_array_equal(result.sequence.image, expected.image)
    blue = result.sequence.image[..., 2] - result.sequence.image[..., 0]
    assert blue.max() > 0.3  # blue ink on screen


def test_a_config_file_s_own_values_are_shown_and_kept(window):
    config = Config.from_dict(
        {
            "image": {"color": "rgb"},
            "ink": {"color": ["#123456", "pencil"], "darkness": 0.7, "pressure": 0.3},
            "paper": {"background": "cheque", "lines": "ruled"},
            "capture": {"enabled": True, "effects": {"motion": {"enabled": True, "strength": 4}}},
        }
    )
    window.controls.set_config(config)
    group = window.controls.paper_group
    assert group.ink.currentText() == "#123456, pencil"
    rows = window.controls.capture_group.rows
    assert rows["motion"].check.isChecked() and rows["motion"].spin.value() == 4
    assert window.controls.config().to_dict() == config.to_dict()
