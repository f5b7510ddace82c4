"""Pin the running OpenCV version's augmented golden output: its hashes into hashes.json and its
pixels into reference/opencv-X.Y.npz (what the tolerance check of the next version compares with).

    python tests/golden/pin.py

It adds; it never changes what is pinned. It refuses to run if this stack's plain output (which
must be the same on every stack) differs from hashes.json, or if this OpenCV version is pinned with
other hashes: both are changes of output, to be understood first and then refreshed by hand, with
a commit that says why. Run on a version already pinned with the same hashes, it rewrites only the
reference file (for example to add the reference of a version pinned before references existed).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from golden_cases import (
    SEED,
    case_outputs,
    configurations,
    finished_configurations,
    finished_outputs,
    hashes_of,
    is_augmented,
)
from references import save_reference

HASHES_PATH = Path(__file__).parent / "hashes.json"


def opencv_key() -> str:
    from digitseq_gui.engine.imgaug_compat import cv2

    major, minor = cv2().__version__.split(".")[:2]
    return f"opencv {major}.{minor}"


def main() -> int:
    pinned = json.loads(HASHES_PATH.read_text())
    if pinned["seed"] != SEED:
        print(f"pin: hashes.json is for seed {pinned['seed']}, the cases use {SEED}", file=sys.stderr)
        return 1
    key = opencv_key()
    outputs = {name: case_outputs(name, document) for name, document in configurations().items()}
    changed = sorted(
        n for n, o in outputs.items() if not is_augmented(n) and hashes_of(o) != pinned["plain"][n]
    )
    if changed:
        print(
            f"pin: plain output differs from hashes.json ({', '.join(changed)}): not pinned", file=sys.stderr
        )
        return 1
    augmented = {name: o for name, o in outputs.items() if is_augmented(name)}
    hashes = {name: hashes_of(o) for name, o in augmented.items()}
    existing = pinned["augmented"].get(key)
    if existing is not None and existing != hashes:
        differ = sorted(n for n in hashes if existing.get(n) != hashes[n])
        print(f"pin: {key} is pinned with other hashes ({', '.join(differ)}): not changed", file=sys.stderr)
        return 1
    if existing is None:
        pinned["augmented"][key] = hashes
        HASHES_PATH.write_text(json.dumps(pinned, indent=1, sort_keys=True) + "\n")
        print(f"pin: {key}: {len(hashes)} augmented cases added to {HASHES_PATH.name}")
    else:
        print(f"pin: {key} already pinned with these hashes")
    added = pin_finished(pinned)
    if added is None:
        return 1
    if added:
        HASHES_PATH.write_text(json.dumps(pinned, indent=1, sort_keys=True) + "\n")
        print(f"pin: {len(added)} finishing cases added to {HASHES_PATH.name}: {', '.join(added)}")
    path = save_reference(key, augmented)
    print(f"pin: reference pixels in {path.relative_to(HASHES_PATH.parent)} ({path.stat().st_size} bytes)")
    return 0


def pin_finished(pinned: dict) -> list[str] | None:
    """Add the finishing stage's cases (the same on every stack) not pinned yet; None (and a
    message) if a pinned one now gives other bytes."""
    finished = pinned.setdefault("finished", {})
    hashes = {name: hashes_of(finished_outputs(name, doc)) for name, doc in finished_configurations().items()}
    changed = sorted(n for n in hashes if n in finished and finished[n] != hashes[n])
    if changed:
        print(
            f"pin: finishing output differs from hashes.json ({', '.join(changed)}): not pinned",
            file=sys.stderr,
        )
        return None
    added = sorted(n for n in hashes if n not in finished)
    finished.update({n: hashes[n] for n in added})
    return added


if __name__ == "__main__":
    sys.exit(main())
