"""Exports: formats read back against the manifest, leading zeros, splits, separators, safety."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from PIL import Image
from test_export_helpers import folder_hashes, request, small_config

from digitseq_gui import InvalidInputError, export
from digitseq_gui.engine import sequences
from digitseq_gui.export.errors import ExportFolderError
from digitseq_gui.export.manifest import read_manifest


@pytest.mark.parametrize("fmt", ["png", "jsonl", "npz"])
def test_every_format_reads_back_and_matches_the_manifest(tmp_path, fmt):
    result = export.run_export(request(tmp_path / fmt, count=130, fmt=fmt))
    assert result.status == "complete" and result.written == result.total == 130
    data = export.load_export(tmp_path / fmt)
    manifest = data["manifest"]
    assert manifest["status"] == "complete" and "progress" not in manifest
    assert manifest["count"] == 130 and manifest["seed"] == 11 and manifest["format"] == fmt
    assert manifest["block_size"] == 64 and manifest["chunk_size"] == 64
    assert manifest["package"]["version"] and len(manifest["data_fingerprints"]["test"]) == 64
    part = data["all"]
    assert list(part["indices"]) == list(range(130))
    assert len(part["labels"]) == 130
    planned = sequences.make_sequences(sequences.random_lengths(1, 6), 130, seed=11)
    assert [str(label) for label in part["labels"]] == planned
    for label, boxes, sources in zip(part["labels"], part["box_list"], part["source_list"]):
        assert boxes.shape == (len(label), 4) and len(sources) == len(label)
        assert np.all(boxes[:, 0] < boxes[:, 2]) and np.all(boxes[:, 2] <= 200)
        assert np.all((sources >= 0) & (sources < 10_000))
    if fmt == "npz":
        assert part["images"].shape == (130, 28, 200) and part["images"].dtype == np.uint8
        assert list(part["lengths"]) == [len(t) for t in planned]
    else:
        files = sorted(p.name for p in (tmp_path / fmt / "images").iterdir())
        assert files == [f"{i:06d}.png" for i in range(130)]
        assert part["files"][5] == "images/000005.png"


def test_png_and_npz_hold_the_same_pixels(tmp_path):
    export.run_export(request(tmp_path / "png", count=70, fmt="png"))
    export.run_export(request(tmp_path / "npz", count=70, fmt="npz"))
    arrays = export.load_export(tmp_path / "npz")["all"]["images"]
    for i in (0, 33, 69):
        with Image.open(tmp_path / "png" / "images" / f"{i:06d}.png") as image:
            assert np.array_equal(np.asarray(image), arrays[i])


def test_labels_keep_leading_zeros_in_every_format(tmp_path):
    texts = ["0213", "007", "0", "0000"]
    for fmt in ("png", "jsonl", "npz"):
        export.run_export(request(tmp_path / fmt, count=None, fmt=fmt, sequences=sequences.explicit(texts)))
        labels = [str(x) for x in export.load_export(tmp_path / fmt)["all"]["labels"]]
        assert labels == texts
    csv_text = (tmp_path / "png" / "labels.csv").read_text()
    assert ",0213," in csv_text and ",007," in csv_text


def test_splits_never_share_a_digit_image(tmp_path):
    req = request(
        tmp_path / "out", count=200, fmt="npz", config=small_config(), splits="train=0.6,val=0.2,test=0.2"
    )
    export.run_export(req)
    data = export.load_export(tmp_path / "out")
    parts = {p["name"]: p for p in data["manifest"]["parts"]}
    assert [parts[n]["count"] for n in ("train", "val", "test")] == [120, 40, 40]
    # train and val: the training file's rows, split by writer (issue 17; test_writer_splits.py)
    assert parts["train"]["digits"]["file_split"] == "train" and parts["train"]["digits"]["writers"] == 450
    assert parts["val"]["digits"]["file_split"] == "train" and parts["val"]["digits"]["writers"] == 89
    assert parts["train"]["digits"]["count"] + parts["val"]["digits"]["count"] == 60_000
    assert parts["test"]["digits"]["file_split"] == "test"
    used = {
        name: set(np.concatenate(data[name]["source_list"]).tolist()) for name in ("train", "val", "test")
    }
    assert not used["train"] & used["val"]
    # test rows index the test file: different images even where the numbers coincide
    assert max(used["test"]) < 10_000
    # the parts take consecutive ranges of the one sequence stream: train 0-119, val 120-159, test 160-199
    planned = sequences.make_sequences(sequences.random_lengths(1, 6), 200, seed=11)
    assert [str(x) for x in data["train"]["labels"]] == planned[:120]
    assert [str(x) for x in data["val"]["labels"]] == planned[120:160]
    assert [str(x) for x in data["test"]["labels"]] == planned[160:]


def test_separators_become_blank_gaps(tmp_path):
    req = request(
        tmp_path / "out",
        count=64,
        fmt="npz",
        sequences=sequences.pattern("0[789]0-####"),
        separator_width=12,
        config=small_config(width=160),
    )
    export.run_export(req)
    part = export.load_export(tmp_path / "out")["all"]
    for image, boxes, text in zip(part["images"], part["box_list"], part["texts"]):
        assert text[3] == "-" and len(boxes) == 7
        gap = boxes[3, 0] - boxes[2, 2]
        assert gap >= 12
        # a white run at least as wide as the separator sits between digits 3 and 4
        white = np.all(image[:, boxes[2, 2] : boxes[3, 0]] == 255, axis=0)
        assert white.sum() >= 12


def test_separators_wider_than_the_image_are_refused(tmp_path):
    req = request(tmp_path / "out", sequences=sequences.pattern("0-0-0"), separator_width=100)
    with pytest.raises(InvalidInputError, match="separator"):
        export.run_export(req)
    assert not (tmp_path / "out").exists()


def test_bad_requests_fail_before_writing(tmp_path):
    out = tmp_path / "out"
    for kwargs in (
        {"fmt": "tiff"},
        {"chunk_size": 100},
        {"splits": "train=0.5,test=0.4"},
        {"splits": "dev=1"},
        {"workers": 0},
        {"shard": "3/2"},
    ):
        with pytest.raises(InvalidInputError):
            export.run_export(request(out, **kwargs))
        assert not out.exists()


def test_existing_exports_are_replaced_only_when_asked(tmp_path):
    out = tmp_path / "out"
    export.run_export(request(out, count=64))
    with pytest.raises(ExportFolderError, match="holds an earlier export") as caught:
        export.run_export(request(out, count=128))
    assert caught.value.kind == "not_empty" and "--overwrite" not in str(
        caught.value
    )  # the CLI adds its words
    assert read_manifest(out)["count"] == 64
    export.run_export(request(out, count=128, overwrite=True))
    assert read_manifest(out)["count"] == 128
    assert len(list((out / "images").iterdir())) == 128


def test_overwrite_refuses_naming_files_no_export_wrote(tmp_path):
    out = tmp_path / "out"
    export.run_export(request(out, count=64))
    (out / "mine.txt").write_text("keep")
    (out / "images" / "photo.jpg").write_bytes(b"jpeg")
    (out / "images" / "000064.png").write_bytes(b"beyond the count: not the export's")
    before = folder_hashes(out)
    with pytest.raises(ExportFolderError, match="mine.txt") as caught:
        export.run_export(request(out, count=128, overwrite=True))
    message = str(caught.value)
    assert caught.value.kind == "foreign_files"
    assert "images/photo.jpg" in message and "images/000064.png" in message
    assert folder_hashes(out) == before  # nothing touched


def test_overwrite_refuses_a_folder_that_holds_no_export(tmp_path):
    out = tmp_path / "out"
    (out / "train").mkdir(parents=True)
    (out / "train" / "mine.csv").write_text("keep")
    with pytest.raises(ExportFolderError, match="holds no DigitSeq export"):
        export.run_export(request(out, count=64, overwrite=True))
    assert (out / "train" / "mine.csv").read_text() == "keep"
    assert sorted(p.name for p in out.iterdir()) == ["train"]  # not even a lock file was left


def test_resume_with_other_settings_is_refused(tmp_path):
    out = tmp_path / "out"
    export.run_export(request(out, count=64))
    with pytest.raises(InvalidInputError, match="seed"):
        export.run_export(request(out, count=64, seed=12, resume=True))
    assert export.run_export(request(out, count=64, resume=True)).status == "complete"


def test_preview_shows_the_first_images_of_the_export(tmp_path):
    req = request(tmp_path / "out", count=64, fmt="npz")
    shown = export.preview(req, 3)
    assert not (tmp_path / "out").exists()
    export.run_export(req)
    part = export.load_export(tmp_path / "out")["all"]
    for i, (image, text) in enumerate(shown):
        assert text == str(part["texts"][i])
        assert np.array_equal(image, part["images"][i])


def test_transform_exports_move_the_digits_but_keep_them_in_their_boxes(tmp_path):
    export.run_export(request(tmp_path / "plain", count=64, fmt="npz"))
    export.run_export(request(tmp_path / "out", count=64, fmt="npz", config=small_config(transform=True)))
    plain = export.load_export(tmp_path / "plain")["all"]
    part = export.load_export(tmp_path / "out")["all"]
    images = part["images"]
    assert images.dtype == np.uint8 and images.shape == plain["images"].shape
    assert list(part["labels"]) == list(plain["labels"])  # the same texts, other pixels
    assert np.mean([not np.array_equal(a, b) for a, b in zip(images, plain["images"])]) > 0.9
    for image, boxes in zip(images, part["box_list"]):
        for x0, y0, x1, y1 in boxes:  # every digit still has ink inside its box
            assert image[y0:y1, x0:x1].min() < 128


def test_csv_is_plain_csv(tmp_path):
    export.run_export(request(tmp_path / "out", count=64, sequences=sequences.explicit(["0213", "007"])))
    with open(tmp_path / "out" / "labels.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["index", "file", "label", "text", "boxes", "source_indices", "writer", "writers"]
    assert len(rows) == 65 and rows[1][:4] == ["0", "images/000000.png", "0213", "0213"]
    assert rows[2][2] == "007"  # leading zeros kept as text
    boxes = json.loads(rows[1][4])
    assert len(boxes) == 4 and all(len(b) == 4 and b[0] < b[2] <= 200 for b in boxes)
    with Image.open(tmp_path / "out" / "images" / "000000.png") as image:
        assert image.mode == "L" and image.size == (200, 28)
        pixels = np.asarray(image)
    for x0, y0, x1, y1 in boxes:
        assert pixels[y0:y1, x0:x1].min() < 128  # the box holds a digit's ink
