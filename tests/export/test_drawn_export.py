"""Exports and SequenceDataset with drawn symbols and presets: one CTC convention everywhere."""

from __future__ import annotations

from digitseq_gui import SequenceDataset, collate_ctc, export
from digitseq_gui.dataset import NUM_CLASSES, label_of_targets, targets_of
from digitseq_gui.engine import sequences
from digitseq_gui.engine.alphabet import BLANK, DIGITS, FULL, num_classes
from digitseq_gui.engine.config import Config
from digitseq_gui.engine.presets import preset_config, preset_source

DRAWN = Config.from_dict({"separators": {"style": "drawn"}})


def test_one_convention_for_targets():
    assert FULL == "0123456789-.,/:()+" and BLANK == 0
    assert targets_of("0123").tolist() == [1, 2, 3, 4]  # digit d is class d + 1 in every alphabet
    assert targets_of("12:05", FULL).tolist() == [2, 3, 15, 1, 6]
    assert label_of_targets([2, 3, 15, 1, 6]) == "12:05"
    assert NUM_CLASSES == num_classes(DIGITS) == 11 and num_classes(FULL) == 19


def test_a_drawn_preset_export_records_its_alphabet_and_its_npz_targets_decode_to_the_labels(tmp_path):
    request = export.ExportRequest(
        tmp_path,
        sequences=preset_source("date"),
        count=300,
        config=preset_config("date"),
        seed=4,
        format="npz",
        splits="train=0.8,test=0.2",
        chunk_size=128,
        workers=2,
    )
    export.run_export(request)
    loaded = export.load_export(tmp_path)
    manifest = loaded["manifest"]
    assert manifest["alphabet"] == FULL and manifest["blank"] == BLANK
    assert manifest["sequences"]["kind"] == "preset" and manifest["sequences"]["preset"] == "date"
    for part in manifest["parts"]:
        data = loaded[part["name"]]
        dataset = SequenceDataset(
            300,
            sequences=preset_source("date"),
            config=preset_config("date"),
            seed=4,
            split=part["name"],
            splits="train=0.8,test=0.2",
        )
        assert dataset.alphabet == manifest["alphabet"] and dataset.num_classes == 19
        for i in (0, 1, len(dataset) - 1):
            label = str(data["labels"][i])
            assert "/" in label or "-" in label  # the separators are in the label
            n = int(data["lengths"][i])
            assert n == len(label) and label_of_targets(data["targets"][i, :n], manifest["alphabet"]) == label
            assert (data["targets"][i, n:] == BLANK).all()
            item = dataset[i]
            assert item["label"] == label and item["image"].tobytes() == data["images"][i].tobytes()
            assert item["targets"].tolist() == data["targets"][i, :n].tolist()
            assert len(data["box_list"][i]) == n  # a box per character
        batch = collate_ctc([dataset[0], dataset[1]], tensors=False)
        assert batch["targets"].shape[1] == 10 and set(batch["targets"].ravel().tolist()) - set(
            range(1, 19)
        ) <= {0}


def test_a_list_mixing_drawn_symbols_and_gaps_exports_like_the_data_set(tmp_path):
    texts = ["12 34", "5-6", "7:8", "90.12", "3 (4)5"] * 30
    export.run_export(
        export.ExportRequest(
            tmp_path, sequences=sequences.explicit(texts), config=DRAWN, seed=2, format="npz", chunk_size=64
        )
    )
    data = export.load_export(tmp_path)["all"]
    assert [str(x) for x in data["labels"][:5]] == ["1234", "5-6", "7:8", "90.12", "3(4)5"]
    dataset = SequenceDataset(sequences=texts, config=DRAWN, seed=2)
    for i in (0, 4, 77, 149):
        assert dataset[i]["image"].tobytes() == data["images"][i].tobytes()
        assert dataset[i]["label"] == str(data["labels"][i])
    stream = SequenceDataset(sequences=texts, config=DRAWN, seed=2).stream()
    assert {item["label"] for item in stream.block(0)} <= {"1234", "5-6", "7:8", "90.12", "3(4)5"}
