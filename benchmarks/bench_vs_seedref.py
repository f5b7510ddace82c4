"""DigitSeq side by side with the earlier version it replaces (seedref), in one process.

    python benchmarks/bench_vs_seedref.py [--seedref DIR] [--images 1000] [--rounds 7]

The earlier version's code is prepared with ``seedref/prepare.sh`` into a temporary folder and
imported in this same process, so both run on the same numpy, OpenCV, imgaug and the same load
of this machine. ``--seedref`` (or the environment variable DIGITSEQ_SEEDREF) is the folder that
holds ``prepare.sh``; by default ``../shared/seedref`` relative to the repository's root.

Printed, in milliseconds per image, for the earlier version's eight configurations (transform
off/on x variable/fixed x between/edge; 4 digits; spacing 2-8 px; width 200 for variable, 130
and 142 for fixed, which 4 digits with 6 px gaps fill exactly): the earlier version's one call,
DigitSeq's one call (``generate_numbers_sequence``) and DigitSeq's ``generate_batch`` (float32,
the same output as one call). Ratios are the earlier version's time over DigitSeq's (above 1:
DigitSeq is faster), the median of per-round ratios with their range: rounds alternate between
the two, so a load change on this shared machine hits both.

Then ``generate_batch`` in microseconds per image for 4 to 8 digits at width 200 with uint8
output, without and with the default augmentations (what the export path calls), and where the
time without augmentation goes: OpenCV's resampling of the strips, the rest, and what linear
shrinking would cost instead of area averaging.
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
SPACING = (2, 8)
WIDTHS = {
    ("variable", "between"): 200,
    ("variable", "edge"): 200,
    ("fixed", "between"): 130,
    ("fixed", "edge"): 142,
}
CONFIGURATIONS = list(itertools.product((False, True), ("variable", "fixed"), ("between", "edge")))


def seedref_folder(given: str | None) -> Path:
    folder = Path(given or os.environ.get("DIGITSEQ_SEEDREF") or REPO.parent / "shared" / "seedref")
    if not (folder / "prepare.sh").is_file():
        sys.exit(
            f"no prepare.sh in {folder}; pass --seedref DIR (the folder of the earlier version's code) "
            "or set DIGITSEQ_SEEDREF"
        )
    return folder


def import_seedref(folder: Path, into: Path):
    subprocess.run(["bash", str(folder / "prepare.sh"), str(into)], check=True, stdout=subprocess.DEVNULL)
    sys.path.insert(0, str(into))
    from image_sequence.generator import DigitSequence as SeedrefSequence

    return SeedrefSequence


def seedref_generator(cls, folder: Path, transform: bool, kind: str, subtype: str):
    path = folder / f"config-{transform}-{kind}-{subtype}.json"
    path.write_text(
        json.dumps(
            {
                "image": {"transform": transform},
                "spacing": {"type": kind, "subtype": subtype},
                "output_format": "png",
            }
        )
    )
    return cls(str(path))


def digitseq_generator(dataset, transform: bool, kind: str, subtype: str):
    from digitseq_gui import Config, DigitSequence

    config = Config()
    config.image.transform, config.spacing.type, config.spacing.subtype = transform, kind, subtype
    return DigitSequence(config, dataset=dataset, seed=0)


# CPU time of this process by default: on a shared machine, time spent waiting for a core is
# noise, not cost (OpenCV is set to one thread, so CPU time is the work). --wall for wall time.
clock = time.process_time


def per_image_ms(call, items) -> float:
    start = clock()
    for item in items:
        call(item)
    return (clock() - start) / len(items) * 1e3


def side_by_side(seedref_cls, folder: Path, dataset, images: int, rounds: int) -> None:
    rng = np.random.default_rng(0)
    sequences = [[int(d) for d in rng.integers(0, 10, 4)] for _ in range(images)]
    print(
        f"\nms per image, 4 digits, spacing {SPACING}, {images} images per round (a fifth with transform), "
        f"median of {rounds} rounds; ratio = earlier / DigitSeq (median, range over rounds)"
    )
    header = (
        "transform",
        "spacing",
        "subtype",
        "width",
        "earlier 1 call",
        "DigitSeq 1 call",
        "ratio",
        "DigitSeq batch",
        "ratio",
    )
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for transform, kind, subtype in CONFIGURATIONS:
        width = WIDTHS[kind, subtype]
        old = seedref_generator(seedref_cls, folder, transform, kind, subtype)
        new = digitseq_generator(dataset, transform, kind, subtype)
        count = images // 5 if transform else images
        items = sequences[:count]
        old.generate_numbers_sequence(items[0], SPACING, width)  # warm up: imports, caches
        new.generate_numbers_sequence(items[0], SPACING, width)
        new.generate_batch(items[:64], SPACING, width, seed=1)
        times = {"old": [], "one": [], "batch": []}
        for _ in range(rounds):
            times["old"].append(
                per_image_ms(lambda d, g=old, w=width: g.generate_numbers_sequence(d, SPACING, w), items)
            )
            times["one"].append(
                per_image_ms(lambda d, g=new, w=width: g.generate_numbers_sequence(d, SPACING, w), items)
            )
            start = clock()
            new.generate_batch(items, SPACING, width, seed=1)
            times["batch"].append((clock() - start) / count * 1e3)

        def ratio(key, times=times):
            ratios = [o / n for o, n in zip(times["old"], times[key])]
            return f"{statistics.median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f})"

        median = {key: statistics.median(values) for key, values in times.items()}
        print(
            f"| {'on' if transform else 'off'} | {kind} | {subtype} | {width} | {median['old']:.4f} | "
            f"{median['one']:.4f} | {ratio('one')} | {median['batch']:.4f} | {ratio('batch')} |"
        )


LENGTHS = ((4, 4), (6, 6), (8, 8), (4, 8))


def batch_sequences(images: int) -> dict[tuple[int, int], list[str]]:
    """The same random sequences for both batch tables, per (min, max) digit count."""
    rng = np.random.default_rng(1)
    return {
        lengths: [
            "".join(map(str, rng.integers(0, 10, rng.integers(lengths[0], lengths[1] + 1))))
            for _ in range(images)
        ]
        for lengths in LENGTHS
    }


def batch_us(generator, sequences: list[str], rounds: int) -> list[float]:
    """us per image of ``rounds`` uint8 generate_batch calls on ``sequences`` (after a warm-up)."""
    generator.generate_batch(sequences[:64], SPACING, 200, seed=2, as_uint8=True)
    samples = []
    for _ in range(rounds):
        start = clock()
        generator.generate_batch(sequences, SPACING, 200, seed=2, as_uint8=True)
        samples.append((clock() - start) / len(sequences) * 1e6)
    return samples


def length_label(lengths: tuple[int, int]) -> str:
    return f"{lengths[0]}" if lengths[0] == lengths[1] else f"{lengths[0]}-{lengths[1]}"


def batch_microseconds(dataset, batches: dict, rounds: int) -> dict:
    """The batch table; returns the no-augmentation, gaps-between medians (where_batch_time_goes
    breaks those down)."""
    images = len(next(iter(batches.values())))
    print(
        f"\ngenerate_batch, uint8 out, width 200, spacing {SPACING}, {images} images, "
        f"median (min-max) of {rounds} rounds, us per image"
    )
    print("| digits | subtype | no augmentation | default augmentations |")
    print("|---|---|---|---|")
    plain = {}
    for lengths, sequences in batches.items():
        for subtype in ("between", "edge"):
            cells = []
            for transform in (False, True):
                generator = digitseq_generator(dataset, transform, "variable", subtype)
                samples = batch_us(generator, sequences[: images // 4] if transform else sequences, rounds)
                if not transform and subtype == "between":
                    plain[lengths] = statistics.median(samples)
                cells.append(f"{statistics.median(samples):.1f} ({min(samples):.1f}-{max(samples):.1f})")
            print(f"| {length_label(lengths)} | {subtype} | {cells[0]} | {cells[1]} |")
    return plain


def where_batch_time_goes(dataset, batches: dict, totals: dict, rounds: int) -> None:
    """What remains of generate_batch without augmentation (the batch table's medians, gaps
    between digits): OpenCV's resampling of the strips to the width (its share of a profile of
    one run) and the rest; and, for comparison only, the total if strips were shrunk with linear
    interpolation like they are grown (not DigitSeq's output: area averaging is what keeps thin
    strokes from aliasing)."""
    import cProfile
    import pstats

    from digitseq_gui.engine import scaling

    print("\nwhere the time goes without augmentation (gaps between digits), us per image:")
    print("| digits | total | OpenCV resampling | the rest | total if shrinking were linear |")
    print("|---|---|---|---|---|")
    area = scaling.interpolation
    for lengths, sequences in batches.items():
        generator = digitseq_generator(dataset, False, "variable", "between")
        profile = cProfile.Profile()
        profile.runcall(generator.generate_batch, sequences, SPACING, 200, seed=2, as_uint8=True)
        stats = pstats.Stats(profile).stats
        profiled = sum(tottime for _, _, tottime, _, _ in stats.values())
        resize = sum(tottime for (_, _, name), (_, _, tottime, _, _) in stats.items() if "resize" in name)
        scaling.interpolation = lambda cv, size, target: cv.INTER_LINEAR
        try:
            linear = statistics.median(batch_us(generator, sequences, rounds))
        finally:
            scaling.interpolation = area
        total = totals[lengths]
        resampling = total * resize / profiled
        print(
            f"| {length_label(lengths)} | {total:.1f} | {resampling:.1f} | {total - resampling:.1f} | {linear:.1f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seedref",
        help="folder of the earlier version's code (holds prepare.sh); "
        "default $DIGITSEQ_SEEDREF or ../shared/seedref from the repository",
    )
    parser.add_argument("--images", type=int, default=1000, help="images per round (a fifth with transform)")
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds per configuration")
    parser.add_argument("--batch-images", type=int, default=6400, help="images per generate_batch round")
    parser.add_argument("--skip-batch", action="store_true", help="only the side-by-side table")
    parser.add_argument(
        "--wall", action="store_true", help="wall-clock time instead of the process's CPU time"
    )
    args = parser.parse_args()
    global clock
    clock = time.perf_counter if args.wall else time.process_time

    from digitseq_gui import load_dataset
    from digitseq_gui.engine.imgaug_compat import cv2, stack_versions

    cv2().setNumThreads(1)  # as export workers run it; both versions share this setting
    # The earlier version calls logging.basicConfig(level=INFO) and logs on every construction;
    # configured first, that call does nothing.
    logging.basicConfig(level=logging.WARNING)
    versions = ", ".join(f"{k} {v}" for k, v in stack_versions().items())
    print(
        f"{versions}; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}; "
        f"{'wall-clock' if args.wall else 'CPU'} time"
    )
    dataset = load_dataset("mnist", "train")  # the earlier version uses the 60k training images too
    with tempfile.TemporaryDirectory(prefix="seedref-") as tmp:
        seedref_cls = import_seedref(seedref_folder(args.seedref), Path(tmp))
        side_by_side(seedref_cls, Path(tmp), dataset, args.images, args.rounds)
    if not args.skip_batch:
        batches = batch_sequences(args.batch_images)
        totals = batch_microseconds(dataset, batches, args.rounds)
        where_batch_time_goes(dataset, batches, totals, args.rounds)


if __name__ == "__main__":
    main()
