"""What sharing one augmenting DigitSequence between threads costs: images/s from one thread and
from 4 threads sharing it (each thread augments with its own copy of the imgaug pipelines, made
once), and the time to make that copy.

    python benchmarks/bench_threads.py
"""

from __future__ import annotations

import copy
import time
from concurrent.futures import ThreadPoolExecutor

from digitseq_gui import Config, DigitSequence


def main() -> None:
    config = Config()
    config.image.transform = True
    generator = DigitSequence(config=config)
    digits = ["01234567"[: 4 + i % 5] for i in range(64)]
    generator.generate_batch(digits, (2, 8), 200, seed=0)  # imports, pipelines built
    rounds = 40

    def job(seed):
        generator.generate_batch(digits, (2, 8), 200, seed=seed)

    start = time.perf_counter()
    for seed in range(rounds):
        job(seed)
    one = rounds * len(digits) / (time.perf_counter() - start)
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(job, range(4)))  # each thread's copy made here
        start = time.perf_counter()
        list(pool.map(job, range(rounds)))
        shared = rounds * len(digits) / (time.perf_counter() - start)
    pipelines = generator._augmenter_for_config()._pipelines
    start = time.perf_counter()
    for _ in range(20):
        copy.deepcopy(pipelines)
    per_copy = (time.perf_counter() - start) / 20 * 1e3
    print("| threads | images/s (64 images of 4-8 digits a batch, default augmentations) |")
    print("|---|---|")
    print(f"| 1 | {one:,.0f} |")
    print(f"| 4, one shared generator | {shared:,.0f} |")
    print(f"\ncopying the pipelines for a new thread: {per_copy:.2f} ms, once per thread")


if __name__ == "__main__":
    main()
