"""Transforms that move pixels move the boxes with them: torchvision transforms.v2 with
tv_tensors.BoundingBoxes, or any callable of (image, boxes); target_transform; and
SequenceDataset under DistributedSampler with set_epoch."""

from __future__ import annotations

import numpy as np
import pytest

from digitseq_gui import SequenceDataset, SequenceStream


def test_torchvision_v2_rotation_and_crop_keep_every_box_on_its_digit():
    pytest.importorskip("torch")
    v2 = pytest.importorskip("torchvision.transforms.v2")
    plain = SequenceDataset(64, lengths=(3, 6), seed=4)
    height, width = plain[0]["image"].shape
    # a quarter turn counter-clockwise (exact on the pixel grid), then 5 rows off each end
    pipeline = v2.Compose(
        [
            v2.RandomRotation(degrees=(90, 90), expand=True),
            v2.CenterCrop((width - 10, height)),
            v2.ClampBoundingBoxes(),
        ]
    )
    turned = SequenceDataset(64, lengths=(3, 6), seed=4, transform=pipeline)
    for i in range(0, 64, 9):
        before, after = plain[i], turned[i]
        image = after["image"][0].numpy()
        assert np.array_equal(image, np.rot90(before["image"])[5:-5])
        boxes = after["boxes"]
        assert type(boxes).__name__ == "BoundingBoxes" and boxes.format.name == "XYXY"
        # (x, y) goes to (y, width - x), then up 5 rows: each box is its digit's box, turned
        x0, y0, x1, y1 = before["boxes"].T
        want = np.stack(
            [y0, np.clip(width - x1 - 5, 0, width - 10), y1, np.clip(width - x0 - 5, 0, width - 10)], 1
        )
        assert np.array_equal(boxes.numpy().astype(int), want)
        # every dark pixel of the turned image is inside a turned box
        outside = image < 128
        for bx0, by0, bx1, by1 in want:
            outside[by0:by1, bx0:bx1] = False
        assert not outside.any()


def test_a_callable_of_image_and_boxes_gets_numpy_and_its_boxes_are_the_items():
    def mirror(image, boxes):
        width = image.shape[1]
        return image[:, ::-1].copy(), np.stack(
            [width - boxes[:, 2], boxes[:, 1], width - boxes[:, 0], boxes[:, 3]], 1
        )

    plain = SequenceStream(lengths=4, seed=3).block(0)
    mirrored = SequenceStream(lengths=4, seed=3, transform=mirror, target_transform=len).block(0)
    for a, b in zip(plain, mirrored):
        assert np.array_equal(b["image"], a["image"][:, ::-1])
        for old, new in zip(a["boxes"], b["boxes"]):
            assert np.array_equal(
                b["image"][new[1] : new[3], new[0] : new[2]],
                a["image"][old[1] : old[3], old[0] : old[2]][:, ::-1],
            )
        assert b["target"] == 4 and b["label"] == a["label"]


def test_distributed_sampler_with_set_epoch_splits_the_items_over_ranks():
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader, DistributedSampler

    from digitseq_gui import collate_ctc

    dataset = SequenceDataset(200, lengths=(3, 5), seed=6)
    seen = {}
    for epoch in (0, 1):
        for rank in (0, 1):
            sampler = DistributedSampler(dataset, num_replicas=2, rank=rank, shuffle=True, seed=1)
            sampler.set_epoch(epoch)
            loader = DataLoader(dataset, batch_size=25, sampler=sampler, collate_fn=collate_ctc)
            batches = list(loader)
            seen[epoch, rank] = torch.cat([b["indices"] for b in batches]).tolist()
            for batch in batches[:1]:  # item i is item i whatever the order it is read in
                for row, index in enumerate(batch["indices"].tolist()):
                    assert torch.equal(batch["images"][row], torch.from_numpy(dataset[index]["image"]))
    for epoch in (0, 1):
        assert sorted(seen[epoch, 0] + seen[epoch, 1]) == list(range(200))  # disjoint, complete
    assert seen[0, 0] != seen[1, 0]  # set_epoch reshuffles
