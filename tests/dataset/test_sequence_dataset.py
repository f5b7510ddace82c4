"""SequenceDataset and SequenceStream without torch: byte-identical to a real export on disk, the
same in other processes, fresh per epoch and disjoint per worker, and clear errors."""

from __future__ import annotations

import itertools
import multiprocessing
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from digitseq_gui import (
    BLOCK_SIZE,
    Config,
    DigitSequence,
    SequenceDataset,
    SequenceStream,
    collate_ctc,
    export,
)
from digitseq_gui.dataset import label_of_targets
from digitseq_gui.engine import sequences
from digitseq_gui.engine.errors import DigitSeqError


def augmented_config() -> Config:
    config = Config()
    config.image.transform = True
    config.image.augmentations["noise"].enabled = True  # whole-image, after the separator gaps
    return config


# Each case: the export's settings (as SequenceDataset keywords) and its file format.
CASES = {
    "png, no splits, lengths": (dict(count=150, lengths=(1, 6), seed=11), "png"),
    "npz, splits, pattern with separators, augmentation": (
        dict(
            count=300,
            pattern="0[789]0-####-##",
            seed=3,
            splits="train=0.6,val=0.2,test=0.2",
            separator_width=6,
            config=augmented_config(),
        ),
        "npz",
    ),
    "jsonl, splits, list mixing separator counts, augmentation": (
        dict(
            sequences=["007", "12-34", "5-6-7", "0123456", "9"] * 40,
            seed=5,
            splits="train=0.5,test=0.5",
            config=augmented_config(),
            separator_width=4,
        ),
        "jsonl",
    ),
}


def export_settings(settings: dict) -> dict:
    """SequenceDataset keywords -> ExportRequest fields."""
    out = dict(settings)
    if "lengths" in out:
        out["sequences"] = sequences.random_lengths(*out.pop("lengths"))
    elif "pattern" in out:
        out["sequences"] = sequences.pattern(out.pop("pattern"))
    else:
        out["sequences"] = sequences.explicit(out["sequences"])
    return out


def exported_part(folder: Path, fmt: str, part: dict) -> tuple[list[np.ndarray], list[str], list[np.ndarray]]:
    """Images (decoded from the files), labels and boxes of one part of an export on disk."""
    data = export.load_export(folder)[part["name"]]
    if fmt == "npz":
        return list(data["images"]), list(data["labels"]), data["box_list"]
    images = [np.asarray(Image.open(folder / part["folder"] / name)) for name in data["files"]]
    return images, data["labels"], data["box_list"]


@pytest.mark.parametrize("case", list(CASES))
def test_items_are_byte_identical_to_the_export_on_disk(tmp_path, case):
    settings, fmt = CASES[case]
    export.run_export(
        export.ExportRequest(tmp_path, format=fmt, chunk_size=128, workers=2, **export_settings(settings))
    )
    manifest = export.load_export(tmp_path)["manifest"]
    for part in manifest["parts"]:
        split = None if part["name"] == "all" else part["name"]
        dataset = SequenceDataset(**dict(settings, split=split) if split else settings)
        images, labels, boxes = exported_part(tmp_path, fmt, part)
        assert len(dataset) == part["count"] == len(images)
        # Backwards, so no item comes from a block rendered for its neighbour in order.
        for i in reversed(range(len(dataset))):
            item = dataset[i]
            assert item["image"].dtype == np.uint8 and item["image"].tobytes() == images[i].tobytes(), (
                part["name"],
                i,
            )
            assert item["label"] == labels[i]
            np.testing.assert_array_equal(item["boxes"], boxes[i])


def test_items_are_the_images_of_the_digitseq_export_command(tmp_path):
    from digitseq_gui.cli import main

    assert (
        main(
            [
                "export",
                "--count",
                "200",
                "--pattern",
                "###-####",
                "--separator-width",
                "8",
                "--format",
                "png",
                "--split",
                "train=0.5,test=0.5",
                "--seed",
                "3",
                "--workers",
                "2",
                "-o",
                str(tmp_path),
                "-q",
            ]
        )
        == 0
    )
    labels = export.load_export(tmp_path)["test"]["labels"]
    dataset = SequenceDataset(
        200, pattern="###-####", separator_width=8, seed=3, split="test", splits="train=0.5,test=0.5"
    )
    assert len(dataset) == len(labels) == 100
    for i in range(len(dataset)):
        on_disk = np.asarray(Image.open(tmp_path / "test" / "images" / f"{i:06d}.png"))
        assert dataset[i]["image"].tobytes() == on_disk.tobytes() and dataset[i]["label"] == labels[i]


