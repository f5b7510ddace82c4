"""The window's writer control (issue 17): "Same" draws every sample from one writer and writes
that writer's id under each grid sample; the saved settings and the copied command say so."""

from __future__ import annotations

import numpy as np
from gui_helpers import change_and_complete, change_and_fail

from digitseq_gui.engine.data.writers import embedded_writers
from digitseq_gui.gui.command_line import command_line
from digitseq_gui.gui.controls import select_data
from digitseq_gui.gui.image_saving import image_info


def test_writer_same_gives_each_sample_one_writer_shown_under_it(qtbot, window):
    controls = window.controls
    assert controls.writer.currentData() == "any" and controls.config().sampling.writer == "any"
    change_and_complete(
        qtbot,
        window,
        lambda: (
            window.grid_check.setChecked(True),
            window.grid_rows.setValue(2),
            window.grid_columns.setValue(2),
            controls.digits.setText("12/05/2024"),
        ),
    )
    cells = window.preview.canvas.cells
    assert all(cell.writer == -1 and cell.caption == "12/05/2024" for cell in cells)  # any: no one writer

    result = change_and_complete(qtbot, window, lambda: select_data(controls.writer, "same"))
    assert result.request.config.sampling.writer == "same"
    cells = window.preview.canvas.cells
    writers = [cell.writer for cell in cells]
    assert all(w >= 0 for w in writers) and len(set(writers)) > 1
    assert all(cell.caption == f"12/05/2024   writer {cell.writer}" for cell in cells)
    # Sample 0 is the engine's generate for the seed: all its digits by the writer shown.
    sequence = window.shown_result.sequence
    assert set(embedded_writers("train")[sequence.source_indices].tolist()) == {writers[0]}
    np.testing.assert_array_equal(sequence.writers, np.full(8, writers[0]))
    assert "--writer same" in command_line(controls.config(), "12/05/2024", result.request.seed)
    chunks = image_info(window.shown_result)  # what File > Save writes into the PNG
    assert chunks["writer"] == str(writers[0]) and chunks["writers"] == ",".join([str(writers[0])] * 8)


def test_writer_same_on_files_without_writers_shows_how_to_supply_them(qtbot, window, tmp_path):
    from mnist_files import small_sample, write_idx_pair

    from digitseq_gui import load_dataset

    images, labels, _ = small_sample(load_dataset("mnist", "test"), per_digit=5)
    write_idx_pair(tmp_path, images, labels)
    controls = window.controls
    change_and_complete(qtbot, window, lambda: controls.set_custom_source(str(tmp_path)))
    field, message = change_and_fail(qtbot, window, lambda: select_data(controls.writer, "same"))
    assert field == "writer" and "writers.txt" in message
    assert "writers.txt" in controls.error_text("writer", message)
