"""SequenceDataset and SequenceStream through the real torch DataLoader with 2 workers."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch.utils.data import DataLoader, IterableDataset  # noqa: E402

from digitseq_gui import BLOCK_SIZE, SequenceDataset, collate_ctc  # noqa: E402

# Workers by spawn: they get the data set pickled (the strict case), and the test process, which
# earlier tests left with threads, is never forked.
SPAWN = {"multiprocessing_context": "spawn"}


def to_tensor(image: np.ndarray):
    return torch.from_numpy(image)[None]  # (1, 28, W) float32


def test_map_dataset_through_two_workers_gives_the_in_process_items():
    dataset = SequenceDataset(
        1280, lengths=(3, 8), seed=17, split="test", dtype="float32", transform=to_tensor
    )
    loader = DataLoader(dataset, batch_size=BLOCK_SIZE, num_workers=2, collate_fn=collate_ctc, **SPAWN)
    batches = list(loader)
    assert [b["images"].shape for b in batches] == [(64, 1, 28, 200), (64, 1, 28, 200)]  # 128 test items
    for batch in batches:
        for row, index in enumerate(batch["indices"].tolist()):
            item = dataset[index]
            assert torch.equal(batch["images"][row], item["image"])
            assert batch["labels"][row] == item["label"]
            length = int(batch["target_lengths"][row])
            assert batch["targets"][row, :length].tolist() == item["targets"].tolist()
            assert not batch["targets"][row, length:].any()  # padded with the blank
    assert sorted(i for b in batches for i in b["indices"].tolist()) == list(range(len(dataset)))


def epoch_samples(stream, epoch: int, batches: int) -> list[tuple[int, bytes, str]]:
    stream.set_epoch(epoch)
    loader = DataLoader(stream, batch_size=32, num_workers=2, collate_fn=collate_ctc, **SPAWN)
    out = []
    for batch in itertools.islice(loader, batches):
        out += [
            (index, bytes(image.numpy().tobytes()), label)
            for index, image, label in zip(batch["indices"].tolist(), batch["images"], batch["labels"])
        ]
    return out


def test_stream_through_two_workers_is_disjoint_fresh_per_epoch_and_reproducible():
    stream = SequenceDataset(10, lengths=(4, 6), seed=23, split="train").stream()
    assert isinstance(stream, IterableDataset)
    first = epoch_samples(stream, 0, 8)  # 256 images: blocks 0-3, two from each worker
    indices = [i for i, _, _ in first]
    assert sorted(indices) == list(range(4 * BLOCK_SIZE))  # worker 0: blocks 0, 2; worker 1: blocks 1, 3
    assert len({image for _, image, _ in first}) == len(first)  # no worker repeats the other
    stream.set_epoch(0)
    here = {
        item["index"]: (item["index"], item["image"].tobytes(), item["label"])
        for b in range(4)
        for item in stream.block(b)
    }
    assert first == [here[i] for i in indices]  # what the workers made is the stream's own blocks
    second = epoch_samples(stream, 1, 8)
    assert not {image for _, image, _ in first} & {image for _, image, _ in second}
    again = SequenceDataset(10, lengths=(4, 6), seed=23, split="train").stream()
    assert epoch_samples(again, 1, 8) == second


def test_collated_batch_is_what_ctc_loss_takes():
    dataset = SequenceDataset(64, lengths=(1, 7), seed=2, dtype="float32", transform=to_tensor)
    batch = collate_ctc([dataset[i] for i in range(16)])
    steps = 25
    log_probs = torch.randn(steps, 16, 11).log_softmax(2)
    loss = torch.nn.CTCLoss(blank=0)(
        log_probs, batch["targets"], torch.full((16,), steps, dtype=torch.long), batch["target_lengths"]
    )
    assert torch.isfinite(loss) and loss.item() > 0
    assert batch["images"].dtype == torch.float32 and batch["targets"].dtype == torch.int64
