"""Golden bytes: a fixed seed gives exactly the pinned images, boxes and source rows.

Any unintended change of output (a refactor, a faster path, a new numpy) fails here. Without
augmentation the bytes are the same on every supported stack. With augmentation, OpenCV's warps
(rotation, shear, scale, elastic) round differently between OpenCV versions, so those hashes are
pinned per OpenCV version (``python tests/golden/pin.py`` pins a new one); so are the finishing
cases that go through OpenCV (JPEG, perspective, blurs, noise, printed marks, a folder
background, the realistic combination and presets). On a version not pinned yet, the output is
compared with the nearest pinned version's reference pixels within the tolerance stated in
references.py, not skipped.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pytest
from golden_cases import (
    SEED,
    case_hashes,
    case_outputs,
    configurations,
    digest,
    finished_configurations,
    finished_opencv_configurations,
    finished_outputs,
    hashes_of,
    is_augmented,
    opencv_key,
)
from references import (
    AUGMENTED_TOLERANCE,
    MARK_REACH,
    MAX_DIFFERING_FRACTION,
    MAX_LEVELS,
    Tolerance,
    departures,
    finishing_tolerance,
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


def test_pinned_file_matches_the_cases():
    assert HASHES["seed"] == SEED
    pinned = set(HASHES["plain"]) | set(next(iter(HASHES["augmented"].values())))
    assert pinned == set(CASES)


@pytest.mark.parametrize("name", [n for n in CASES if not is_augmented(n)])
def test_plain_output_is_pinned_on_every_stack(name):
    assert case_hashes(name, CASES[name]) == HASHES["plain"][name]


def check_pinned_or_within_tolerance(section: str, name: str, actual: dict, tolerance: Tolerance) -> None:
    """Exact hashes where this OpenCV version is pinned in HASHES[section]; else within
    ``tolerance`` of the nearest pinned version's reference pixels."""
    key = opencv_key()
    pinned = HASHES[section].get(key)
    if pinned is not None:
        assert hashes_of(actual) == pinned[name]
        return
    nearest = nearest_pinned(key, list(HASHES[section]))
    found = departures(actual, reference(nearest)[name], tolerance)
    assert found == [], (
        f"{key} is not pinned; compared with {nearest} ({TOLERANCE}): {'; '.join(found)}. "
        "If the change is understood, pin it: python tests/golden/pin.py"
    )


def check_within_tolerance_of_a_neighbour(
    section: str, name: str, actual: dict, tolerance: Tolerance
) -> None:
    """The check an unpinned version gets, run on every stack against its nearest pinned
    neighbour of the same major version (5.1 against 5.0), so the tolerance is known to hold
    between real releases and the comparison itself is exercised."""
    key = opencv_key()
    same_major = [k for k in HASHES[section] if k != key and version_of(k)[0] == version_of(key)[0]]
    if not same_major:
        pytest.skip(f"no other OpenCV {version_of(key)[0]}.x version pinned")
    nearest = nearest_pinned(key, same_major)
    assert departures(actual, reference(nearest)[name], tolerance) == []


@pytest.mark.parametrize("name", AUGMENTED)
def test_augmented_output_is_pinned_per_opencv_version(name):
    check_pinned_or_within_tolerance("augmented", name, outputs(name), AUGMENTED_TOLERANCE)


@pytest.mark.parametrize("name", AUGMENTED)
def test_augmented_output_is_within_tolerance_of_the_nearest_other_pinned_release(name):
    check_within_tolerance_of_a_neighbour("augmented", name, outputs(name), AUGMENTED_TOLERANCE)


@pytest.mark.parametrize("key", sorted(HASHES["augmented"]))
def test_every_pinned_version_has_reference_pixels_that_match_its_hashes(key):
    stored = reference(key)
    assert set(stored) == set(AUGMENTED) | set(FINISHED_OPENCV), (
        f"{reference_path(key)}: write it with tests/golden/pin.py"
    )
    hashes = {**HASHES["augmented"][key], **HASHES["finished_opencv"][key]}
    for name, arrays in stored.items():
        assert {output: digest(array) for output, array in arrays.items()} == hashes[name]


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


