"""Shards on a local Dask cluster: the merged result equals the single-machine export.

This is the README's Dask example, run for real: each Dask task makes one shard
(``run_export`` with ``shard=(i, n)``), then ``merge_exports`` joins them.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

from digitseq_gui import Config, export  # noqa: E402
from digitseq_gui.engine import sequences  # noqa: E402


def hashes(folder: Path) -> dict:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def make_request(output, shard=None) -> export.ExportRequest:
    config = Config()
    config.image.width = 160
    return export.ExportRequest(
        output,
        sequences.random_lengths(3, 6),
        count=400,
        config=config,
        seed=21,
        format="npz",
        splits="train=0.5,val=0.25,test=0.25",
        chunk_size=64,
        shard=shard,
    )


def make_shard(root: str, index: int, count: int) -> str:
    result = export.run_export(make_request(Path(root) / f"shard-{index}", shard=(index, count)))
    assert result.status == "complete"
    return str(result.output)


def test_dask_shards_merge_into_the_single_machine_export(tmp_path):
    shard_count = 3
    with distributed.LocalCluster(
        n_workers=2, processes=False, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        with distributed.Client(cluster) as client:
            futures = [
                client.submit(make_shard, str(tmp_path), i, shard_count, pure=False)
                for i in range(1, shard_count + 1)
            ]
            shard_folders = client.gather(futures)
    export.merge_exports(shard_folders, tmp_path / "merged")
    export.run_export(make_request(tmp_path / "single"))
    merged = hashes(tmp_path / "merged")
    assert set(merged) == {
        "manifest.json",
        ".digitseq/lock",
        "train/data.npz",
        "val/data.npz",
        "test/data.npz",
    }
    assert merged == hashes(tmp_path / "single")
