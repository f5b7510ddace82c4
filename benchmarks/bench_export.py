"""Export throughput per format against the ceiling its compressor allows.

    python benchmarks/bench_export.py                        # 20,000 images, 1 worker, every format
    python benchmarks/bench_export.py --count 100000 --workers 2 --compression fast

What it prints, all measured in this one process, side by side (this machine is noisy: run it
twice and read ratios):

- the parts alone, per core: rendering (generate_batch + separator gaps, uint8), PNG encoding
  (OpenCV, as the export encodes), deflate alone (zlib at the npz level over 64-image blocks),
  and creating one file of an image's size per image in the export folder (a disk's figure: on
  this machine's ext4 it ranged from 20 us to 0.9 ms a file, depending on the folder);
- the ceiling of each format, timed right before its export (the machine's load drifts): the same
  images rendered and encoded with nothing written (npz: deflate; png, jsonl, lmdb, webdataset:
  PNG), in this process, or with --workers N in N processes at once; for png and jsonl, which
  write one file per image, plus the file creates alone;
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
clock = time.perf_counter  # --cpu: time.process_time (one worker only: the export runs in this process)


def _images(config, count: int):
    from digitseq_gui import export
    from digitseq_gui.engine import sequences

    plan = export.plan_export(
        export.ExportRequest("unused", sequences.random_lengths(4, 8), count=count, config=config, seed=7)
    )
    export.render_range(plan, "", 0, 64)  # warm: the data set loads once per process
    start = clock()
    rendered = export.render_range(plan, "", 0, count)
    return plan, rendered, count / (clock() - start)


def png_rate(images, compression: str) -> float:
    from digitseq_gui.export.formats.encoding import encode_image

    start = clock()
    for image in images:
        encode_image(image, "png", compression)
    return len(images) / (clock() - start)


def deflate_rate(images, compression: str) -> float:
    from digitseq_gui.export.formats.npz import LEVELS

    level = LEVELS[compression]
    start = clock()
    for first in range(0, len(images), 64):
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
        compressor.compress(images[first : first + 64].tobytes())
        compressor.flush(zlib.Z_SYNC_FLUSH)
    return len(images) / (clock() - start)


def file_create_rate(folder: Path, sizes: list[int]) -> float:
    """Files of these sizes created and written in a fresh folder beside the exports, then synced
    once: what one file per image costs on this disk alone (png and jsonl write one per image)."""
    from digitseq_gui.engine.durable import sync_written, write_unsynced

    target = Path(tempfile.mkdtemp(prefix="files-", dir=folder))
    paths = [f"{target}/{i:06d}.png" for i in range(len(sizes))]
    contents = [b"\0" * size for size in sizes]
    start = clock()
    for path, data in zip(paths, contents):
        write_unsynced(path, data)  # as the export writes its images (formats/imagefiles.py)
    sync_written(target, paths)
    rate = len(sizes) / (clock() - start)
    shutil.rmtree(target)
    return rate


def ceiling_rate(config, fmt: str, count: int, compression: str) -> float:
    """Render + encode ``count`` images in this process, writing nothing: what one core can do."""
    from digitseq_gui import export
    from digitseq_gui.engine import sequences
    from digitseq_gui.export.formats.encoding import encode_image
    from digitseq_gui.export.formats.npz import LEVELS

    plan = export.plan_export(
        export.ExportRequest("unused", sequences.random_lengths(4, 8), count=count, config=config, seed=7)
    )
    start = clock()
    for first in range(0, count, 512):
        images = export.render_range(plan, "", first, min(count, first + 512)).images
        if fmt == "npz":
            for block in range(0, len(images), 64):
                compressor = zlib.compressobj(LEVELS[compression], zlib.DEFLATED, -15)
                compressor.compress(images[block : block + 64].tobytes())
                compressor.flush(zlib.Z_SYNC_FLUSH)
        else:
            for image in images:
                encode_image(image, "png", compression)
    return count / (clock() - start)


def _ceiling_in_process(args) -> tuple[float, float]:
    config_dict, fmt, count, compression, barrier = args
    from digitseq_gui import Config

    config = Config.from_dict(config_dict)
    ceiling_rate(config, fmt, 64, compression)  # warm: the data set loads once per process
    barrier.wait()
    start = time.perf_counter()
    ceiling_rate(config, fmt, count, compression)
    return start, time.perf_counter()


def parallel_ceiling_rate(config, fmt: str, count: int, compression: str, workers: int) -> float:
    """The ceiling of ``workers`` processes rendering and encoding at once (wall clock): on a
    shared machine two processes need not do twice what one does."""
    import multiprocessing

    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    )
    with context.Manager() as manager:
        barrier = manager.Barrier(workers)
        with context.Pool(workers) as pool:
            spans = pool.map(
                _ceiling_in_process, [(config.to_dict(), fmt, count, compression, barrier)] * workers
            )
    return workers * count / (max(stop for _, stop in spans) - min(start for start, _ in spans))


def remove_earlier_export(path: Path) -> None:
    """An earlier run's export in ``path`` (or the .digitseq/ alone that a run killed at its start
    leaves), and nothing else: a --keep folder holding other files is refused."""
    from digitseq_gui.export.errors import ExportFolderError
    from digitseq_gui.export.resume import clear_export, has_content

    if not path.exists():
        return
    if not has_content(path):
        shutil.rmtree(path)
        return
    try:
        clear_export(path)
    except (FileNotFoundError, ExportFolderError) as exc:
        sys.exit(f"bench_export: {exc}; choose another --keep folder")


def export_rate(
    config, fmt: str, count: int, workers: int, compression: str, folder: Path
) -> tuple[float, float]:
    from digitseq_gui import export
    from digitseq_gui.engine import sequences

    request = export.ExportRequest(
        folder / fmt,
        sequences.random_lengths(4, 8),
        count=count,
        config=config,
        seed=7,
        format=fmt,
        workers=workers,
        compression=compression,
    )
    remove_earlier_export(folder / fmt)  # the previous run's: removing it is no part of an export
    start, wall = clock(), time.perf_counter()
    first = []
    result = export.run_export(request, lambda done, total: first or first.append(time.perf_counter() - wall))
    elapsed = clock() - start
    assert result.status == "complete" and result.written == count
    return count / elapsed, first[0]


def main(argv=None) -> int:
    from digitseq_gui.export.formats.encoding import encode_image, image_info

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000, help="images per export (default 20000)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--compression", default="default", choices=("fast", "default", "none"))
    parser.add_argument(
        "--formats", default=",".join(FORMATS), help="comma-separated formats (default: all five)"
    )
    parser.add_argument("--transform", action="store_true", help="with the seed's augmentations")
    parser.add_argument("--keep", type=Path, help="export into this folder and keep it")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each format (default 1)")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="this process's CPU time instead of wall-clock time, against noise from other "
        "machines' load (one worker only; leaves out waiting for the disk)",
    )
    args = parser.parse_args(argv)
    if args.cpu:
        if args.workers != 1:
            parser.error("--cpu needs --workers 1: workers' time is spent in other processes")
        global clock
        clock = time.process_time

    from digitseq_gui import Config, __version__

    config = Config()
    config.image.transform = args.transform
    folder = args.keep or Path(tempfile.mkdtemp(prefix="digitseq-bench-"))
    print(
        f"digitseq {__version__}, numpy {np.__version__}, Python {sys.version.split()[0]}; {args.count:,} images of "
        f"4-8 random digits, width 200, {'with' if args.transform else 'no'} augmentation, "
        f"{args.workers} worker(s), --compression {args.compression}"
    )
    try:
        plan, rendered, render = _images(config, min(args.count, 4096))
        sample = rendered.images
        png = png_rate(sample, args.compression)
        deflate = deflate_rate(sample, args.compression)
        print(
            f"alone, one core: render {render:,.0f} img/s | PNG encode {png:,.0f} img/s | deflate (npz) {deflate:,.0f} img/s"
        )
        ctx = plan.parts[0].context  # the files as the export writes them: text chunks included
        sizes = [
            len(encode_image(image, "png", args.compression, image_info(ctx, rendered, i)))
            for i, image in enumerate(sample[:2048])
        ]
        folder.mkdir(parents=True, exist_ok=True)
        print(
            f"alone, one core: creating one {int(np.mean(sizes)):,}-byte file per image here: "
            f"{file_create_rate(folder, sizes):,.0f} files/s ({folder})"
        )
        for fmt in args.formats.split(","):
            ratios, rates = [], []
            for _ in range(args.repeat):
                if args.workers == 1:
                    ceiling = ceiling_rate(config, fmt, min(args.count, 2048), args.compression)
                else:
                    ceiling = parallel_ceiling_rate(
                        config, fmt, min(args.count, 2048), args.compression, args.workers
                    )
                if fmt in ("png", "jsonl"):  # one file per image: the disk's create rate is part of the limit
                    # (each worker creates its own files: taken to scale with the workers, as rendering does)
                    ceiling = 1 / (1 / ceiling + 1 / (args.workers * file_create_rate(folder, sizes)))
                rate, first = export_rate(config, fmt, args.count, args.workers, args.compression, folder)
                ratios.append(rate / ceiling)
                rates.append(rate)
            size = sum(p.stat().st_size for p in (folder / fmt).rglob("*") if p.is_file()) / 2**20
            ratios.sort()
            limit = {
                "npz": "render + deflate",
                "png": "render + PNG + file creates",
                "jsonl": "render + PNG + file creates",
            }.get(fmt, "render + PNG")
            print(
                f"export {fmt:>10}: {min(rates):8,.0f}-{max(rates):,.0f} img/s = {ratios[len(ratios) // 2]:4.0%} of {limit} "
                f"alone (median; {ratios[0]:.0%}-{ratios[-1]:.0%}); {size:,.1f} MiB; first progress after {first:.2f} s"
            )
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
