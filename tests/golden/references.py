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
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

REFERENCE_FOLDER = Path(__file__).parent / "reference"
MAX_LEVELS = 1  # a pixel may differ by at most this many grey levels (of 255)
MAX_DIFFERING_FRACTION = 0.001  # and at most this fraction of an image's pixels may differ
IMAGES = ("batch", "single")  # compared within the tolerance; boxes and sources must be equal
EXACT = ("boxes", "sources")


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


def departures(actual: dict[str, np.ndarray], reference: dict[str, np.ndarray]) -> list[str]:
    """How ``actual`` departs from ``reference`` beyond the tolerance (empty: within it)."""
    found = []
    for name in EXACT:
        if not np.array_equal(actual[name], reference[name]):
            found.append(f"{name} differ (they must be equal)")
    for name in IMAGES:
        a, r = actual[name], reference[name]
        if a.shape != r.shape:
            found.append(f"{name}: shape {a.shape}, reference {r.shape}")
            continue
        scale = 255.0 if a.dtype.kind == "f" else 1.0  # float images are 0..1
        levels = np.abs(a.astype(np.float64) - r.astype(np.float64)) * scale
        differing = int(np.count_nonzero(levels > 1e-3))
        allowed = int(MAX_DIFFERING_FRACTION * levels.size)
        if levels.max(initial=0) > MAX_LEVELS + 1e-3 or differing > allowed:
            found.append(
                f"{name}: {differing} of {levels.size} pixels differ, by up to {levels.max():.3g} levels "
                f"(allowed: {allowed}, by at most {MAX_LEVELS})"
            )
    return found
