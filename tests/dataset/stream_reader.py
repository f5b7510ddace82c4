"""A training process reading a SequenceStream, run as its own process by test_distributed.py.

    python stream_reader.py OUT.json --workers W --batches N [--save-after K STATE.json]
        [--resume STATE.json] [--distributed]

Reads N batches of 16 through torchdata's StatefulDataLoader (W workers) and writes, per batch,
the items' indices, labels and image sha256; the blocks rendered, in this process and its
workers, as a render log beside OUT; with --save-after, the loader's state after K batches (JSON);
with --resume, loads such a state first. --distributed joins a gloo group (RANK, WORLD_SIZE,
MASTER_ADDR, MASTER_PORT from the environment) so the stream takes its rank from it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
from pathlib import Path

from digitseq_gui import SequenceStream

SETTINGS = dict(lengths=(3, 5), seed=19)
BATCH = 16


class LoggedStream(SequenceStream):
    """The real stream, writing the number of every block it renders to a log (one per process)."""

    log = ""

    def block(self, block: int) -> list[dict]:
        with open(f"{self.log}.{os.getpid()}", "a") as handle:
            handle.write(f"{block}\n")
        return super().block(block)


def batch_record(items: list[dict]) -> dict:
    return {
        "indices": [int(item["index"]) for item in items],
        "labels": [item["label"] for item in items],
        "sha256": [hashlib.sha256(item["image"].tobytes()).hexdigest() for item in items],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--batches", type=int, required=True)
    parser.add_argument("--save-after", nargs=2)
    parser.add_argument("--resume")
    parser.add_argument("--distributed", action="store_true")
    args = parser.parse_args()
    if args.distributed:
        import torch.distributed as dist

        dist.init_process_group("gloo")
    from torchdata.stateful_dataloader import StatefulDataLoader

    stream = LoggedStream(**SETTINGS)
    stream.log = args.out + ".renders"
    loader = StatefulDataLoader(stream, batch_size=BATCH, num_workers=args.workers, collate_fn=batch_record)
    if args.resume:
        loader.load_state_dict(json.loads(Path(args.resume).read_text()))
    batches = []
    for batch in loader:
        batches.append(batch)
        if args.save_after and len(batches) == int(args.save_after[0]):
            Path(args.save_after[1]).write_text(json.dumps(loader.state_dict()))
        if len(batches) == args.batches:
            break
    Path(args.out).write_text(json.dumps(batches))
    if args.distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
