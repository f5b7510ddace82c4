"""Write the golden test's folder of background images, ``backgrounds/`` (paper.background set
to a folder): three small RGB pictures made with integer numpy arithmetic from a fixed seed.

    python tests/golden/make_backgrounds.py

They were written once and are committed; the golden test checks that the files still decode to
exactly what this script makes (PNG is lossless), so the pinned hashes stand for these pixels.
The shapes differ (one wider than the images, a square, a tall one) so that the random region is sometimes
scaled down and sometimes up by OpenCV's resize, which is why these cases are pinned per version.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

FOLDER = Path(__file__).parent / "backgrounds"
SEED = 20261207
SIZES = {"a-wood.png": (40, 240), "b-paper.png": (40, 40), "c-stripes.png": (72, 36)}  # name -> (h, w)


def pictures() -> dict[str, np.ndarray]:
    """name -> (h, w, 3) uint8: a warm gradient with knots, a speckled pale sheet, coloured stripes."""
    rng = np.random.Generator(np.random.Philox(SEED))
    made = {}
    for name, (h, w) in SIZES.items():
        ys, xs = np.mgrid[0:h, 0:w].astype(np.int64)
        speckle = rng.integers(-12, 13, size=(h, w, 3))
        if name.startswith("a"):
            base = np.stack([180 + xs % 37, 140 + (xs + 2 * ys) % 29, 100 + ys % 23], axis=-1)
        elif name.startswith("b"):
            base = np.full((h, w, 3), 236) - (rng.random((h, w, 1)) < 0.05) * 60
        else:
            band = (xs + ys) // 6 % 3
            base = np.stack([200 + 30 * (band == 0), 200 + 30 * (band == 1), 200 + 30 * (band == 2)], axis=-1)
        made[name] = np.clip(base + speckle, 0, 255).astype(np.uint8)
    return made


def main() -> None:
    from PIL import Image

    FOLDER.mkdir(exist_ok=True)
    for name, array in pictures().items():
        Image.fromarray(array, "RGB").save(FOLDER / name)
        print(
            f"{FOLDER.name}/{name}: {array.shape[1]}x{array.shape[0]}, {(FOLDER / name).stat().st_size} bytes"
        )


if __name__ == "__main__":
    main()
