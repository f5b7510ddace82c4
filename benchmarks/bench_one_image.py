"""What the separate one-image route of the engine saves: ``generate(d)`` against image 0 of
``generate_batch([d])``, which gives the same bytes (tests hold them equal), per call, in ms.

    python benchmarks/bench_one_image.py [--calls 1000]

Median of 5 rounds per configuration (transform off/on x fixed/variable spacing), 4 random
digits at width 200 (128 for fixed spacing) on the 60k MNIST training set. A one-image caller is ``digitseq generate``,
``generate_numbers_sequence`` and the window's sample 0 (a data set goes through
``generate_batch`` by blocks of 64, where the one-image route plays no part).
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    calls = parser.parse_args().calls
    from digitseq_gui import Config, DigitSequence, load_dataset

    dataset = load_dataset("mnist", "train")
    digits = ["".join(map(str, r)) for r in np.random.default_rng(0).integers(0, 10, (calls, 4))]
    print(f"{'transform':9} {'spacing':8} {'generate':>9} {'batch of 1':>11} {'ratio':>6}  (ms per image)")
    for transform, kind in itertools.product((False, True), ("fixed", "variable")):
        config = Config()
        config.image.transform, config.spacing.type = transform, kind
        config.image.width = 200 if kind == "variable" else 128  # fixed spacing fills 118-136 px
        generator = DigitSequence(config, dataset=dataset, seed=0)
        count = calls if not transform else max(1, calls // 5)
        one, batch = [], []
        for _ in range(5):
            t = time.perf_counter()
            for i, d in enumerate(digits[:count]):
                generator.generate(d, seed=i)
            one.append((time.perf_counter() - t) / count * 1e3)
            t = time.perf_counter()
            for i, d in enumerate(digits[:count]):
                generator.generate_batch([d], seed=i)
            batch.append((time.perf_counter() - t) / count * 1e3)
        a, b = statistics.median(one), statistics.median(batch)
        print(f"{str(transform):9} {kind:8} {a:9.3f} {b:11.3f} {b / a:6.1f}x")


if __name__ == "__main__":
    main()