def test_random_order_gives_the_same_items_as_sequential_order():
    dataset = SequenceDataset(200, lengths=(2, 5), seed=9, split="train")
    in_order = [dataset[i] for i in range(len(dataset))]
    fresh = SequenceDataset(200, lengths=(2, 5), seed=9, split="train")
    for i in np.random.default_rng(0).permutation(len(fresh)):
        assert fresh[int(i)]["image"].tobytes() == in_order[i]["image"].tobytes()
        assert fresh[int(i)]["label"] == in_order[i]["label"]
    assert fresh[-1]["label"] == in_order[-1]["label"]


def test_float32_items_are_the_engines_float_images_and_transform_sees_them():
    config = Config()
    config.dataset.split = "test"
    dataset = SequenceDataset(64, lengths=4, seed=21, config=config, dtype="float32")
    batch = DigitSequence(config).generate_batch(
        list(dataset.texts), seed=21
    )  # no splits: the part seed is the seed
    for i in (0, 17, 63):
        image = dataset[i]["image"]
        assert image.dtype == np.float32 and 0.0 <= image.min() and image.max() <= 1.0
        assert image.tobytes() == batch.images[i].tobytes()
    shapes = SequenceDataset(64, lengths=4, seed=21, config=config, transform=lambda image: image[None, ::2])
    assert shapes[5]["image"].shape == (1, 14, 200)


def test_targets_keep_leading_zeros_and_leave_class_zero_for_the_blank():
    dataset = SequenceDataset(sequences=["007", "0-12", "900"], seed=1)
    assert [dataset[i]["label"] for i in range(3)] == ["007", "012", "900"]
    assert dataset[1]["text"] == "0-12"
    assert dataset[0]["targets"].tolist() == [1, 1, 8]
    assert dataset[2]["targets"].dtype == np.int64 and dataset[2]["targets"].tolist() == [10, 1, 1]
    assert label_of_targets(dataset[1]["targets"]) == "012"


def test_collate_pads_targets_and_gives_their_lengths():
    dataset = SequenceDataset(sequences=["5", "0123", "77"], seed=2)
    batch = collate_ctc([dataset[i] for i in range(3)], tensors=False)
    assert batch["images"].shape == (3, 28, 200) and batch["images"].dtype == np.uint8
    assert batch["targets"].tolist() == [[6, 0, 0, 0], [1, 2, 3, 4], [8, 8, 0, 0]]
    assert batch["target_lengths"].tolist() == [1, 4, 2]
    assert batch["labels"] == ["5", "0123", "77"] and batch["indices"].tolist() == [0, 1, 2]
    assert [len(b) for b in batch["boxes"]] == [1, 4, 2]


# -- other processes, without torch ------------------------------------------------------------------


def _items_in_worker(args):
    dataset, indices = args
    return [(dataset[i]["image"].tobytes(), dataset[i]["label"]) for i in indices]


def _stream_in_worker(args):
    stream, worker, count = args
    return [
        (item["index"], item["image"].tobytes(), item["label"])
        for item in itertools.islice(stream.samples(worker, 2), count)
    ]


def test_a_pool_of_two_processes_gives_the_same_items():
    dataset = SequenceDataset(
        2560, lengths=(3, 7), seed=4, split="val", config=augmented_config()
    )  # 256 items
    wanted = [(dataset[i]["image"].tobytes(), dataset[i]["label"]) for i in range(len(dataset))]
    halves = [list(range(0, 256, 2)), list(range(255, 0, -2))]  # both processes touch every block
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        got = pool.map(_items_in_worker, [(dataset, h) for h in halves])
    for indices, items in zip(halves, got):
        assert items == [wanted[i] for i in indices]


def test_stream_workers_split_the_blocks_and_a_pool_reproduces_them():
    stream = SequenceStream(lengths=(4, 8), seed=13, split="train")
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        first, second = pool.map(
            _stream_in_worker, [(stream, 0, 2 * BLOCK_SIZE), (stream, 1, 2 * BLOCK_SIZE)]
        )
    assert [i for i, _, _ in first] == list(range(0, 64)) + list(range(128, 192))
    assert [i for i, _, _ in second] == list(range(64, 128)) + list(range(192, 256))
    here = {
        item["index"]: (item["index"], item["image"].tobytes(), item["label"])
        for b in range(4)
        for item in stream.block(b)
    }
    assert first + second == [here[i] for i, _, _ in first + second]
    assert len({image for _, image, _ in first + second}) == 4 * BLOCK_SIZE  # no worker repeats another


