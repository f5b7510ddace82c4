"""Golden bytes: a fixed seed gives exactly the pinned images, boxes and source rows.

Any unintended change of output (a refactor, a faster path, a new numpy) fails here. Without
augmentation the bytes are the same on every supported stack. With augmentation, OpenCV's warps
(rotation, shear, scale, elastic) round differently between OpenCV versions, so those hashes are
pinned per OpenCV version (``python tests/golden/pin.py`` pins a new one). On a version not pinned
yet, the output is compared with the nearest pinned version's reference pixels within the
tolerance stated in references.py, not skipped.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from golden_cases import (
    SEED,
    case_hashes,
    case_outputs,
    configurations,
    digest,
    finished_configurations,
    finished_outputs,
    hashes_of,
    is_augmented,
)
from references import (
    MAX_DIFFERING_FRACTION,
    MAX_LEVELS,
    departures,
    load_reference,
    nearest_pinned,
    reference_path,
    version_of,
)

HASHES = json.loads((Path(__file__).parent / "hashes.json").read_text())
CASES = configurations()
AUGMENTED = [n for n in CASES if is_augmented(n)]
TOLERANCE = f"at most {MAX_DIFFERING_FRACTION:.1%} of the pixels differing, by at most {MAX_LEVELS} level"


@functools.cache
def outputs(name: str) -> dict:
    return case_outputs(name, CASES[name])


@functools.cache
def reference(key: str) -> dict:
    return load_reference(key)


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


@pytest.mark.parametrize("name", AUGMENTED)
def test_augmented_output_is_pinned_per_opencv_version(name):
    key = opencv_key()
    pinned = HASHES["augmented"].get(key)
    if pinned is not None:
        assert hashes_of(outputs(name)) == pinned[name]
        return
    nearest = nearest_pinned(key, list(HASHES["augmented"]))
    found = departures(outputs(name), reference(nearest)[name])
    assert found == [], (
        f"{key} is not pinned; compared with {nearest} ({TOLERANCE}): {'; '.join(found)}. "
        "If the change is understood, pin it: python tests/golden/pin.py"
    )


@pytest.mark.parametrize("name", AUGMENTED)
def test_augmented_output_is_within_tolerance_of_the_nearest_other_pinned_release(name):
    """The check an unpinned version gets, run on every stack against its nearest pinned
    neighbour of the same major version (5.1 against 5.0), so the tolerance is known to hold
    between real releases and the comparison itself is exercised."""
    key = opencv_key()
    same_major = [k for k in HASHES["augmented"] if k != key and version_of(k)[0] == version_of(key)[0]]
    if not same_major:
        pytest.skip(f"no other OpenCV {version_of(key)[0]}.x version pinned")
    nearest = nearest_pinned(key, same_major)
    assert departures(outputs(name), reference(nearest)[name]) == []


@pytest.mark.parametrize("key", sorted(HASHES["augmented"]))
def test_every_pinned_version_has_reference_pixels_that_match_its_hashes(key):
    stored = reference(key)
    assert set(stored) == set(AUGMENTED), f"{reference_path(key)}: write it with tests/golden/pin.py"
    for name, arrays in stored.items():
        assert {output: digest(array) for output, array in arrays.items()} == HASHES["augmented"][key][name]


def test_the_tolerance_refuses_a_changed_warp():
    """A pixel two levels off, or more than 0.1% of the pixels one level off, or a moved box, is
    a departure; one pixel one level off is not."""
    base = {k: v.copy() for k, v in reference("opencv 5.0")["only-rotate"].items()}
    one_off = {**base, "batch": base["batch"].copy()}
    one_off["batch"].flat[0] ^= 1
    assert departures(one_off, base) == []
    two_off = {**base, "batch": base["batch"].astype(int).copy()}
    two_off["batch"].flat[0] += 2
    assert departures(two_off, base) != []
    many = {**base, "single": base["single"].copy()}
    many["single"].flat[: int(MAX_DIFFERING_FRACTION * many["single"].size) + 1] += 1 / 255
    assert departures(many, base) != []
    moved = {**base, "boxes": base["boxes"] + 1}
    assert departures(moved, base) == ["boxes differ (they must be equal)"]


def test_nearest_pinned_prefers_the_same_major_version_then_the_nearest_minor():
    pinned = ["opencv 4.11", "opencv 5.0", "opencv 5.1"]
    assert nearest_pinned("opencv 5.2", pinned) == "opencv 5.1"
    assert nearest_pinned("opencv 4.12", pinned) == "opencv 4.11"
    assert nearest_pinned("opencv 6.0", pinned) == "opencv 5.1"
    assert nearest_pinned("opencv 3.4", pinned) == "opencv 4.11"
    assert nearest_pinned("opencv 5.1", ["opencv 5.0", "opencv 5.2"]) == "opencv 5.0"


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


FINISHED = finished_configurations()


@pytest.mark.parametrize("name", list(FINISHED))
def test_finishing_output_is_pinned_on_every_stack(name):
    """Ink, paper and the numpy capture effects (issue 18): plain arithmetic, the same everywhere."""
    assert hashes_of(finished_outputs(name, FINISHED[name])) == HASHES["finished"][name]


def test_finishing_cases_are_all_pinned():
    assert set(HASHES["finished"]) == set(FINISHED)
