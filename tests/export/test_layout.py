"""The chunk-and-shard layout: one value, the same from a plan as from its manifest."""

from __future__ import annotations

import pytest
from test_export_helpers import request

from digitseq_gui import export
from digitseq_gui.export.layout import Chunk, ChunkLayout


@pytest.mark.parametrize("shard", [None, (1, 3), (2, 3), (3, 3)])
def test_a_plan_and_its_manifest_give_the_same_layout(tmp_path, shard):
    plan = export.plan_export(
        request(tmp_path / "out", count=300, splits="train=0.8,val=0.1,test=0.1", shard=shard)
    )
    layout = ChunkLayout.from_plan(plan)
    assert layout == ChunkLayout.from_manifest(plan.manifest) == plan.layout
    assert layout.part_sizes == (240, 30, 30) and layout.chunk_count == 4 + 1 + 1
    if shard is not None:
        assert plan.manifest["shard"]["chunks"] == [layout.owned.start, layout.owned.stop]
    assert plan.total == sum(c.count for c in layout.chunks(layout.owned))


def test_chunks_cover_every_image_once_in_order():
    layout = ChunkLayout((130, 64, 1), 64)
    chunks = list(layout.chunks())
    assert chunks == [
        Chunk(0, 0, 0, 0, 64),
        Chunk(1, 0, 1, 64, 64),
        Chunk(2, 0, 2, 128, 2),
        Chunk(3, 1, 0, 0, 64),
        Chunk(4, 2, 0, 0, 1),
    ]
    assert [layout.images_before(n) for n in range(6)] == [0, 64, 128, 130, 194, 195]
    with pytest.raises(IndexError):
        layout.chunk(5)


def test_shards_split_the_chunks_into_contiguous_ranges():
    owned = [ChunkLayout((130, 64, 1), 64, (i, 2)).owned for i in (1, 2)]
    assert owned == [range(0, 2), range(2, 5)]
    second = ChunkLayout((130, 64, 1), 64, (2, 2))
    assert [second.owned_in_part(p) for p in range(3)] == [range(2, 3), range(0, 1), range(0, 1)]
    assert ChunkLayout((130, 64, 1), 64, (1, 2)).owned_in_part(1) == range(0)
    assert second.owned_images == 2 + 64 + 1 and second.images_committed(2) == 66
    assert second.committed_ranges(2) == {0: (range(128, 130), range(2, 3)), 1: (range(0, 64), range(0, 1))}


def test_merge_refuses_a_shard_whose_chunk_count_its_parts_do_not_make(tmp_path):
    import json

    from digitseq_gui.export.errors import ExportFolderError

    halves = [tmp_path / f"s{i}" for i in (1, 2)]
    for i, folder in enumerate(halves, 1):
        export.run_export(request(folder, count=256, shard=(i, 2)))
    for folder in halves:  # consistent between the shards, but not what their parts make
        manifest = json.loads((folder / "manifest.json").read_text())
        manifest["shard"]["chunk_count"] = 5
        (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ExportFolderError, match=r"\[0, 2\] of 5 instead of \[0, 2\] of 4"):
        export.merge_exports(halves, tmp_path / "m")
    assert not (tmp_path / "m").exists()