@pytest.mark.parametrize(
    "document, says",
    [
        ({"paper": {"background": "grain", "lines": "ruled"}, "capture": {"enabled": True}}, None),
        ({"capture": {"enabled": True, "effects": {"perspective": {"enabled": True}}}}, "perspective"),
        ({"paper": {"printed": True}, "image": {"width": 280}}, "printed marks"),
    ],
    ids=["opencv-independent-finishing", "perspective", "printed"],
)
def test_export_manifest_says_when_finishing_depends_on_opencv(tmp_path, document, says):
    from digitseq_gui import export
    from digitseq_gui.engine import sequences
    from digitseq_gui.engine.config import Config

    request = export.ExportRequest(
        tmp_path / "out",
        count=3,
        sequences=sequences.random_lengths(2, 3),
        format="jsonl",
        seed=1,
        config=Config.from_dict(document),
    )
    export.run_export(request)
    stack = json.loads((tmp_path / "out" / "manifest.json").read_text())["stack"]
    if says is None:  # JPEG, blur, noise: measured the same on OpenCV 4.11, 5.0 and 5.1
        assert "note" not in stack
    else:
        assert says in stack["note"] and "OpenCV version" in stack["note"]


FINISHED = finished_configurations()
FINISHED_OPENCV = finished_opencv_configurations()


@functools.cache
def finishing(name: str) -> dict:
    return finished_outputs(name, FINISHED_OPENCV[name])


@pytest.mark.parametrize("name", list(FINISHED))
def test_finishing_output_is_pinned_on_every_stack(name):
    """Ink, paper and the numpy capture effects (issue 18): plain arithmetic, the same everywhere."""
    assert hashes_of(finished_outputs(name, FINISHED[name])) == HASHES["finished"][name]


def test_finishing_cases_are_all_pinned():
    assert set(HASHES["finished"]) == set(FINISHED)


@pytest.mark.parametrize("name", list(FINISHED_OPENCV))
def test_finishing_through_opencv_is_pinned_per_opencv_version(name):
    """JPEG, perspective, defocus, motion, noise, printed marks, a folder background, the realistic
    default and presets: the exact hashes of this version, or within the tolerance of the nearest
    (printed marks' columns left out, references.py)."""
    actual = finishing(name)
    check_pinned_or_within_tolerance("finished_opencv", name, actual, finishing_tolerance(actual))


@pytest.mark.parametrize("name", list(FINISHED_OPENCV))
def test_finishing_through_opencv_is_within_tolerance_of_the_nearest_other_pinned_release(name):
    actual = finishing(name)
    check_within_tolerance_of_a_neighbour("finished_opencv", name, actual, finishing_tolerance(actual))


def test_finishing_cases_through_opencv_are_all_pinned_for_every_pinned_version():
    assert set(HASHES["finished_opencv"]) == set(HASHES["augmented"])
    for key, cases in HASHES["finished_opencv"].items():
        assert set(cases) == set(FINISHED_OPENCV), f"{key}: pin the missing cases with tests/golden/pin.py"


def test_the_finishing_tolerance_leaves_out_only_a_printed_marks_columns():
    """A mark may move beside the digits; a change among the digits, in an image without a mark,
    to the printed text or to a box is a departure."""
    base = reference("opencv 5.0")["preset-amount-cheque"]
    tolerance = finishing_tolerance(base)
    marked = int(next(i for i, mark in enumerate(base["printed"]) if mark))
    boxes = np.split(base["boxes"], np.cumsum(base["box_counts"])[:-1])[marked]
    moved_mark = {**base, "images": base["images"].copy()}
    moved_mark["images"][marked, :, : boxes[:, 0].min()] = 0
    assert departures(moved_mark, base, tolerance) == []
    among_digits = {**base, "images": base["images"].astype(int)}
    among_digits["images"][marked, 5, boxes[:, 0].min() + MARK_REACH] += 2
    assert departures(among_digits, base, tolerance) != []
    unmarked = next(i for i, mark in enumerate(base["printed"]) if not mark)
    no_mark = {**base, "images": base["images"].astype(int)}
    no_mark["images"][unmarked, 5, 0] += 2
    assert departures(no_mark, base, tolerance) != []
    other_text = {**base, "printed": np.where(base["printed"] == "", "", "$")}
    assert departures(other_text, base, tolerance) == ["printed differ (they must be equal)"]
    warp = reference("opencv 5.0")["finish-capture-perspective"]
    moved_box = {**warp, "boxes": warp["boxes"] + 1}
    assert departures(moved_box, warp, finishing_tolerance(warp)) == ["boxes differ (they must be equal)"]


def test_the_background_folder_holds_what_its_script_makes():
    """The folder background case's pictures (committed PNGs) decode to make_backgrounds.py's pixels."""
    from make_backgrounds import FOLDER, pictures
    from PIL import Image

    made = pictures()
    assert sorted(p.name for p in FOLDER.iterdir()) == sorted(made)
    for name, array in made.items():
        with Image.open(FOLDER / name) as image:
            assert np.array_equal(np.asarray(image.convert("RGB")), array), name
