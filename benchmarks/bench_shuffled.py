"""SequenceDataset read in order and shuffled, as DistributedSampler reads it.

    python benchmarks/bench_shuffled.py                  # 6,400 images per setting
    python benchmarks/bench_shuffled.py --images 1280    # quicker

Each row is a DataLoader (batch 64, collate_ctc) over SequenceDataset(count, lengths=(4, 8),
split="train") with DistributedSampler(num_replicas=2, rank=0), shuffle=False ("in order": this
rank's every other index) and shuffle=True (the sampler's default: a random permutation), with 0
and 2 workers, for the default config and with augmentation on (image.transform: rotation, shear,
scale, blur). The rate is images/s from the first batch on (worker start-up and the first
render are left out: a training job pays them once), over ``--images`` images; the ratio is in
order / shuffled. Each setting makes a fresh data set with its own seed, so no setting reads
what another rendered.
"""

from __future__ import annotations

import argparse
import itertools
import time


def rate(count: int, images: int, workers: int, augment: bool, shuffle: bool, seed: int) -> float:
    from torch.utils.data import DataLoader, DistributedSampler

    from digitseq_gui import Config, SequenceDataset, collate_ctc

    config = Config()
    config.image.transform = augment
    dataset = SequenceDataset(count, lengths=(4, 8), config=config, seed=seed, split="train")
    sampler = DistributedSampler(dataset, num_replicas=2, rank=0, shuffle=shuffle, seed=seed)
    loader = DataLoader(dataset, batch_size=64, sampler=sampler, num_workers=workers, collate_fn=collate_ctc)
    batches = iter(loader)
    next(batches)
    start = time.perf_counter()
    seen = sum(len(b["labels"]) for b in itertools.islice(batches, images // 64))
    return seen / (time.perf_counter() - start)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="images of the data set over all splits")
    parser.add_argument("--images", type=int, default=6400, help="images timed per setting")
    args = parser.parse_args(argv)
    print(
        f"images/s, SequenceDataset({args.count:,}, split='train'), DistributedSampler rank 0 of 2, "
        f"batch 64, {args.images:,} images per setting"
    )
    print(f"{'config':<14}{'workers':>8}{'in order':>11}{'shuffled':>11}{'ratio':>8}")
    seed = 1
    for augment in (False, True):
        for workers in (0, 2):
            ordered = rate(args.count, args.images, workers, augment, False, seed)
            shuffled = rate(args.count, args.images, workers, augment, True, seed + 1)
            seed += 2
            label = "augmentation" if augment else "default"
            print(
                f"{label:<14}{workers:>8}{ordered:>11,.0f}{shuffled:>11,.0f}{ordered / shuffled:>8.2f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
