"""The JSON label index cache (the seed's grouped_labels) and the decompressed image cache.

Every broken cache is detected, logged, rebuilt, and never makes the generator draw a wrong digit.
"""

from __future__ import annotations

import io
import json
import logging
import os
import zlib

import numpy as np
import pytest
from mnist_files import small_sample, write_idx_pair

from digitseq_gui import Config, DigitDataset, DigitSequence, load_dataset
from digitseq_gui.engine.data import label_index


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("DIGITSEQ_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def labels(mnist_test):
    return np.asarray(mnist_test.labels[:300])


def expected_index(labels):
    return [np.flatnonzero(labels == d) for d in range(10)]


def assert_index_equal(index, labels):
    assert len(index) == 10
    for digit, rows in enumerate(index):
        np.testing.assert_array_equal(np.sort(rows), np.flatnonzero(labels == digit))


def warnings_of(caplog):
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_built_once_then_reused(cache, labels, caplog):
    path = label_index.index_path(labels)
    assert not path.exists()
    first = label_index.load_or_build(labels)
    assert path.exists() and path.parent == cache
    assert_index_equal(first, labels)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["format"] == label_index.FORMAT_VERSION
    assert [sorted(rows) for rows in document["grouped_labels"]] == [
        r.tolist() for r in expected_index(labels)
    ]
    stat = path.stat()
    caplog.set_level(logging.WARNING)
    second = label_index.load_or_build(labels)
    assert_index_equal(second, labels)
    assert path.stat().st_mtime_ns == stat.st_mtime_ns and path.stat().st_ino == stat.st_ino, "rewritten"
    assert warnings_of(caplog) == []
    assert [p.name for p in cache.iterdir()] == [path.name], "no temporary files left"


def test_the_cache_is_what_the_generator_uses(cache, mnist_test):
    images, labels, _ = small_sample(mnist_test, per_digit=4)
    dataset = DigitDataset(images=images, labels=labels, name="small", fingerprint="small")
    DigitSequence(Config(), dataset=dataset, seed=0).generate("0123456789", (2, 8), 300)
    assert label_index.index_path(labels).exists()


def test_keyed_by_a_hash_of_the_labels(cache, labels):
    changed = labels.copy()
    changed[[0, 1]] = changed[[1, 0]] if changed[0] != changed[1] else (changed[0], (changed[0] + 1) % 10)
    assert not np.array_equal(changed, labels)
    assert label_index.index_path(changed) != label_index.index_path(labels)
    label_index.load_or_build(labels)
    index = label_index.load_or_build(changed)
    assert_index_equal(index, changed)
    assert len(list(cache.glob("label-index-*.json"))) == 2


def _tamper(document, labels):
    """Ways to break a valid cached index document (each returns the new file text)."""
    grouped = document["grouped_labels"]

    def edit(fn):
        doc = json.loads(json.dumps(document))
        fn(doc["grouped_labels"], doc)
        return json.dumps(doc)

    first_one = grouped[1][0]
    return {
        "empty file": "",
        "not json": "this is not json {",
        "invalid utf-8": b"\xff\xfe\x00garbage",
        "truncated": json.dumps(document)[: len(json.dumps(document)) // 2],
        "json list": "[1, 2, 3]",
        "deeply nested": "[" * 100_000,
        "wrong format number": edit(lambda g, d: d.__setitem__("format", 99)),
        "no format": edit(lambda g, d: d.pop("format")),
        "nine lists": edit(lambda g, d: g.pop()),
        "index out of range": edit(lambda g, d: g[3].append(len(labels) + 5)),
        "huge index": edit(lambda g, d: g[3].__setitem__(0, 10**30)),
        "negative index": edit(lambda g, d: g[3].__setitem__(0, -1)),
        "row under the wrong label": edit(lambda g, d: g[7].append(g[1].pop(0))),
        "rows swapped between labels": edit(
            lambda g, d: (g[1].__setitem__(0, g[7][0]), g[7].__setitem__(0, first_one))
        ),
        "duplicated row": edit(lambda g, d: g[2].append(g[2][0])),
        "duplicated row replacing another": edit(lambda g, d: g[2].__setitem__(1, g[2][0])),
        "missing row": edit(lambda g, d: g[5].pop()),
        "float rows": edit(lambda g, d: g.__setitem__(4, [float(r) for r in g[4]])),
        "boolean row": edit(lambda g, d: g[0].__setitem__(0, True)),
        "string row": edit(lambda g, d: g[0].__setitem__(0, "5")),
        "null list": edit(lambda g, d: g.__setitem__(6, None)),
        "duplicate key": json.dumps(document)[:-1] + ', "grouped_labels": []}',
        "huge integer": edit(lambda g, d: g[3].__setitem__(0, "HUGE")).replace('"HUGE"', "9" * 5000),
    }


def _tamper_cases():
    fake = {"format": 1, "grouped_labels": [[3 * d, 3 * d + 1, 3 * d + 2] for d in range(10)]}
    return list(_tamper(fake, np.zeros(30)).keys())


@pytest.mark.parametrize("case", _tamper_cases())
def test_broken_cache_is_detected_logged_and_rebuilt(cache, labels, caplog, case):
    label_index.load_or_build(labels)
    path = label_index.index_path(labels)
    document = json.loads(path.read_text(encoding="utf-8"))
    broken = _tamper(document, labels)[case]
    if isinstance(broken, bytes):
        path.write_bytes(broken)
    else:
        path.write_text(broken, encoding="utf-8")
    caplog.set_level(logging.WARNING)
    index = label_index.load_or_build(labels)
    assert_index_equal(index, labels)
    messages = [r.getMessage() for r in warnings_of(caplog)]
    assert any(path.name in m and "rebuild" in m for m in messages), messages
    # the cache was rewritten and is good again
    assert_index_equal(label_index._validated(json.loads(path.read_text(encoding="utf-8")), labels), labels)


def test_a_folder_in_place_of_the_cache_file(cache, labels, caplog):
    path = label_index.index_path(labels)
    path.mkdir(parents=True)
    caplog.set_level(logging.WARNING)
    assert_index_equal(label_index.load_or_build(labels), labels)
    assert warnings_of(caplog)


def test_tampered_cache_never_makes_the_generator_draw_a_wrong_digit(cache, mnist_test):
    images, labels, _ = small_sample(mnist_test, per_digit=6)
    path = label_index.index_path(labels)
    # A well-formed index whose rows for 1 and 7 are swapped: right counts, wrong labels.
    index = expected_index(labels)
    index[1], index[7] = index[7][: len(index[1])], index[1][: len(index[7])]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"format": label_index.FORMAT_VERSION, "grouped_labels": [r.tolist() for r in index]})
    )
    dataset = DigitDataset(images=images, labels=labels, name="small", fingerprint="small")
    batch = DigitSequence(Config(), dataset=dataset, seed=1).generate_batch(["1717"] * 50, (2, 8), 150)
    for label, sources in zip(batch.labels, batch.source_indices):
        np.testing.assert_array_equal(labels[sources], [int(c) for c in label])


