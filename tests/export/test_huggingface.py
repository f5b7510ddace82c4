"""The Hugging Face layouts: --format parquet (read back by the real ``datasets``) holds exactly
the png export's images and labels, and resumes, shards and merges like every format; the png
export's metadata.csv is what ImageFolder reads."""

from __future__ import annotations

import io
import sys

import numpy as np
import pytest
from PIL import Image
from test_export_helpers import cancel_after, folder_hashes, request

from digitseq_gui import export
from digitseq_gui.engine import sequences
from digitseq_gui.engine.errors import InvalidInputError

pytest.importorskip("pyarrow")
TEXTS = ["0213", "007", "090-1234-5678", "5", "0000"] * 26  # 130 images, leading zeros, separators


def _png_export(folder, **kwargs):
    export.run_export(request(folder, fmt="png", **kwargs))
    return export.load_export(folder)


def test_parquet_holds_the_png_exports_images_and_labels_and_datasets_reads_it(tmp_path):
    datasets = pytest.importorskip("datasets")
    source = sequences.explicit(TEXTS)
    kwargs = dict(count=None, sequences=source, separator_width=6)
    export.run_export(request(tmp_path / "pq", fmt="parquet", shard_size=50, **kwargs))
    _png_export(tmp_path / "png", **kwargs)
    names = sorted(p.name for p in (tmp_path / "pq" / "data").iterdir())
    assert names == [f"train-0000{i}-of-00003.parquet" for i in range(3)]  # 50 + 50 + 30
    png_bytes = [(tmp_path / "png" / "images" / f"{i:06d}.png").read_bytes() for i in range(len(TEXTS))]
    png = export.load_export(tmp_path / "png")["all"]

    data = datasets.load_dataset("parquet", data_dir=str(tmp_path / "pq"))["train"]
    assert data.features["image"] == datasets.Image() and data.features["label"].dtype == "string"
    assert data.features["index"].dtype == "int64"
    assert data["label"] == [t.replace("-", "") for t in TEXTS] and data["text"] == TEXTS
    assert data["index"] == list(range(len(TEXTS)))
    for i in (0, 2, 129):  # decoded images: the png export's pixels
        assert np.array_equal(np.asarray(data[i]["image"]), np.asarray(Image.open(io.BytesIO(png_bytes[i]))))
        assert np.array_equal(np.array(data[i]["boxes"]), png["box_list"][i])
    raw = data.cast_column("image", datasets.Image(decode=False))["image"]
    assert [r["bytes"] for r in raw] == png_bytes  # the very bytes every format stores
    assert export.load_export(tmp_path / "pq")["all"]["image_bytes"] == png_bytes


def test_parquet_parts_are_hugging_face_splits(tmp_path):
    datasets = pytest.importorskip("datasets")
    kwargs = dict(count=200, splits="train=0.6,val=0.2,test=0.2")
    export.run_export(request(tmp_path / "pq", fmt="parquet", **kwargs))
    png = _png_export(tmp_path / "png", **kwargs)
    loaded = datasets.load_dataset(str(tmp_path / "pq"))  # the folder alone, no code
    assert set(loaded) == {"train", "validation", "test"}
    for split, part in (("train", "train"), ("validation", "val"), ("test", "test")):
        assert loaded[split]["label"] == png[part]["labels"]
        assert loaded[split]["index"] == png[part]["indices"].tolist()
    assert (tmp_path / "pq" / "val" / "data" / "val-00000-of-00001.parquet").is_file()


def test_parquet_resumes_shards_and_merges_to_the_same_bytes(tmp_path):
    kwargs = dict(count=300, fmt="parquet", splits="train=0.6,test=0.4", shard_size=70)
    export.run_export(request(tmp_path / "whole", **kwargs))
    whole = folder_hashes(tmp_path / "whole", ignore_chunk_size=False)
    assert "train/data/train-00002-of-00003.parquet" in whole

    progress, cancel = cancel_after(2)
    assert export.run_export(request(tmp_path / "part", **kwargs), progress, cancel).status == "cancelled"
    export.run_export(request(tmp_path / "part", resume=True, **kwargs))
    assert folder_hashes(tmp_path / "part", ignore_chunk_size=False) == whole

    shards = [tmp_path / f"shard{i}" for i in (1, 2, 3)]
    for i, folder in enumerate(shards, 1):
        export.run_export(request(folder, shard=(i, 3), **kwargs))
    export.merge_exports(shards[::-1], tmp_path / "merged")
    assert folder_hashes(tmp_path / "merged", ignore_chunk_size=False) == whole


def test_png_metadata_csv_is_read_by_imagefolder(tmp_path):
    datasets = pytest.importorskip("datasets")
    png = _png_export(
        tmp_path / "png", count=None, sequences=sequences.explicit(TEXTS[:10]), separator_width=6
    )["all"]
    # csv has no types: ImageFolder reads digit strings as numbers unless told they are text
    features = datasets.Features(
        image=datasets.Image(),
        label=datasets.Value("string"),
        text=datasets.Value("string"),
        boxes=datasets.Value("string"),
        source_indices=datasets.Value("string"),
        index=datasets.Value("int64"),
    )
    data = datasets.load_dataset("imagefolder", data_dir=str(tmp_path / "png"), features=features)["train"]
    assert (
        data["label"] == png["labels"] and data["text"] == png["texts"] and data["index"] == list(range(10))
    )
    for i in range(10):
        assert np.array_equal(
            np.asarray(data[i]["image"]), np.asarray(Image.open(tmp_path / "png" / png["files"][i]))
        )
    plain = datasets.load_dataset("imagefolder", data_dir=str(tmp_path / "png"))["train"]
    assert plain["index"] == list(range(10)) and len(plain) == 10  # and with no code at all


def test_png_metadata_csv_survives_resume_and_merge(tmp_path):
    kwargs = dict(count=300, fmt="png", splits="train=0.6,test=0.4")
    export.run_export(request(tmp_path / "whole", **kwargs))
    whole = folder_hashes(tmp_path / "whole", ignore_chunk_size=False)
    assert "train/metadata.csv" in whole and "test/metadata.csv" in whole
    lines = (tmp_path / "whole" / "train" / "metadata.csv").read_text().splitlines()
    assert lines[0] == "file_name,label,text,boxes,source_indices,index,writer,writers" and len(lines) == 181
    progress, cancel = cancel_after(2)
    assert export.run_export(request(tmp_path / "part", **kwargs), progress, cancel).status == "cancelled"
    assert not (tmp_path / "part" / "train" / "metadata.csv").exists()  # only once a part is complete
    export.run_export(request(tmp_path / "part", resume=True, **kwargs))
    assert folder_hashes(tmp_path / "part", ignore_chunk_size=False) == whole
    shards = [tmp_path / f"shard{i}" for i in (1, 2)]
    for i, folder in enumerate(shards, 1):
        export.run_export(request(folder, shard=(i, 2), **kwargs))
    export.merge_exports(shards, tmp_path / "merged")
    assert folder_hashes(tmp_path / "merged", ignore_chunk_size=False) == whole


def test_without_pyarrow_the_parquet_format_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now fails, as when missing
    with pytest.raises(InvalidInputError, match=r"pip install 'digitseq\[parquet\]'"):
        export.run_export(request(tmp_path / "pq", fmt="parquet", count=64))
    assert not (tmp_path / "pq").exists()  # nothing half-written
