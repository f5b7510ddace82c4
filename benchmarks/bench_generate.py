"""Start-up and per-image timings of the engine, as medians, on the 60k MNIST training set.

    python benchmarks/bench_generate.py [--images 2000] [--starts 5]

Cold start: a fresh process with an empty cache folder (the label index and the decompressed
image cache are built). Warm start: a fresh process with those caches present. Both time
``import digitseq_gui`` plus ``DigitSequence()``, inside the child process. Per-image: single
``generate_numbers_sequence`` calls for the seed's eight configurations (transform off/on x
fixed/variable x between/edge), 4 random digits at width 200; and, for comparison, the
per-image cost of one ``generate_batch`` call.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

STARTUP = (
    "import time; t = time.perf_counter(); import digitseq_gui; "
    "digitseq_gui.DigitSequence(); print(time.perf_counter() - t)"
)


def start_time(cache_dir: str) -> float:
    env = dict(os.environ, DIGITSEQ_CACHE_DIR=cache_dir)
    out = subprocess.run([sys.executable, "-c", STARTUP], env=env, check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def startups(runs: int) -> tuple[float, float]:
    cold, warm = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as cache:
            cold.append(start_time(cache))
            warm.extend(start_time(cache) for _ in range(2))
    return statistics.median(cold), statistics.median(warm)


def per_image(images: int) -> None:
    from digitseq_gui import Config, DigitSequence, load_dataset

    dataset = load_dataset("mnist", "train")
    rng = np.random.default_rng(0)
    sequences = [rng.integers(0, 10, 4).tolist() for _ in range(images)]
    print(f"\nper image, 4 digits, width 200, median of 5 rounds of {images} (ms):")
    print(f"  {'transform':9} {'type':8} {'subtype':8} {'single call':>11} {'batch':>8}  spacing")
    for transform, kind, subtype in itertools.product(
        (False, True), ("variable", "fixed"), ("between", "edge")
    ):
        config = Config()
        config.image.transform, config.spacing.type, config.spacing.subtype = transform, kind, subtype
        spacing = (2, 8) if kind == "variable" else (2, 40)  # fixed must be able to fill 200 px
        generator = DigitSequence(config, dataset=dataset, seed=0)
        generator.generate_numbers_sequence(sequences[0], spacing, 200)  # warm: imgaug import, caches
        count = images if not transform else max(1, images // 5)
        singles, batches = [], []
        for _ in range(5):
            t = time.perf_counter()
            for digits in sequences[:count]:
                generator.generate_numbers_sequence(digits, spacing, 200)
            singles.append((time.perf_counter() - t) / count * 1e3)
            t = time.perf_counter()
            generator.generate_batch(sequences, spacing, 200)
            batches.append((time.perf_counter() - t) / len(sequences) * 1e3)
        print(
            f"  {str(transform):9} {kind:8} {subtype:8} {statistics.median(singles):11.3f} "
            f"{statistics.median(batches):8.3f}  {spacing}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--images", type=int, default=2000, help="images per round (transform rounds use a fifth)"
    )
    parser.add_argument("--starts", type=int, default=5, help="cold starts to time (each followed by 2 warm)")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} cores")
    cold, warm = startups(args.starts)
    print(f"cold start (index and image cache built): {cold:.3f} s median of {args.starts}")
    print(f"warm start (caches present):              {warm:.3f} s median of {2 * args.starts}")
    per_image(args.images)


if __name__ == "__main__":
    main()
