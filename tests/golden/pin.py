"""Pin the running OpenCV version's golden output that depends on OpenCV: the augmented cases and
the finishing cases that go through OpenCV (golden_cases.finished_opencv_configurations). Their
hashes go into hashes.json (``augmented`` and ``finished_opencv``, each keyed "opencv X.Y") and
their pixels into reference/opencv-X.Y.npz (what the tolerance check of the next version compares
with). It also pins the finishing cases that are the same on every stack (``finished``).

    python tests/golden/pin.py

It adds; it never changes what is pinned. It refuses to run if this stack's plain output (which
must be the same on every stack) differs from hashes.json, or if a case this OpenCV version has
pinned now gives other hashes: both are changes of output, to be understood first and then
refreshed by hand, with a commit that says why. Cases new since the version was pinned are added
to it; run where nothing is missing, it rewrites only the reference file (for example to add the
reference of a version pinned before references existed).
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
    finished_opencv_configurations,
    finished_outputs,
    hashes_of,
    is_augmented,
    opencv_key,
)
from references import save_reference

HASHES_PATH = Path(__file__).parent / "hashes.json"


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
    finishing = {name: finished_outputs(name, doc) for name, doc in finished_opencv_configurations().items()}
    finished = {
        name: hashes_of(finished_outputs(name, doc)) for name, doc in finished_configurations().items()
    }
    sections = {
        f"augmented[{key!r}]": (pinned["augmented"].setdefault(key, {}), augmented),
        f"finished_opencv[{key!r}]": (
            pinned.setdefault("finished_opencv", {}).setdefault(key, {}),
            finishing,
        ),
    }
    additions = {}
    for where, (section, cases) in sections.items():
        additions[where] = add_missing(section, {name: hashes_of(o) for name, o in cases.items()}, where)
    additions["finished"] = add_missing(pinned.setdefault("finished", {}), finished, "finished")
    if any(added is None for added in additions.values()):
        return 1
    if any(additions.values()):
        HASHES_PATH.write_text(json.dumps(pinned, indent=1, sort_keys=True) + "\n")
    for where, added in additions.items():
        if added:
            print(f"pin: {where}: {len(added)} cases added to {HASHES_PATH.name}: {', '.join(added)}")
        else:
            print(f"pin: {where}: already pinned with these hashes")
    path = save_reference(key, {**augmented, **finishing})
    print(f"pin: reference pixels in {path.relative_to(HASHES_PATH.parent)} ({path.stat().st_size} bytes)")
    return 0


def add_missing(section: dict, hashes: dict[str, dict[str, str]], where: str) -> list[str] | None:
    """Add to ``section`` the cases of ``hashes`` it lacks and return their names; None (and a
    message) if a case it has now gives other hashes."""
    changed = sorted(n for n in hashes if n in section and section[n] != hashes[n])
    if changed:
        print(
            f"pin: {where} is pinned with other hashes ({', '.join(changed)}): not changed", file=sys.stderr
        )
        return None
    added = sorted(n for n in hashes if n not in section)
    section.update({n: hashes[n] for n in added})
    return added


if __name__ == "__main__":
    sys.exit(main())
