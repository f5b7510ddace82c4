"""Writers in exports and writer-disjoint splits (issue 17): every format records each image's
writer and its digits' writers; ``val`` draws from training-file writers held out of ``train``;
an export made before (row rule, no writer columns) still resumes and merges under its own rule."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from test_export_helpers import cancel_after, folder_hashes

from digitseq_gui import Config, InvalidInputError, SequenceDataset, export
from digitseq_gui.engine import sequences
from digitseq_gui.engine.data.writers import embedded_writers
from digitseq_gui.export import plan as plan_module
from digitseq_gui.export.splits import held_out_writers

SPLITS = "train=0.5,val=0.25,test=0.25"


def split_request(output, fmt="png", count=400, **kwargs) -> export.ExportRequest:
    kwargs.setdefault("sequences", sequences.random_lengths(2, 6))
    return export.ExportRequest(
        output, count=count, format=fmt, splits=SPLITS, seed=3, chunk_size=64, **kwargs
    )


def part_writers(folder, part: str) -> tuple[set[int], list[dict]]:
    with open(folder / part / "labels.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {w for r in rows for w in json.loads(r["writers"])}, rows


def test_no_writer_appears_in_two_parts_of_an_export(tmp_path):
    export.run_export(split_request(tmp_path / "out"))
    found = {part: part_writers(tmp_path / "out", part)[0] for part in ("train", "val", "test")}
    assert found["train"] and found["val"] and found["test"]
    assert not found["train"] & found["val"]
    assert not (found["train"] | found["val"]) & found["test"]
    held = set(held_out_writers(embedded_writers("train")).tolist())
    assert found["val"] <= held and not found["train"] & held
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    parts = {p["name"]: p["digits"] for p in manifest["parts"]}
    assert (parts["val"]["count"], parts["val"]["writers"]) == (9956, 89)
    assert (parts["train"]["count"], parts["train"]["writers"]) == (50044, 450)
    assert "held out for val" in parts["train"]["rule"] and "every 6th" in manifest["split_rule"]
    assert "writers" in manifest


def test_no_writer_appears_in_two_parts_of_a_sequence_dataset():
    found = {}
    for split in ("train", "val", "test"):
        data = SequenceDataset(lengths=(3, 5), count=200, seed=1, splits=SPLITS, split=split)
        found[split] = {w for i in range(len(data)) for w in data[i]["writers"].tolist()}
        assert data[0]["writer"] == -1 and len(data[0]["writers"]) == len(data[0]["label"])
    assert not found["train"] & found["val"] and not (found["train"] | found["val"]) & found["test"]


@pytest.mark.parametrize("fmt", ["png", "jsonl", "npz"])
def test_writer_same_exports_one_writer_per_image(tmp_path, fmt):
    config = Config.from_dict({"sampling": {"writer": "same"}, "dataset": {"split": "test"}})
    request = export.ExportRequest(
        tmp_path / fmt, count=100, format=fmt, sequences=sequences.random_lengths(3, 6), config=config, seed=2
    )
    export.run_export(request)
    writers = embedded_writers("test")
    if fmt == "npz":
        arrays = np.load(tmp_path / fmt / "data.npz")
        images_writer, digits = arrays["writer"], arrays["writers"]
        sources = arrays["source_indices"]
        for i in range(len(images_writer)):
            n = arrays["lengths"][i]
            assert set(digits[i, :n].tolist()) == {int(images_writer[i])}
            assert (writers[sources[i, :n]] == images_writer[i]).all()
        return
    name = "labels.csv" if fmt == "png" else "labels.jsonl"
    text = (tmp_path / fmt / name).read_text()
    rows = (
        list(csv.DictReader(text.splitlines()))
        if fmt == "png"
        else [json.loads(line) for line in text.splitlines()]
    )
    for row in rows:
        digit_writers = row["writers"] if fmt == "jsonl" else json.loads(row["writers"])
        sources = row["source_indices"] if fmt == "jsonl" else json.loads(row["source_indices"])
        assert set(digit_writers) == {int(row["writer"])} and writers[sources].tolist() == digit_writers


def test_writer_same_on_a_folder_without_writers_is_refused_before_writing(tmp_path):
    from mnist_files import small_sample, write_idx_pair

    from digitseq_gui.engine.data.dataset import load_dataset

    images, labels, _ = small_sample(load_dataset("mnist", "test"), per_digit=5)
    write_idx_pair(tmp_path / "data", images, labels)
    config = Config.from_dict({"sampling": {"writer": "same"}, "dataset": {"source": str(tmp_path / "data")}})
    request = export.ExportRequest(
        tmp_path / "out", count=10, sequences=sequences.random_lengths(2, 3), config=config
    )
    with pytest.raises(InvalidInputError, match="writers.txt"):
        export.run_export(request)
    assert not (tmp_path / "out").exists()


def old_export(output, monkeypatch, *run):
    """An export made as before issue 17 (row rule, no writer columns): the code path that
    today resumes such an export, taken on an empty folder."""
    with monkeypatch.context() as patch:
        patch.setattr(plan_module, "made_before_writers", lambda folder: True)
        return export.run_export(split_request(output, resume=True), *run)


def test_an_older_export_keeps_its_row_rule_and_columns_and_resumes_under_them(tmp_path, monkeypatch):
    old_export(tmp_path / "whole", monkeypatch)
    manifest = json.loads((tmp_path / "whole" / "manifest.json").read_text())
    assert "writers" not in manifest and manifest["split_rule"].startswith(
        "train: train file minus the hold-out"
    )
    val = {p["name"]: p["digits"] for p in manifest["parts"]}["val"]
    assert val["rows"] == [50000, 60000] and "writers" not in val
    header = (tmp_path / "whole" / "train" / "labels.csv").read_text().splitlines()[0]
    assert header == "index,file,label,text,boxes,source_indices"
    rows = list(csv.DictReader((tmp_path / "whole" / "val" / "labels.csv").read_text().splitlines()))
    assert all(int(s) >= 50000 for r in rows for s in json.loads(r["source_indices"]))

    # Interrupted the old way, then resumed by today's code with no hint: the old export's bytes.
    result = old_export(tmp_path / "part", monkeypatch, *cancel_after(2))
    assert result.status == "cancelled"
    again = export.run_export(split_request(tmp_path / "part", resume=True))
    assert again.status == "complete"
    assert folder_hashes(tmp_path / "part") == folder_hashes(tmp_path / "whole")


def test_older_shards_merge_under_their_own_rule(tmp_path, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(plan_module, "made_before_writers", lambda folder: True)
        for i in (1, 2):
            export.run_export(split_request(tmp_path / f"s{i}", resume=True, shard=f"{i}/2"))
    export.run_export(split_request(tmp_path / "new"))
    export.merge_exports([tmp_path / "s1", tmp_path / "s2"], tmp_path / "merged")
    merged = json.loads((tmp_path / "merged" / "manifest.json").read_text())
    assert "writers" not in merged
    header = (tmp_path / "merged" / "val" / "labels.csv").read_text().splitlines()[0]
    assert header == "index,file,label,text,boxes,source_indices"
    # the new rule gives other val digits: the old export really kept its own
    old_val = (tmp_path / "merged" / "val" / "labels.csv").read_text()
    assert old_val.splitlines()[1] != (tmp_path / "new" / "val" / "labels.csv").read_text().splitlines()[1]


def test_sequence_dataset_takes_writer_same_as_a_keyword():
    data = SequenceDataset(lengths=(3, 5), count=100, seed=1, splits=SPLITS, split="val", writer="same")
    held = set(held_out_writers(embedded_writers("train")).tolist())
    for i in range(0, len(data), 7):
        item = data[i]
        assert item["writer"] in held and set(item["writers"].tolist()) == {item["writer"]}
    with pytest.raises(InvalidInputError, match="writer must be one of any, same"):
        SequenceDataset(lengths=3, count=10, writer="one")
