"""Augmented output on an OpenCV version with no pinned hashes: compared, within a stated
tolerance, with the pixels of the nearest pinned version.

Hashes say only "same" or "different", so each pinned version also keeps its reference outputs,
``reference/opencv-X.Y.npz`` (written by ``pin.py``, about 0.15 MB each, read with
allow_pickle=False). The test checks those files against ``hashes.json``, so a reference cannot
drift from the hashes it stands for.

The tolerance, and why: OpenCV's warps (rotation, shear, scale, elastic) round differently between
releases. Measured on these cases, 5.0 against 5.1: one pixel of 22,400 in one batch differs, by
one level (1/255); 4.11 against 5.0: about 10% of the pixels, by up to 5 levels, and two boxes by
a pixel. The tolerance accepts the first kind of change (a new minor release rounding a few pixels
the other way) and refuses the second (a new warp), which is then pinned on purpose with pin.py.

The finishing cases that go through OpenCV (golden_cases.finished_opencv_configurations) get the
same pixel tolerance, FINISHING, with one stated exception. Measured on these cases (4 images of
28 x 200 RGB each): JPEG (rgb and grey), defocus, motion blur, sensor noise, a folder background's
resize, the default realistic combination and the zip-boxes and date-form presets give the same
bytes on 4.11, 5.0 and 5.1. The perspective warp: 5.0 against 5.1, 3 values of 67,200 by one level;
4.11 against 5.0, 12% by up to 5 levels (meter-photo, which has a slant: 29% by up to 22 levels
after its blur and JPEG). So the warp tolerance holds as it is. The printed marks do not fit any
pixel tolerance: OpenCV's Hershey text metrics change in every release measured (getTextSize of
"$" is 10, 8 and 9 px wide on 4.11, 5.0, 5.1, and 4.11 rasterises it a row taller), so the mark moves
by a pixel or changes shape: 5.0 against 5.1, 0.4% of the values of finish-paper-printed by up to
224 levels, 8% of one amount-cheque image by up to 128 (the JPEG spreads it). A tolerance that
accepts that accepts anything. Instead, in an image with a mark, the columns beside its digits
(outside their boxes, and MARK_REACH px into them, where blur and 16-px JPEG blocks carry the
change) are not compared; the rest of it, the images without a mark, the boxes and the printed
text itself keep the tolerance. A mark that is not drawn, or drawn over the digits, still fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

REFERENCE_FOLDER = Path(__file__).parent / "reference"
MAX_LEVELS = 1  # a pixel may differ by at most this many grey levels (of 255)
MAX_DIFFERING_FRACTION = 0.001  # and at most this fraction of an image's pixels may differ
MARK_REACH = 16  # px into the digits' span that a printed mark's change may reach (a JPEG block)


@dataclass(frozen=True)
class Tolerance:
    """Which outputs are images (compared within MAX_LEVELS / MAX_DIFFERING_FRACTION) and which
    must be equal; ``marks``: the outputs carry printed marks, whose columns are left out."""

    images: tuple[str, ...]
    exact: tuple[str, ...]
    marks: bool = False


AUGMENTED_TOLERANCE = Tolerance(images=("batch", "single"), exact=("boxes", "sources"))
FINISHING = Tolerance(images=("images",), exact=("boxes",))
FINISHING_WITH_MARKS = Tolerance(images=("images",), exact=("boxes", "printed", "box_counts"), marks=True)


def finishing_tolerance(outputs: dict[str, np.ndarray]) -> Tolerance:
    return FINISHING_WITH_MARKS if "printed" in outputs else FINISHING


def version_of(key: str) -> tuple[int, int]:
    """(5, 1) for "opencv 5.1"."""
    major, minor = key.split()[1].split(".")
    return int(major), int(minor)


def nearest_pinned(key: str, pinned: list[str]) -> str | None:
    """The pinned version nearest ``key``: of the same major version, the nearest minor (the older
    on a tie); otherwise the nearest major's release closest to ``key`` (for 6.0, the newest 5.x);
    None if nothing is pinned."""
    major, minor = version_of(key)

    def distance(candidate: str) -> tuple:
        other_major, other_minor = version_of(candidate)
        if other_major == major:
            return (0, abs(other_minor - minor), other_minor)
        closeness = -other_minor if other_major < major else other_minor
        return (abs(other_major - major), closeness, other_major)

    return min(pinned, key=distance, default=None)


def reference_path(key: str) -> Path:
    return REFERENCE_FOLDER / f"{key.replace(' ', '-')}.npz"


def save_reference(key: str, outputs: dict[str, dict[str, np.ndarray]]) -> Path:
    path = reference_path(key)
    path.parent.mkdir(exist_ok=True)
    arrays = {f"{case}.{name}": array for case, arrays in outputs.items() for name, array in arrays.items()}
    np.savez_compressed(path, **arrays)
    return path


def load_reference(key: str) -> dict[str, dict[str, np.ndarray]]:
    """case -> output name -> array, as pin.py saved them."""
    outputs: dict[str, dict[str, np.ndarray]] = {}
    with np.load(reference_path(key), allow_pickle=False) as archive:
        for member in archive.files:
            case, name = member.rsplit(".", 1)
            outputs.setdefault(case, {})[name] = archive[member]
    return outputs


def departures(
    actual: dict[str, np.ndarray],
    reference: dict[str, np.ndarray],
    tolerance: Tolerance = AUGMENTED_TOLERANCE,
) -> list[str]:
    """How ``actual`` departs from ``reference`` beyond the tolerance (empty: within it)."""
    found = []
    for name in tolerance.exact:
        if not np.array_equal(actual[name], reference[name]):
            found.append(f"{name} differ (they must be equal)")
    if found and tolerance.marks:
        return found  # the marks' columns come from the boxes and the printed text
    for name in tolerance.images:
        a, r = actual[name], reference[name]
        if a.shape != r.shape:
            found.append(f"{name}: shape {a.shape}, reference {r.shape}")
            continue
        scale = 255.0 if a.dtype.kind == "f" else 1.0  # float images are 0..1
        levels = np.abs(a.astype(np.float64) - r.astype(np.float64)) * scale
        if tolerance.marks:
            levels[~compared_pixels(reference, a.shape)] = 0
        differing = int(np.count_nonzero(levels > 1e-3))
        allowed = int(MAX_DIFFERING_FRACTION * levels.size)
        if levels.max(initial=0) > MAX_LEVELS + 1e-3 or differing > allowed:
            found.append(
                f"{name}: {differing} of {levels.size} pixels differ, by up to {levels.max():.3g} levels "
                f"(allowed: {allowed}, by at most {MAX_LEVELS})"
            )
    return found


def compared_pixels(outputs: dict[str, np.ndarray], shape: tuple[int, ...]) -> np.ndarray:
    """True where a printed mark cannot have reached: in an image with a mark, only its digits'
    span shrunk by MARK_REACH on each side; the whole of an image without one."""
    keep = np.ones(shape, dtype=bool)
    per_image = np.split(outputs["boxes"], np.cumsum(outputs["box_counts"])[:-1])
    for i, (boxes, mark) in enumerate(zip(per_image, outputs["printed"], strict=True)):
        if not mark:
            continue
        keep[i] = False
        if len(boxes):
            keep[i, :, boxes[:, 0].min() + MARK_REACH : boxes[:, 2].max() - MARK_REACH] = True
    return keep
