"""SequenceStream under torch.distributed and torchdata's StatefulDataLoader, in real processes:
2 gloo ranks (CPU, loopback) with 2 DataLoader workers each read exactly the single-process
stream's blocks, disjoint, in the documented order; a loader stopped after k batches, saved and
resumed in a new process goes on with exactly the batches the uninterrupted run gave next, byte
for byte, and renders none of the consumed blocks again (counted, not timed)."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("torchdata.stateful_dataloader")

from digitseq_gui import SequenceStream  # noqa: E402

READER = Path(__file__).with_name("stream_reader.py")
sys.path.insert(0, str(READER.parent))
from stream_reader import BATCH, SETTINGS  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(out: Path, *args: str, ranks: int = 0) -> list:
    """stream_reader.py in new processes: one, or ``ranks`` joined in a gloo group. The batches
    each wrote (one list per rank)."""
    command = [sys.executable, str(READER)]
    if not ranks:
        subprocess.run([*command, str(out), *args], check=True, timeout=240)
        return [json.loads(out.read_text())]
    env = dict(os.environ, MASTER_ADDR="127.0.0.1", MASTER_PORT=str(_free_port()), WORLD_SIZE=str(ranks))
    procs = [
        subprocess.Popen(
            [*command, f"{out}.rank{r}", "--distributed", *[a.replace("RANK", str(r)) for a in args]],
            env=dict(env, RANK=str(r)),
        )
        for r in range(ranks)
    ]
    for p in procs:
        assert p.wait(timeout=240) == 0
    return [json.loads(Path(f"{out}.rank{r}").read_text()) for r in range(ranks)]


def _rendered(out: Path) -> list[int]:
    """Every block the process(es) that wrote ``out`` rendered, from their render logs."""
    return [
        int(line) for log in out.parent.glob(out.name + "*.renders.*") for line in log.read_text().split()
    ]


def _reference_block(block: int) -> dict:
    items = SequenceStream(**SETTINGS).block(block)
    return {
        "indices": [item["index"] for item in items],
        "labels": [item["label"] for item in items],
        "sha256": [hashlib.sha256(item["image"].tobytes()).hexdigest() for item in items],
    }


def test_two_ranks_of_two_workers_read_the_single_process_blocks_disjoint_in_a_known_order(tmp_path):
    # 16 batches of 16 per rank: each of the 4 readers (rank * 2 + worker) gets through 2 blocks.
    per_rank = _run(tmp_path / "dist", "--workers", "2", "--batches", "16", ranks=2)
    single = {b: _reference_block(b) for b in range(8)}
    seen: list[int] = []
    for rank, batches in enumerate(per_rank):
        for i, batch in enumerate(batches):
            # the loader takes one batch from each worker in turn; reader c takes blocks c, c + 4
            worker, nth = i % 2, i // 2
            reader = rank * 2 + worker
            block = reader + 4 * (nth // (64 // BATCH))
            at = (nth % (64 // BATCH)) * BATCH
            want = {key: values[at : at + BATCH] for key, values in single[block].items()}
            assert batch == want, (rank, i)
            seen += batch["indices"]
    assert sorted(seen) == list(range(8 * 64))  # the union: every item of blocks 0-7, once each


@pytest.mark.parametrize("workers", [0, 2])
def test_stateful_loader_resumes_in_a_new_process_without_rendering_consumed_blocks(tmp_path, workers):
    first_blocks = {}
    for k in (3, 11):  # stopped in block 0 and in block 2 (workers: 1 and 5 of their own blocks)
        out, state = tmp_path / f"whole{k}", tmp_path / f"state{k}.json"
        whole = _run(
            out, "--workers", str(workers), "--batches", str(k + 6), "--save-after", str(k), str(state)
        )[0]
        resumed_out = tmp_path / f"resumed{k}"
        resumed = _run(resumed_out, "--workers", str(workers), "--batches", "6", "--resume", str(state))[0]
        assert resumed == whole[k:]  # indices, labels and image bytes of the next 6 batches
        rendered = _rendered(resumed_out)
        yielded_blocks = {i // 64 for batch in resumed for i in batch["indices"]}
        assert len(rendered) == len(set(rendered))  # no block rendered twice
        assert min(rendered) == min(yielded_blocks)  # nothing before the block it stopped in
        assert set(rendered) >= yielded_blocks
        first_blocks[k] = len([b for b in rendered if b <= max(yielded_blocks)])
    # the work before the first resumed batch does not grow with k: the same count of blocks
    assert first_blocks[3] == first_blocks[11]


def test_stateful_loader_resumes_under_two_ranks(tmp_path):
    whole = _run(
        tmp_path / "whole", "--batches", "9", "--save-after", "5", str(tmp_path / "stRANK.json"), ranks=2
    )
    resumed = _run(tmp_path / "resumed", "--batches", "4", "--resume", str(tmp_path / "stRANK.json"), ranks=2)
    for rank in (0, 1):
        assert resumed[rank] == whole[rank][5:]
        # rank r reads blocks r, r + 2, ...: after 5 batches of 16 it is in its second block
        assert whole[rank][5]["indices"][0] == (2 + rank) * 64 + 16
    rendered = _rendered(tmp_path / "resumed")
    # batches 5-8 of a rank are items 80-143 of its blocks: its second and third (rank 0: 2 and
    # 4, rank 1: 3 and 5); its first (0, 1), consumed before the stop, is not rendered again
    assert sorted(rendered) == [2, 3, 4, 5]
