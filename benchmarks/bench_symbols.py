"""What drawn symbols cost: images per second of a preset's texts, gap style against drawn style.

    python benchmarks/bench_symbols.py [--count 4096] [--preset date]

Both styles draw the same texts through engine.compose (the export's route); drawn makes one cell
more per symbol and draws it (engine/symbols.py).
"""

from __future__ import annotations

import argparse
import time

from digitseq_gui import DigitSequence
from digitseq_gui.engine.compose import compose
from digitseq_gui.engine.config import Config
from digitseq_gui.engine.presets import preset_texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=4096)
    parser.add_argument("--preset", default="date")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    texts = preset_texts(args.preset, args.count, 1)
    for style in ("gap", "drawn"):
        for transform in (False, True):
            config = Config.from_dict({"separators": {"style": style}, "image": {"transform": transform}})
            generator = DigitSequence(config)
            compose(generator, texts[:64], 1, 10, uniform_separators=False)  # warm up: caches, imgaug
            best = float("inf")
            for _ in range(args.repeat):
                started = time.perf_counter()
                compose(generator, texts, 1, 10, uniform_separators=False)
                best = min(best, time.perf_counter() - started)
            print(
                f"{args.preset} {style:5s} transform {'on ' if transform else 'off'}: "
                f"{args.count / best:8.0f} images/s ({1e6 * best / args.count:.0f} us per image)"
            )


if __name__ == "__main__":
    main()
