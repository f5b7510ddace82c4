"""Training-loader throughput: SequenceStream through a DataLoader with 0, 1 and 2 workers and
2 ranks x 1 worker, with and without augmentation; SequenceDataset read in order and shuffled by
DistributedSampler; and each format read back through its own ecosystem's loader.

    python benchmarks/bench_loader.py                 # 6,400 images per setting
    python benchmarks/bench_loader.py --count 1280    # quicker

Stream rates are images/s from ``iter(loader)`` to the last batch (batch 64, collate_ctc), so
worker start-up counts. "2 ranks x 1 worker" runs two processes at once, each a rank
(SequenceStream(rank=r, world_size=2)) with a 1-worker DataLoader, and reports the sum of the
two ranks' rates (each timed from its own iter(loader)).
The read-back rates decode every image: datasets.load_dataset("parquet") for --format parquet,
webdataset.WebDataset(...).decode("l") for --format webdataset, and the lmdb reads of
deep-text-recognition-benchmark's LmdbDataset (txn.get of label and image, PIL decode) for lmdb.
"""

from __future__ import annotations

import argparse
import io
import itertools
import multiprocessing
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path


def settings(augment: bool) -> dict:
    from digitseq_gui import Config

    config = Config()
    config.image.transform = augment  # the per-digit and whole-image augmentations
    return dict(lengths=(4, 8), config=config, split="train")


def stream_rate(count: int, workers: int, augment: bool, seed: int, rank=None, world=None) -> float:
    from torch.utils.data import DataLoader

    from digitseq_gui import SequenceStream, collate_ctc

    stream = SequenceStream(seed=seed, rank=rank, world_size=world, **settings(augment))
    loader = DataLoader(stream, batch_size=64, num_workers=workers, collate_fn=collate_ctc)
    start = time.perf_counter()
    seen = sum(len(b["labels"]) for b in itertools.islice(loader, count // 64))
    return seen / (time.perf_counter() - start)


def _rank_worker(args) -> float:
    return stream_rate(*args)


def two_ranks_rate(count: int, augment: bool, seed: int) -> float:
    # not a multiprocessing.Pool: its processes are daemons, which may not start DataLoader workers
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        # each rank times itself from iter(loader) on, as the others do; process start-up (spawn,
        # importing torch) is left out, since a training job pays it once, not per epoch
        return sum(pool.map(_rank_worker, [(count // 2, 1, augment, seed, r, 2) for r in (0, 1)]))


def dataset_rate(count: int, shuffle: bool, seed: int) -> float:
    """SequenceDataset through DistributedSampler (rank 0 of 1), in order or shuffled."""
    from torch.utils.data import DataLoader, DistributedSampler

    from digitseq_gui import SequenceDataset, collate_ctc

    dataset = SequenceDataset(count, seed=seed, **settings(False))
    sampler = DistributedSampler(dataset, num_replicas=1, rank=0, shuffle=shuffle)
    loader = DataLoader(dataset, batch_size=64, sampler=sampler, collate_fn=collate_ctc)
    start = time.perf_counter()
    seen = sum(len(b["labels"]) for b in loader)
    return seen / (time.perf_counter() - start)


def read_back_rates(count: int, folder: Path) -> dict[str, float]:
    from PIL import Image

    from digitseq_gui import export
    from digitseq_gui.engine import sequences

    rates = {}
    for fmt in ("parquet", "webdataset", "lmdb"):
        out = folder / fmt
        export.run_export(
            export.ExportRequest(
                out, count=count, format=fmt, sequences=sequences.random_lengths(4, 8), seed=3
            )
        )
        start = time.perf_counter()
        if fmt == "parquet":
            import datasets

            data = datasets.load_dataset("parquet", data_dir=str(out), split="train")
            seen = sum(1 for row in data if row["image"].convert("L") is not None)
        elif fmt == "webdataset":
            import webdataset as wds

            urls = [str(p) for p in sorted(out.glob("shard-*.tar"))]
            seen = sum(1 for _ in wds.WebDataset(urls, shardshuffle=False, empty_check=False).decode("l"))
        else:
            import lmdb

            env = lmdb.open(
                str(out), max_readers=32, readonly=True, lock=False, readahead=False, meminit=False
            )
            with env.begin(write=False) as txn:
                n = int(txn.get(b"num-samples"))
                for index in range(1, n + 1):
                    txn.get(b"label-%09d" % index).decode("utf-8")
                    Image.open(io.BytesIO(txn.get(b"image-%09d" % index))).convert("L")
            env.close()
            seen = n
        rates[fmt] = seen / (time.perf_counter() - start)
        assert seen == count, (fmt, seen)
    return rates


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=6400, help="images per setting (a multiple of 128)")
    args = parser.parse_args(argv)
    count = args.count
    print(f"images/s, {count} images per setting, batch 64, 4-8 digits, width 200")
    print(f"{'loader':<34}{'no augmentation':>17}{'augmentation':>15}")
    for label, run in (
        ("SequenceStream, 0 workers", lambda a, s: stream_rate(count, 0, a, s)),
        ("SequenceStream, 1 worker", lambda a, s: stream_rate(count, 1, a, s)),
        ("SequenceStream, 2 workers", lambda a, s: stream_rate(count, 2, a, s)),
        ("SequenceStream, 2 ranks x 1 worker", lambda a, s: two_ranks_rate(count, a, s)),
    ):
        plain, augmented = run(False, 1), run(True, 2)
        print(f"{label:<34}{plain:>17,.0f}{augmented:>15,.0f}", flush=True)
    ordered, shuffled = dataset_rate(count, False, 4), dataset_rate(count, True, 5)
    print(
        f"SequenceDataset + DistributedSampler: in order {ordered:,.0f}, shuffled {shuffled:,.0f} (0 workers)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for fmt, value in read_back_rates(count, Path(tmp)).items():
            print(f"read back {fmt:<11} {value:>10,.0f} images/s (decoded)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
