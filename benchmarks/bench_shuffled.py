"""SequenceDataset read in order and shuffled, as DistributedSampler reads it.

    python benchmarks/bench_shuffled.py                  # 6,400 images per setting
    python benchmarks/bench_shuffled.py --images 1280    # quicker

Each row is a DataLoader (batch 64, collate_ctc) over SequenceDataset(count, lengths=(4, 8),
split="train") with DistributedSampler(num_replicas=2, rank=0), shuffle=False ("in order": this
rank's every other index) and shuffle=True (the sampler's default: a random permutation), with 0
and 2 workers, for the default config and with augmentation on (image.transform: rotation, shear,
scale, blur). The rate is images/s from the first batch on (worker start-up and the first
render are left out: a training job pays them once), over ``--images`` images; the ratio is in
order / shuffled. The two loaders of a row read in turns, a fifth of the images at a time, so
that both meet the same load on a shared machine (with workers, each turn starts them afresh,
untimed, and stops them after, so that no loader renders during the other's turn). Each loader
has a fresh data set with its own seed, so none reads what another rendered.

``--breakdown`` then times each augmentation alone on one block of 64 images of 4-8 digits
(ms per call, median of 5): the whole block's digits (or images, for noise) augmented, against
one image's kept out of the block, as a shuffled read augments them. Augmentations whose random
draws depend only on how many images there are (rotation, shear, scale, shift, stroke, blur,
crop) skip the other images; elastic, dropout and noise draw each image's randomness from one
stream, pixel count after pixel count, so the others' stand-ins cost what real images cost.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time


def loader(count: int, workers: int, augment: bool, shuffle: bool, seed: int):
    from torch.utils.data import DataLoader, DistributedSampler

    from digitseq_gui import Config, SequenceDataset, collate_ctc

    config = Config()
    config.image.transform = augment
    dataset = SequenceDataset(count, lengths=(4, 8), config=config, seed=seed, split="train")
    sampler = DistributedSampler(dataset, num_replicas=2, rank=0, shuffle=shuffle, seed=seed)
    return DataLoader(dataset, batch_size=64, sampler=sampler, num_workers=workers, collate_fn=collate_ctc)


def rates(
    count: int, images: int, workers: int, augment: bool, seed: int, rounds: int = 5
) -> tuple[float, float]:
    """(in order, shuffled) images/s: the two loaders read in turns, ``images / rounds`` images
    at a time, so that both meet the same load on a shared machine. With workers, each turn
    starts the loader's workers afresh and stops them after: workers left running would render
    their next batches during the other loader's turn."""
    loaders = {shuffle: loader(count, workers, augment, shuffle, seed + shuffle) for shuffle in (False, True)}
    running: dict = {}
    spent = {False: 0.0, True: 0.0}
    seen = {False: 0, True: 0}
    for _ in range(rounds):
        for shuffle, data in loaders.items():
            if shuffle not in running:
                running[shuffle] = iter(data)
                for _ in range(max(1, workers)):  # each worker's start-up and first render, not timed
                    next(running[shuffle])
            start = time.perf_counter()
            seen[shuffle] += sum(
                len(b["labels"]) for b in itertools.islice(running[shuffle], images // rounds // 64)
            )
            spent[shuffle] += time.perf_counter() - start
            if workers:
                del running[shuffle]  # stops its workers
    return seen[False] / spent[False], seen[True] / spent[True]


def _median_ms(run, *args) -> float:
    times = []
    for seed in range(5):
        start = time.perf_counter()
        run(args[0], seed, *args[1:])
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def breakdown() -> None:
    import numpy as np

    from digitseq_gui.engine.augment import AUGMENTATIONS, DigitAugmenter
    from digitseq_gui.engine.data.dataset import shared_dataset

    rng = np.random.default_rng(0)
    digits = shared_dataset("mnist", "train").images[
        rng.integers(0, 50_000, size=64 * 6)
    ]  # 6 digits an image
    images = rng.integers(0, 256, size=(64, 28, 200)).astype(np.uint8)
    print(f"{'augmentation':<14}{'whole block ms':>16}{'one image ms':>14}")
    for spec in AUGMENTATIONS:
        augmenter = DigitAugmenter({spec.name: spec.default})
        stack, run = (
            (images, augmenter.augment_images) if spec.whole_image else (digits, augmenter.augment_digits)
        )
        per_image = 1 if spec.whole_image else 6
        keep = np.zeros(len(stack), dtype=bool)
        keep[per_image * 10 : per_image * 11] = True

        whole = _median_ms(run, stack)
        one = _median_ms(run, stack[keep], keep)
        print(f"{spec.name:<14}{whole:>16.2f}{one:>14.2f}", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="images of the data set over all splits")
    parser.add_argument("--images", type=int, default=6400, help="images timed per setting")
    parser.add_argument("--breakdown", action="store_true", help="then time each augmentation alone")
    args = parser.parse_args(argv)
    print(
        f"images/s, SequenceDataset({args.count:,}, split='train'), DistributedSampler rank 0 of 2, "
        f"batch 64, {args.images:,} images per setting"
    )
    print(f"{'config':<14}{'workers':>8}{'in order':>11}{'shuffled':>11}{'ratio':>8}")
    seed = 1
    for augment in (False, True):
        for workers in (0, 2):
            ordered, shuffled = rates(args.count, args.images, workers, augment, seed)
            seed += 2
            label = "augmentation" if augment else "default"
            print(
                f"{label:<14}{workers:>8}{ordered:>11,.0f}{shuffled:>11,.0f}{ordered / shuffled:>8.2f}",
                flush=True,
            )
    if args.breakdown:
        breakdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
