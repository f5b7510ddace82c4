"""Export throughput on the 60k MNIST training set vs a one-image-at-a-time loop.

    python benchmarks/bench_export.py                 # 100,000 images, 2 workers (the issue's setting)
    python benchmarks/bench_export.py --count 10000   # quicker

For each of {no transform, the seed's transform (transform: true, default augmentations)} and
each of {npz, png}: an export of --count images of 4-8 random digits at width 200 with --workers
processes, timed end to end (process start-up, rendering, encoding, writing). The baseline is a
straightforward loop of ``DigitSequence.generate`` single calls, in one process, that only
generates (no encoding, no writing): --loop-count calls are timed and the rate extrapolated.
Peak memory: the maximum resident set of this process and of its (waited-for) children.
"""
from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def loop_rate(config, count: int, seed: int = 1) -> float:
    from digitseq_gui import DigitSequence
    from digitseq_gui.engine.sequences import make_sequences, random_lengths

    generator = DigitSequence(config, seed=seed)
    texts = make_sequences(random_lengths(4, 8), count, seed)
    generator.generate(texts[0])  # warm up: data set, label index, imgaug import
    start = time.perf_counter()
    for text in texts:
        generator.generate(text)
    return count / (time.perf_counter() - start)


def export_rate(config, fmt: str, count: int, workers: int, folder: Path) -> float:
    from digitseq_gui import export
    from digitseq_gui.engine import sequences

    request = export.ExportRequest(folder / fmt, sequences.random_lengths(4, 8), count=count, config=config,
                                   seed=7, format=fmt, workers=workers, overwrite=True)
    start = time.perf_counter()
    result = export.run_export(request)
    elapsed = time.perf_counter() - start
    assert result.status == "complete" and result.written == count
    return count / elapsed


def peak_mib() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="images per export (default 100000)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--loop-count", type=int, default=3000, help="single calls timed for the baseline (default 3000)")
    parser.add_argument("--formats", default="npz,png", help="comma-separated export formats (default npz,png)")
    parser.add_argument("--keep", type=Path, help="export into this folder and keep it (default: a temporary folder)")
    args = parser.parse_args(argv)

    from digitseq_gui import Config, __version__

    folder = args.keep or Path(tempfile.mkdtemp(prefix="digitseq-bench-"))
    print(f"digitseq {__version__}, numpy {np.__version__}, Python {sys.version.split()[0]}")
    print(f"{args.count:,} images of 4-8 random digits, width 200, MNIST train (60k), {args.workers} workers; "
          f"baseline: {args.loop_count:,} single DigitSequence.generate calls in one process, extrapolated")
    try:
        for transform in (False, True):
            config = Config()
            config.image.transform = transform
            name = "seed's transform" if transform else "no transform"
            baseline = loop_rate(config, args.loop_count)
            print(f"\n[{name}] single-image loop: {baseline:,.0f} images/s "
                  f"(extrapolated: {args.count / baseline:,.1f} s for {args.count:,})")
            for fmt in args.formats.split(","):
                rate = export_rate(config, fmt, args.count, args.workers, folder)
                size = sum(p.stat().st_size for p in (folder / fmt).rglob("*") if p.is_file()) / 2**20
                print(f"[{name}] export {fmt:>4}: {rate:,.0f} images/s ({args.count / rate:,.1f} s, {size:,.0f} MiB on disk) "
                      f"= {rate / baseline:.1f}x the loop")
        own, children = peak_mib()
        print(f"\npeak resident memory: this process {own:,.0f} MiB, largest child {children:,.0f} MiB")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