def test_unwritable_cache_folder_still_works_with_a_warning(tmp_path, monkeypatch, mnist_test, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("DIGITSEQ_CACHE_DIR", str(blocker / "cache"))
    images, labels, rows = small_sample(mnist_test, per_digit=5)
    folder = tmp_path / "data"
    write_idx_pair(folder, images, labels)
    caplog.set_level(logging.WARNING)
    dataset = load_dataset(folder)
    np.testing.assert_array_equal(dataset.images, images)
    batch = DigitSequence(Config(), dataset=dataset, seed=0).generate_batch(["0123456789"] * 5, (2, 8), 300)
    for label, sources in zip(batch.labels, batch.source_indices):
        np.testing.assert_array_equal(labels[sources], [int(c) for c in label])
    messages = " ".join(r.getMessage() for r in warnings_of(caplog))
    assert "label index" in messages and "image cache" in messages
    assert blocker.read_text() == "not a folder"


# ---------------------------------------------------------------------------------------------
# The decompressed image cache (dataset.py)


def _npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def _npz() -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, a=np.zeros(3))
    return buffer.getvalue()


IMAGE_CACHE_DAMAGE = {
    "empty": lambda good: b"",
    "truncated": lambda good: good[: len(good) // 3],
    "garbage": lambda good: b"garbage" * 100,
    "zip archive": lambda good: _npz(),
    "pickled objects": lambda good: _npy(np.array([{"a": 1}, None], dtype=object)),
    "float images": lambda good: _npy(np.zeros((50, 28, 28), dtype=np.float32)),
    "wrong shape": lambda good: _npy(np.zeros((7, 28, 28), dtype=np.uint8)),
    "flat": lambda good: _npy(np.zeros(50 * 28 * 28, dtype=np.uint8)),
    # Same header, shape and dtype, every pixel inverted: only the checksum can tell.
    "inverted pixels": lambda good: good[:128] + bytes(255 - b for b in good[128:]),
}


@pytest.mark.parametrize("damage", list(IMAGE_CACHE_DAMAGE))
def test_broken_image_cache_is_ignored_and_rebuilt(cache, tmp_path, mnist_test, caplog, damage):
    images, labels, _ = small_sample(mnist_test, per_digit=5)
    folder = tmp_path / "data"
    write_idx_pair(folder, images, labels)
    load_dataset(folder)
    [cached] = list(cache.glob("images-*.npy"))
    good = cached.read_bytes()
    cached.write_bytes(IMAGE_CACHE_DAMAGE[damage](good))
    caplog.set_level(logging.WARNING)
    dataset = load_dataset(folder)
    np.testing.assert_array_equal(dataset.images, images)
    np.testing.assert_array_equal(dataset.labels, labels)
    assert cached.read_bytes() == good, "the cache was not rebuilt"
    if damage not in ("wrong shape",):
        assert warnings_of(caplog), "a broken cache must be logged"


def test_image_cache_is_reused(cache, tmp_path, mnist_test):
    images, labels, _ = small_sample(mnist_test, per_digit=5)
    folder = tmp_path / "data"
    write_idx_pair(folder, images, labels)
    load_dataset(folder)
    [cached] = list(cache.glob("images-*.npy"))
    stat = cached.stat()
    again = load_dataset(folder)
    np.testing.assert_array_equal(again.images, images)
    assert cached.stat().st_mtime_ns == stat.st_mtime_ns
    # changed images give another cache file, never the stale one
    changed = images.copy()
    changed[0] = 255 - changed[0]
    write_idx_pair(folder, changed, labels)
    np.testing.assert_array_equal(load_dataset(folder).images, changed)
    assert len(list(cache.glob("images-*.npy"))) == 2
    assert not [p for p in cache.iterdir() if p.name.endswith(".tmp")]


def test_an_image_cache_is_checked_against_the_data_file_not_a_stored_checksum(
    cache, tmp_path, mnist_test, caplog
):
    """Editing the cached pixels and writing a matching checksum beside them (as older versions
    stored one) does not make the cache trusted: it must agree with the gzip file's own CRC-32."""
    images, labels, _ = small_sample(mnist_test, per_digit=5)
    folder = tmp_path / "data"
    write_idx_pair(folder, images, labels)
    load_dataset(folder)
    [cached] = list(cache.glob("images-*.npy"))
    assert not list(cache.glob("*.crc32")), "no checksum of its own is needed"
    forged = images.copy()
    forged[forged.shape[0] // 2] = 255 - forged[forged.shape[0] // 2]
    cached.write_bytes(_npy(forged))
    checksum = f"{zlib.crc32(forged.tobytes()):08x}"
    cached.with_suffix(".crc32").write_text(checksum)
    caplog.set_level(logging.WARNING)
    np.testing.assert_array_equal(load_dataset(folder).images, images)
    assert "do not match the data file" in caplog.text
    np.testing.assert_array_equal(np.load(cached), images)  # rebuilt
    assert not cached.with_suffix(".crc32").exists()


def test_no_image_cache_for_a_raw_idx_file(cache, tmp_path, mnist_test):
    """An uncompressed IDX file already holds the pixels: read them, cache nothing."""
    images, labels, _ = small_sample(mnist_test, per_digit=5)
    folder = tmp_path / "data"
    write_idx_pair(folder, images, labels, gz=False)
    np.testing.assert_array_equal(load_dataset(folder).images, images)
    assert not list(cache.glob("images-*"))


def test_a_fifo_in_place_of_a_cache_file_never_blocks(cache, tmp_path, mnist_test, caplog):
    images, labels, _ = small_sample(mnist_test, per_digit=5)
    folder = tmp_path / "data"
    write_idx_pair(folder, images, labels)
    _ = load_dataset(folder).by_label  # builds both caches
    [cached] = list(cache.glob("images-*.npy"))
    index = label_index.index_path(labels)
    for path in (cached, index):
        path.unlink()
        os.mkfifo(path)
    caplog.set_level(logging.WARNING)
    dataset = load_dataset(folder)  # would block forever if either FIFO were opened
    np.testing.assert_array_equal(dataset.images, images)
    assert_index_equal(dataset.by_label, labels)
    assert "FIFO" in caplog.text


def test_a_label_index_cache_larger_than_any_index_of_its_labels_is_not_read(cache, labels, caplog):
    path = label_index.index_path(labels)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(" " * (len(labels) * 10 + 2048) + "{}")
    caplog.set_level(logging.WARNING)
    assert_index_equal(label_index.load_or_build(labels), labels)
    assert "at most" in caplog.text and path.name in caplog.text
