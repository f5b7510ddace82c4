"""Generate a DigitSeq data set with Ray Data: the same images and labels as ``digitseq export``.

    pip install -e ".[ray]"
    python examples/ray_export.py --output out --count 10000 --seed 7              # Parquet
    python examples/ray_export.py --output out --count 10000 --seed 7 --webdataset # WebDataset tars
    # on a cluster: RAY_ADDRESS=ray://head:10001 python examples/ray_export.py ...

How: ``ray.data.range(blocks)`` holds one row per block of 64 images; ``map_batches`` renders
each block with SequenceDataset, whose item i is image i of the export with the same settings
and seed (its part, texts, block seeds), so any Ray worker renders any block and gets the
single-machine export's bytes. Each block becomes 64 rows (image as PNG, label, text, boxes,
index) that Ray writes with ``write_parquet`` or ``write_webdataset``; Ray names the files.
"""

from __future__ import annotations

import argparse
import io
import time

import numpy as np
from PIL import Image

from digitseq_gui import SequenceDataset
from digitseq_gui.engine.seeding import BLOCK_SIZE

SETTINGS = dict(lengths=(4, 8))  # what the sequences are; the same as --length 4-8 of digitseq export


_PLANNED: dict = {}  # per Ray worker: the data set is planned once, not once per block


def dataset(count: int, seed: int, split: str | None = None) -> SequenceDataset:
    key = (count, seed, split)
    if key not in _PLANNED:
        _PLANNED[key] = SequenceDataset(count, seed=seed, split=split, **SETTINGS)
    return _PLANNED[key]


def render_blocks(batch: dict, count: int, seed: int, split: str | None) -> dict:
    """Ray's batch of block numbers -> the rows of those blocks' images."""
    data = dataset(count, seed, split)
    rows: dict[str, list] = {"png": [], "label": [], "text": [], "boxes": [], "index": []}
    for number in batch["block"].tolist():
        for index in range(number * BLOCK_SIZE, min((number + 1) * BLOCK_SIZE, len(data))):
            item = data[index]
            buffer = io.BytesIO()
            Image.fromarray(item["image"]).save(buffer, format="PNG")
            rows["png"].append(buffer.getvalue())
            rows["label"].append(item["label"])
            rows["text"].append(item["text"])
            rows["boxes"].append(item["boxes"].tolist())
            rows["index"].append(index)
    return {key: np.array(values, dtype=object) for key, values in rows.items()}


def build(count: int, seed: int, split: str | None = None):
    """The Ray Dataset of the export's images, in index order."""
    import ray

    blocks = -(-len(dataset(count, seed, split)) // BLOCK_SIZE)
    return (
        ray.data.range(blocks)
        .rename_columns({"id": "block"})
        .map_batches(render_blocks, batch_size=1, fn_kwargs=dict(count=count, seed=seed, split=split))
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", required=True)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--webdataset", action="store_true", help="write WebDataset tars, not Parquet")
    parser.add_argument("--num-cpus", type=int, help="CPUs of the local Ray (default: all)")
    args = parser.parse_args(argv)
    try:
        import ray
    except ImportError:
        raise SystemExit("this example needs Ray Data: pip install 'digitseq[ray]'") from None
    started = time.perf_counter()
    ray.init(ignore_reinit_error=True, include_dashboard=False, num_cpus=args.num_cpus)
    print(f"ray.init: {time.perf_counter() - started:.1f} s")
    data = build(args.count, args.seed)
    if args.webdataset:  # the PNG bytes as they are (encoder=None): Ray would decode and re-encode them
        data.map(
            lambda row: {"__key__": f"{row['index']:06d}", "png": row["png"], "txt": row["label"].encode()}
        ).write_webdataset(args.output, encoder=None)
    else:
        data.write_parquet(args.output)
    print(f"wrote {args.count} images to {args.output} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
