"""SequenceDataset throughput through a torch DataLoader, with 0 and 2 workers, with and without augmentation.

    python benchmarks/bench_dataset.py                  # 12,800 images per setting, 3 rounds
    python benchmarks/bench_dataset.py --count 1280 --rounds 1

Each setting reads --count images of 4-8 random digits (width 200, train split) through
``DataLoader(dataset, batch_size=64, num_workers=W, collate_fn=collate_ctc)`` and reports images/s,
timed from ``iter(loader)`` to the last batch, so worker start-up counts (as it does every epoch),
and from the first batch to the last (the steady rate).
The settings take turns within each round (this machine is shared and noisy), and every round
uses a fresh seed so that no image is cached. With --stream the endless SequenceStream is timed too.
"""

from __future__ import annotations

import argparse
import itertools
import time


def rate(dataset, count: int, workers: int) -> tuple[float, float]:
    """(images/s from iter(loader) on, images/s after the first batch: without start-up)"""
    from torch.utils.data import DataLoader

    from digitseq_gui import collate_ctc

    loader = DataLoader(dataset, batch_size=64, num_workers=workers, collate_fn=collate_ctc)
    start = time.perf_counter()
    batches = iter(loader)
    seen = len(next(batches)["labels"])
    first = time.perf_counter()
    seen += sum(len(batch["labels"]) for batch in itertools.islice(batches, count // 64 - 1))
    end = time.perf_counter()
    assert seen == count, seen
    return count / (end - start), (count - 64) / (end - first)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--count", type=int, default=12800, help="images per setting and round (a multiple of 64)"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--stream", action="store_true", help="also time SequenceStream")
    args = parser.parse_args(argv)
    try:
        import torch
    except ImportError:
        parser.error("this benchmark needs torch: pip install -e '.[torch]'")
    torch.set_num_threads(1)
    from digitseq_gui import Config, SequenceDataset
    from digitseq_gui.engine.imgaug_compat import cv2

    cv2().setNumThreads(1)  # as the export's workers do; the processes already use the cores
    warm = Config()
    warm.image.transform = True
    SequenceDataset(64, lengths=4, config=warm, seed=1)[
        0
    ]  # imgaug's import (~1 s; forked workers inherit it)
    kinds = ["dataset"] + (["stream"] if args.stream else [])
    results: dict[tuple, list[float]] = {}
    for round_ in range(args.rounds):
        for augment, kind, workers in itertools.product((False, True), kinds, (0, 2)):
            config = Config()
            config.image.transform = augment
            dataset = SequenceDataset(
                args.count, lengths=(4, 8), config=config, seed=1000 + round_, split="train", splits="train=1"
            )
            source = dataset if kind == "dataset" else dataset.stream(epoch=round_)
            results.setdefault((augment, kind, workers), []).append(rate(source, args.count, workers))
    print(
        f"{args.count} images of 4-8 digits (28x200) per setting, batch 64, {args.rounds} round(s); images/s"
    )
    print("  median (range) end to end | after the first batch")
    for (augment, kind, workers), pairs in results.items():
        shown = []
        for values in zip(*pairs):
            shown.append(f"{sorted(values)[len(values) // 2]:6.0f} ({min(values):.0f}-{max(values):.0f})")
        print(
            f"  {kind:8s} augmentation {'on ' if augment else 'off'}  workers {workers}: {' | '.join(shown)}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
