"""Seeds in the window: any seed the engine and the command line take (up to 2**63 - 1) can be
typed, shows the engine's image for it, is copied into commands, remembered, and handed to the
export dialog whole; what is not a seed cannot be typed."""

from __future__ import annotations

import numpy as np
from gui_helpers import PREVIEW_TIMEOUT_MS, engine_image
from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import QAbstractSpinBox, QApplication

from digitseq_gui.engine.seeding import MAX_SEED

BIG_SEED = 8_765_432_109_876_543_210  # above 2**62, far beyond a QSpinBox's 2**31 - 1


def type_seed(qtbot, box, text: str) -> None:
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), text)
    qtbot.keyClick(box.lineEdit(), Qt.Key_Return)


def test_a_typed_63_bit_seed_makes_the_engines_image_and_the_command(qtbot, window):
    box = window.controls.seed
    with qtbot.waitSignal(window.previewShown, timeout=PREVIEW_TIMEOUT_MS):
        type_seed(qtbot, box, str(BIG_SEED))
    result = window.shown_result
    assert box.value() == BIG_SEED == result.sequence.seed and box.text() == str(BIG_SEED)
    np.testing.assert_array_equal(result.sequence.image, engine_image(result))
    window.copy_command_action.trigger()
    assert f"--seed {BIG_SEED}" in QApplication.clipboard().text()

    window.export_action.trigger()
    dialog = window.export_dialog
    try:
        assert dialog.seed.value() == BIG_SEED
        dialog.copy_button.click()
        assert f"--seed {BIG_SEED}" in QApplication.clipboard().text()
    finally:
        dialog.close()
        assert dialog.shut_down()


def test_what_is_not_a_seed_cannot_be_typed(qtbot, window):
    box = window.controls.seed
    type_seed(qtbot, box, "12a-3")
    assert box.text() == "123" and box.value() == 123
    type_seed(qtbot, box, str(MAX_SEED + 1))  # its last digit would pass the largest seed
    assert box.text() == str(MAX_SEED + 1)[:-1] and box.value() == int(str(MAX_SEED + 1)[:-1])
    box.lineEdit().clear()
    qtbot.keyClick(box.lineEdit(), Qt.Key_Return)  # an emptied box keeps its seed
    assert box.text() == str(box.value()) and box.value() == int(str(MAX_SEED + 1)[:-1])


def test_a_pasted_seed_with_spaces_counts_and_arrows_step_from_what_is_typed(qtbot, window):
    box = window.controls.seed
    box.lineEdit().selectAll()
    box.lineEdit().insert(f" {BIG_SEED}\n".strip("\n") + " ")  # as copied from a terminal
    qtbot.keyClick(box.lineEdit(), Qt.Key_Return)
    assert box.value() == BIG_SEED and box.text() == str(BIG_SEED)
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "500")
    qtbot.keyClick(box, Qt.Key_Up)  # before Enter: the step starts from 500, as a QSpinBox's does
    assert box.value() == 501
    box.setReadOnly(True)
    qtbot.keyClick(box, Qt.Key_Up)
    assert box.value() == 501


def test_arrows_step_the_seed_within_its_range(qtbot, window):
    box = window.controls.seed
    box.setValue(MAX_SEED - 1)
    qtbot.keyClick(box, Qt.Key_Up)
    assert box.value() == MAX_SEED and not box.stepEnabled() & QAbstractSpinBox.StepUpEnabled
    qtbot.keyClick(box, Qt.Key_Up)
    assert box.value() == MAX_SEED
    box.setValue(1)
    qtbot.keyClick(box, Qt.Key_Down)
    qtbot.keyClick(box, Qt.Key_Down)
    assert box.value() == 0 and box.text() == "0" and not box.stepEnabled() & QAbstractSpinBox.StepDownEnabled


def test_a_big_seed_is_remembered_between_runs(qtbot, make_window):
    window = make_window()
    window.controls.seed_locked.setChecked(True)
    with qtbot.waitSignal(window.previewShown, timeout=PREVIEW_TIMEOUT_MS):
        window.controls.seed.setValue(BIG_SEED)
    window.close()
    again = make_window()
    assert again.controls.seed.value() == BIG_SEED
    assert again.shown_result.request.seed == BIG_SEED
