"""The five formats hold the same data, read back the way training code reads them, and resume,
shard and merge each work."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image
from test_export_helpers import cancel_after, folder_hashes, request

from digitseq_gui import export
from digitseq_gui.engine import sequences

FORMATS = ["png", "jsonl", "npz", "lmdb", "webdataset"]
TEXTS = ["0213", "007", "090-1234-5678", "5", "0000"] * 26  # 130 images, leading zeros, separators


def _decode(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("L"))


def _read_like_deep_text_recognition_benchmark(root):
    """What deep-text-recognition-benchmark's LmdbDataset does, step by step."""
    lmdb = pytest.importorskip("lmdb")
    env = lmdb.open(str(root), max_readers=32, readonly=True, lock=False, readahead=False, meminit=False)
    samples = []
    with env.begin(write=False) as txn:
        n_samples = int(txn.get(b"num-samples"))
        for index in range(1, n_samples + 1):
            label = txn.get(b"label-%09d" % index).decode("utf-8")
            imgbuf = txn.get(b"image-%09d" % index)
            buf = io.BytesIO()
            buf.write(imgbuf)
            buf.seek(0)
            samples.append((Image.open(buf).convert("L"), label, bytes(imgbuf)))
    env.close()
    return samples


def _read_with_webdataset(folder):
    wds = pytest.importorskip("webdataset")
    urls = [str(p) for p in sorted(folder.glob("shard-*.tar"))]
    return list(wds.WebDataset(urls, shardshuffle=False, empty_check=False))


def test_all_five_formats_hold_the_same_images_and_labels(tmp_path):
    source = sequences.explicit(TEXTS)
    for fmt in FORMATS:
        export.run_export(
            request(tmp_path / fmt, count=None, fmt=fmt, sequences=source, shard_size=50, separator_width=6)
        )
    labels = [t.replace("-", "") for t in TEXTS]
    png_bytes = [(tmp_path / "png" / "images" / f"{i:06d}.png").read_bytes() for i in range(len(TEXTS))]
    pixels = [_decode(b) for b in png_bytes]

    png = export.load_export(tmp_path / "png")["all"]
    assert png["labels"] == labels and png["texts"] == TEXTS

    jsonl = export.load_export(tmp_path / "jsonl")["all"]
    assert jsonl["labels"] == labels and jsonl["texts"] == TEXTS
    assert [(tmp_path / "jsonl" / f).read_bytes() for f in jsonl["files"]] == png_bytes
    for a, b in zip(png["box_list"], jsonl["box_list"]):
        assert np.array_equal(a, b)

    npz = export.load_export(tmp_path / "npz")["all"]
    assert [str(x) for x in npz["labels"]] == labels and [str(x) for x in npz["texts"]] == TEXTS
    assert all(np.array_equal(npz["images"][i], pixels[i]) for i in range(len(TEXTS)))
    # CTC targets beside lengths: digit d is class d + 1, padded with the blank 0 (engine/alphabet.py),
    # the convention of SequenceDataset and collate_ctc; the manifest records it.
    manifest = export.load_export(tmp_path / "npz")["manifest"]
    assert manifest["alphabet"] == "0123456789" and manifest["blank"] == 0
    for i, label in enumerate(labels):
        assert npz["lengths"][i] == len(label)
        assert list(npz["targets"][i, : len(label)]) == [int(c) + 1 for c in label]
        assert (npz["targets"][i, len(label) :] == 0).all()
        assert np.array_equal(npz["box_list"][i], png["box_list"][i])
    assert npz["targets"].shape == (len(TEXTS), 11) and npz["targets"].dtype == np.int32

    lmdb_samples = _read_like_deep_text_recognition_benchmark(tmp_path / "lmdb")
    assert [label for _, label, _ in lmdb_samples] == labels
    assert [raw for _, _, raw in lmdb_samples] == png_bytes
    assert np.array_equal(np.asarray(lmdb_samples[2][0]), pixels[2])

    samples = _read_with_webdataset(tmp_path / "webdataset")
    assert sorted(p.name for p in (tmp_path / "webdataset").glob("*.tar")) == [
        "shard-000000.tar",
        "shard-000001.tar",
        "shard-000002.tar",
    ]  # 50 + 50 + 30
    assert [s["__key__"] for s in samples] == [f"{i:06d}" for i in range(len(TEXTS))]
    assert [s["txt"].decode() for s in samples] == labels
    assert [s["png"] for s in samples] == png_bytes
    annotations = [json.loads(s["json"]) for s in samples]
    assert [a["text"] for a in annotations] == TEXTS
    assert all(np.array_equal(np.array(a["boxes"]), b) for a, b in zip(annotations, png["box_list"]))