def test_stream_is_fresh_each_epoch_and_reproducible():
    stream = SequenceStream(pattern="###-####", seed=8, separator_width=5)
    epoch0 = [item["image"].tobytes() for item in stream.block(0)]
    stream.set_epoch(1)
    epoch1 = [item["image"].tobytes() for item in stream.block(0)]
    assert not set(epoch0) & set(epoch1)
    again = SequenceStream(pattern="###-####", seed=8, separator_width=5, epoch=1)
    assert [item["image"].tobytes() for item in itertools.islice(iter(again), BLOCK_SIZE)] == epoch1
    assert all(len(item["label"]) == 7 and item["text"][3] == "-" for item in again.block(3))


def test_data_set_stream_keeps_its_settings():
    """The stream of a data set is the stream made with the data set's own seed, split, dtype,
    separator width, transform and settings, for the epoch asked: the same items, byte for byte."""
    config = Config()
    config.image.width = 150

    def halve(image):  # a transform whose effect shows in every item
        return image[:, ::2]

    texts = ["1-2", "345"]  # a separator: its gap's width shows
    dataset = SequenceDataset(
        100,
        sequences=texts,
        seed=6,
        split="test",
        splits="train=0.5,test=0.5",
        dtype="float32",
        config=config,
        separator_width=4,
        transform=halve,
    )

    def first_items(stream):
        return [
            (item["label"], item["image"].tobytes()) for item in itertools.islice(iter(stream), BLOCK_SIZE)
        ]

    def made(**changed):
        settings = dict(
            sequences=texts,
            seed=6,
            split="test",
            dtype="float32",
            config=config,
            separator_width=4,
            transform=halve,
            epoch=2,
        )
        return first_items(SequenceStream(**dict(settings, **changed)))

    own = first_items(dataset.stream(epoch=2))
    assert own == made() and {label for label, _ in own} == {"12", "345"}
    assert dataset.stream(epoch=2).block(0)[0]["image"].shape == (28, 75)  # the transform's
    assert first_items(dataset.stream(epoch=0)) != own  # the epoch counts
    for changed in ({"seed": 7}, {"separator_width": 10}, {"transform": None}):  # so does each setting
        assert made(**changed) != own, changed


def narrow_config() -> Config:
    config = Config()
    config.image.width = 10
    return config


# -- bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, words",
    [
        (dict(count=10), "give exactly one of lengths"),
        (dict(count=10, lengths=4, pattern="##"), "got lengths and pattern"),
        (dict(count=10, lengths=4, split="training"), "split must be one of train, val, test"),
        (dict(count=10, lengths=4, splits="train=0.5,test=0.5"), "say which part"),
        (dict(count=10, lengths=4, dtype="float16"), "dtype must be one of uint8, float32"),
        (dict(count=10, lengths=4, transform="tensor"), "transform must be a function"),
        (dict(count=10, lengths=(1, 2, 3)), "lengths must be N or (MIN, MAX)"),
        (dict(count=10, lengths=12, config=narrow_config()), "image_width 10 is too small for 12 digits"),
        (dict(count=2, lengths=4, split="val"), "split val gets no images"),
        (
            dict(count=20, lengths=4, split="val", splits="train=0.5,test=0.5"),
            "split val is not one of the parts",
        ),
    ],
)
def test_bad_settings_say_what_to_change(kwargs, words):
    with pytest.raises(DigitSeqError) as caught:
        SequenceDataset(**kwargs)
    assert words in str(caught.value)


def test_bad_index_and_stream_settings():
    dataset = SequenceDataset(10, lengths=3)
    with pytest.raises(IndexError, match="index 10 is out of range for 10 items"):
        dataset[10]
    with pytest.raises(TypeError, match="index must be a whole number"):
        dataset["3"]
    stream = dataset.stream()
    with pytest.raises(ValueError, match="epoch must be a whole number"):
        stream.set_epoch(-1)
    with pytest.raises(ValueError, match="worker must be 0 to workers - 1"):
        next(stream.samples(2, 2))
    with pytest.raises(ValueError, match="separator gap"):
        SequenceStream(pattern="#-#-#-#", separator_width=70)
