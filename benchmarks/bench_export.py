"""Export throughput per format against the ceiling its compressor allows.

    python benchmarks/bench_export.py                        # 20,000 images, 1 worker, every format
    python benchmarks/bench_export.py --count 100000 --workers 2 --compression fast

What it prints, all measured in this one process, side by side (this machine is noisy: run it
twice and read ratios):

- the parts alone, per core: rendering (generate_batch + separator gaps, uint8), PNG encoding
  (OpenCV, as the export encodes), deflate alone (zlib at the npz level over 64-image blocks);
- the ceiling of each format, timed right before its export (the machine's load drifts): the same
  images rendered and encoded in this process with nothing written (npz: deflate; png, jsonl,
  lmdb, webdataset: PNG), times the number of workers;
- each format's export, end to end (start-up, rendering, encoding, writing, fsync, finishing):
  images/s and its ratio to the ceiling (issue 10: at least 80%). --repeat gives a range.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np

FORMATS = ("png", "jsonl", "npz", "lmdb", "webdataset")


def _images(config, count: int):
    from digitseq_gui import export
    from digitseq_gui.engine import sequences

    plan = export.plan_export(export.ExportRequest("unused", sequences.random_lengths(4, 8), count=count,
                                                   config=config, seed=7))
    start = time.perf_counter()
    rendered = export.render_range(plan, "", 0, count)
    return rendered.images, count / (time.perf_counter() - start)


def png_rate(images, compression: str) -> float:
    from digitseq_gui.export.formats.encoding import encode_image

    start = time.perf_counter()
    for image in images:
        encode_image(image, "png", compression)
    return len(images) / (time.perf_counter() - start)


def deflate_rate(images, compression: str) -> float:
    from digitseq_gui.export.formats.npz import LEVELS

    level = LEVELS[compression]
    start = time.perf_counter()
    for first in range(0, len(images), 64):
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
        compressor.compress(images[first: first + 64].tobytes())
        compressor.flush(zlib.Z_SYNC_FLUSH)
    return len(images) / (time.perf_counter() - start)


def ceiling_rate(config, fmt: str, count: int, compression: str) -> float:
    """Render + encode ``count`` images in this process, writing nothing: what one core can do."""
    from digitseq_gui import export
    from digitseq_gui.engine import sequences
    from digitseq_gui.export.formats.encoding import encode_image
    from digitseq_gui.export.formats.npz import LEVELS

    plan = export.plan_export(export.ExportRequest("unused", sequences.random_lengths(4, 8), count=count,
                                                   config=config, seed=7))
    start = time.perf_counter()
    for first in range(0, count, 512):
        images = export.render_range(plan, "", first, min(count, first + 512)).images
        if fmt == "npz":
            for block in range(0, len(images), 64):
                compressor = zlib.compressobj(LEVELS[compression], zlib.DEFLATED, -15)
                compressor.compress(images[block: block + 64].tobytes())
                compressor.flush(zlib.Z_SYNC_FLUSH)
        else:
            for image in images:
                encode_image(image, "png", compression)
    return count / (time.perf_counter() - start)


def export_rate(config, fmt: str, count: int, workers: int, compression: str, folder: Path) -> tuple[float, float]:
    from digitseq_gui import export
    from digitseq_gui.engine import sequences

    request = export.ExportRequest(folder / fmt, sequences.random_lengths(4, 8), count=count, config=config, seed=7,
                                   format=fmt, workers=workers, compression=compression, overwrite=True)
    start = time.perf_counter()
    first = []
    result = export.run_export(request, lambda done, total: first or first.append(time.perf_counter() - start))
    elapsed = time.perf_counter() - start
    assert result.status == "complete" and result.written == count
    return count / elapsed, first[0]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000, help="images per export (default 20000)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--compression", default="default", choices=("fast", "default", "none"))
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated formats (default: all five)")
    parser.add_argument("--transform", action="store_true", help="with the seed's augmentations")
    parser.add_argument("--keep", type=Path, help="export into this folder and keep it")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each format (default 1)")
    args = parser.parse_args(argv)

    from digitseq_gui import Config, __version__

    config = Config()
    config.image.transform = args.transform
    folder = args.keep or Path(tempfile.mkdtemp(prefix="digitseq-bench-"))
    print(f"digitseq {__version__}, numpy {np.__version__}, Python {sys.version.split()[0]}; {args.count:,} images of "
          f"4-8 random digits, width 200, {'with' if args.transform else 'no'} augmentation, "
          f"{args.workers} worker(s), --compression {args.compression}")
    try:
        sample, render = _images(config, min(args.count, 4096))
        png = png_rate(sample, args.compression)
        deflate = deflate_rate(sample, args.compression)
        print(f"alone, one core: render {render:,.0f} img/s | PNG encode {png:,.0f} img/s | deflate (npz) {deflate:,.0f} img/s")
        for fmt in args.formats.split(","):
            ratios, rates = [], []
            for _ in range(args.repeat):
                ceiling = args.workers * ceiling_rate(config, fmt, min(args.count, 2048), args.compression)
                rate, first = export_rate(config, fmt, args.count, args.workers, args.compression, folder)
                ratios.append(rate / ceiling)
                rates.append(rate)
            size = sum(p.stat().st_size for p in (folder / fmt).rglob("*") if p.is_file()) / 2**20
            print(f"export {fmt:>10}: {min(rates):8,.0f}-{max(rates):,.0f} img/s = {min(ratios):4.0%}-{max(ratios):.0%} of "
                  f"render + {'deflate' if fmt == 'npz' else 'PNG'} alone; {size:,.1f} MiB; first progress after {first:.2f} s")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