@pytest.mark.parametrize("fmt", FORMATS)
def test_resume_after_cancel_and_shards_merge_for_every_format(tmp_path, fmt):
    kwargs = dict(count=300, fmt=fmt, splits="train=0.6,test=0.4", shard_size=70)
    export.run_export(request(tmp_path / "whole", **kwargs))
    whole = folder_hashes(tmp_path / "whole", ignore_chunk_size=False)

    progress, cancel = cancel_after(2)
    assert export.run_export(request(tmp_path / "part", **kwargs), progress, cancel).status == "cancelled"
    export.run_export(request(tmp_path / "part", resume=True, **kwargs))
    assert folder_hashes(tmp_path / "part", ignore_chunk_size=False) == whole

    shards = [tmp_path / f"shard{i}" for i in (1, 2, 3)]
    for i, folder in enumerate(shards, 1):
        export.run_export(request(folder, shard=(i, 3), **kwargs))
    export.merge_exports(shards[::-1], tmp_path / "merged")
    assert folder_hashes(tmp_path / "merged", ignore_chunk_size=False) == whole


@pytest.mark.parametrize("compression", ["fast", "none"])
@pytest.mark.parametrize("fmt", ["png", "npz"])
def test_compression_changes_the_size_never_the_pixels(tmp_path, fmt, compression):
    export.run_export(request(tmp_path / "default", count=64, fmt=fmt))
    export.run_export(request(tmp_path / compression, count=64, fmt=fmt, compression=compression))

    def pixels_and_size(folder):
        if fmt == "npz":
            return export.load_export(folder)["all"]["images"], (folder / "data.npz").stat().st_size
        files = sorted((folder / "images").iterdir())
        return np.stack([_decode(p.read_bytes()) for p in files]), sum(p.stat().st_size for p in files)

    default_pixels, default_size = pixels_and_size(tmp_path / "default")
    pixels, size = pixels_and_size(tmp_path / compression)
    assert np.array_equal(pixels, default_pixels)
    if compression == "none":
        assert size > 2 * default_size
    assert export.load_export(tmp_path / compression)["manifest"]["compression"] == compression


def test_annotation_json_is_the_compact_json_of_the_annotations():
    """The label files' and webdataset's JSON rows are built from templates for speed; they must
    be exactly what json.dumps writes, for any digit count, separators and non-ASCII text."""
    from digitseq_gui.export.formats.base import annotation_json
    from digitseq_gui.export.rendering import Rendered

    rng = np.random.default_rng(5)
    digits = [1, 4, 8, 11, 0]
    boxes = [rng.integers(-3, 2000, (n, 4)).astype(np.int32) for n in digits]
    sources = [rng.integers(0, 60000, n) for n in digits]
    labels = ["7", "0123", "09012345", "12345678901", ""]
    texts = ["7", "01-23", '0901 "2345"', "123/456\\78901", "é\u2013"]
    rendered = Rendered(40, labels, texts, boxes, sources, None)
    for i in range(len(digits)):
        row = {
            "index": 40 + i,
            "label": labels[i],
            "text": texts[i],
            "boxes": boxes[i].tolist(),
            "source_indices": sources[i].tolist(),
        }
        assert annotation_json(rendered, i) == json.dumps(row, separators=(",", ":"))
        with_file = {
            "index": 40 + i,
            "file": f"images/{40 + i:06d}.png",
            **{k: v for k, v in row.items() if k != "index"},
        }
        assert annotation_json(rendered, i, f"images/{40 + i:06d}.png") == json.dumps(
            with_file, separators=(",", ":")
        )
