"""Helpers shared by the GUI tests (imported as ``gui_helpers``)."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np

from digitseq_gui.gui.preview import from_qimage

PREVIEW_TIMEOUT_MS = 20_000  # generous: the first transform loads imgaug (about 1 s)


def shown_pixels(window) -> np.ndarray:
    """The pixels the preview widget holds (read back from its QImage), as uint8."""
    return from_qimage(window.preview.canvas.qimage())


def to_bytes(image: np.ndarray) -> np.ndarray:
    return np.rint(image * 255).astype(np.uint8)


def change_and_wait(qtbot, window, action):
    """Run ``action`` and return the PreviewResult that then appears."""
    with qtbot.waitSignal(window.previewShown, timeout=PREVIEW_TIMEOUT_MS) as blocker:
        action()
    return blocker.args[0]


def change_and_complete(qtbot, window, action):
    """Run ``action`` and return the last delivery of the request it makes (every sample shown)."""
    with qtbot.waitSignal(window.previewCompleted, timeout=PREVIEW_TIMEOUT_MS) as blocker:
        action()
    return blocker.args[0]


def shown_grid(window) -> np.ndarray:
    """Every sample on screen, stacked (rows x columns, 28, W) uint8."""
    return np.stack([from_qimage(cell.image) for cell in window.preview.canvas.cells])


def change_and_fail(qtbot, window, action) -> tuple[str, str]:
    with qtbot.waitSignal(window.previewFailed, timeout=PREVIEW_TIMEOUT_MS) as blocker:
        action()
    return tuple(blocker.args)


def engine_image(result) -> np.ndarray:
    """A fresh generation with the result's settings and seed, straight from the engine (and, for
    separators, the export's gap insertion: the digits at the width minus the gaps)."""
    from digitseq_gui import DigitSequence, load_dataset
    from digitseq_gui.engine.render import ink_to_float, insert_separator_gaps
    from digitseq_gui.engine.sequences import split_text

    request = result.request
    dataset = load_dataset(request.config.dataset.source, request.config.dataset.split)
    generator = DigitSequence(request.config, dataset=dataset)
    label, runs = split_text(request.digits)
    after = [i - 1 for i, run in enumerate(runs) if run]  # run i follows digit i - 1
    if not after:
        return generator.generate(
            label, request.config.spacing_range, request.config.image.width, seed=request.seed
        ).image
    gaps = len(after) * request.separator_width
    batch = generator.generate_batch(
        [label], image_width=request.config.image.width - gaps, seed=request.seed, as_uint8=True
    )
    image, _ = insert_separator_gaps(batch.images[0], batch.boxes[0], after, request.separator_width)
    return ink_to_float(255 - image)  # the engine's float grid, as for every float image


def run_in_shell(text: str, folder: Path) -> None:
    """Run copied command text in ``sh`` in ``folder``, with ``digitseq`` being this checkout's CLI."""
    shim = folder / "bin" / "digitseq"
    shim.parent.mkdir(exist_ok=True)
    shim.write_text(
        f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -c "import sys; from digitseq_gui.cli import main; '
        f'sys.exit(main(sys.argv[1:]))" "$@"\n'
    )
    shim.chmod(0o755)
    env = dict(os.environ, PATH=f"{shim.parent}{os.pathsep}{os.environ['PATH']}")
    subprocess.run(["sh", "-c", text], cwd=folder, env=env, check=True, timeout=300)
