"""Golden bytes: a fixed seed gives exactly the pinned images, boxes and source rows.

Any unintended change of output (a refactor, a faster path, a new numpy) fails here. Without
augmentation the bytes are the same on every supported stack. With augmentation, OpenCV's warps
(rotation, shear, scale, elastic) differ in the last bit between OpenCV 4.x and 5.x, so those
hashes are pinned per OpenCV version; on a version not pinned yet they are skipped, not guessed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from golden_cases import SEED, case_hashes, configurations, is_augmented

HASHES = json.loads((Path(__file__).parent / "hashes.json").read_text())
CASES = configurations()


def opencv_key() -> str:
    from digitseq_gui.engine.imgaug_compat import cv2

    major, minor = cv2().__version__.split(".")[:2]
    return f"opencv {major}.{minor}"


def test_pinned_file_matches_the_cases():
    assert HASHES["seed"] == SEED
    pinned = set(HASHES["plain"]) | set(next(iter(HASHES["augmented"].values())))
    assert pinned == set(CASES)


@pytest.mark.parametrize("name", [n for n in CASES if not is_augmented(n)])
def test_plain_output_is_pinned_on_every_stack(name):
    assert case_hashes(name, CASES[name]) == HASHES["plain"][name]


@pytest.mark.parametrize("name", [n for n in CASES if is_augmented(n)])
def test_augmented_output_is_pinned_per_opencv_version(name):
    pinned = HASHES["augmented"].get(opencv_key())
    if pinned is None:
        pytest.skip(
            f"no augmented hashes pinned for {opencv_key()} (pinned: {', '.join(HASHES['augmented'])})"
        )
    assert case_hashes(name, CASES[name]) == pinned[name]


def test_export_manifest_records_the_stack(tmp_path):
    import cv2
    import numpy as np

    from digitseq_gui import export
    from digitseq_gui.engine import sequences

    request = export.ExportRequest(
        tmp_path / "out", count=3, sequences=sequences.random_lengths(2, 3), format="jsonl", seed=1
    )
    export.run_export(request)
    stack = json.loads((tmp_path / "out" / "manifest.json").read_text())["stack"]
    assert stack["numpy"] == np.__version__ and stack["opencv"] == cv2.__version__
    assert stack["imgaug"] == "0.4.0"
    assert "note" not in stack  # no augmentation: the pixels do not depend on OpenCV
