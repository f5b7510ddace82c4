"""``sampling.writer``: ``any`` (each digit by any writer, today's bytes) and ``same`` (all digits
of a sequence by one writer, chosen uniformly among those who wrote every digit it needs),
seeded per block like every other draw; the writers of a user's data set from a writers file."""

from __future__ import annotations

import numpy as np
import pytest
from mnist_files import small_sample, write_idx_pair

from digitseq_gui import Config, DatasetError, DigitSequence, InvalidInputError
from digitseq_gui.engine.config import ConfigError
from digitseq_gui.engine.data.dataset import load_dataset
from digitseq_gui.engine.data.writer_index import WriterIndex
from digitseq_gui.engine.data.writers import embedded_writers

SAME = {"sampling": {"writer": "same"}}
TEXTS = ["0123", "9876543210", "5", "4444", "090-1234-5678"] * 30


def same_writer(document: dict | None = None, dataset=None) -> DigitSequence:
    return DigitSequence(Config.from_dict({**SAME, **(document or {})}), dataset=dataset, seed=0)


def test_every_digit_of_a_sequence_is_by_its_one_writer():
    writers = embedded_writers("train")
    batch = same_writer().generate_batch(TEXTS, seed=4)
    for i in range(len(batch)):
        ids = writers[batch.source_indices[i]]
        assert set(ids.tolist()) == {int(batch.writer[i])}
        np.testing.assert_array_equal(batch.writers[i], ids)
    assert len(set(batch.writer.tolist())) > 50  # not one writer for everything


def test_the_writer_is_uniform_among_those_who_wrote_every_digit():
    g = same_writer()
    index = g._digit_source().writer_index()
    batch = g.generate_batch(["0"] * 20_000, seed=1)
    chosen, counts = np.unique(batch.writer, return_counts=True)
    wrote_zero = index.writer_ids[index.candidates(1)]
    assert set(chosen.tolist()) <= set(wrote_zero.tolist()) and len(chosen) > 0.97 * len(wrote_zero)
    expected = len(batch) / len(wrote_zero)  # about 37 each; a chi-square-like bound, not a timing
    assert abs(counts.mean() - expected) < 2 and counts.max() < 3 * expected


def test_same_is_reproducible_and_free_of_chunking():
    g = same_writer({"image": {"transform": True}})
    whole = g.generate_batch(TEXTS, seed=8, as_uint8=True)
    chunks = [g.generate_batch(TEXTS[s : s + 64], seed=8, as_uint8=True, first_index=s) for s in (0, 64, 128)]
    np.testing.assert_array_equal(whole.images, np.concatenate([c.images for c in chunks]))
    assert whole.writer.tolist() == np.concatenate([c.writer for c in chunks]).tolist()
    one, alone = g.generate(TEXTS[1], seed=8), g.generate_batch(TEXTS[1:2], seed=8, as_uint8=True)
    np.testing.assert_array_equal(np.rint(one.image * 255).astype(np.uint8), alone.images[0])
    assert one.writer == alone.writer[0]


def test_any_draws_what_it_always_drew():
    """``same`` draws its writer after everything else in the block's stream: ``any``'s draws
    (and so its bytes, pinned by tests/golden) are untouched, and the default config is ``any``."""
    assert Config().sampling.writer == "any"
    assert "sampling" not in Config().to_dict()  # older configs' recorded settings keep their bytes
    a = DigitSequence(seed=0).generate_batch(TEXTS, seed=3, as_uint8=True)
    b = DigitSequence(Config.from_dict({"sampling": {"writer": "any"}}), seed=0).generate_batch(
        TEXTS, seed=3, as_uint8=True
    )
    np.testing.assert_array_equal(a.images, b.images)
    assert Config.from_dict(SAME).to_dict()["sampling"] == {"writer": "same"}


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ({"sampling": {"writer": "one"}}, "sampling.writer must be one of any, same"),
        ({"sampling": {"who": 1}}, "sampling.who"),
    ],
)
def test_bad_sampling_settings_name_the_key(document, fragment):
    with pytest.raises(ConfigError, match=fragment):
        Config.from_dict(document)


def test_a_folder_without_writers_refuses_same_saying_how_to_supply_them(tmp_path):
    test = load_dataset("mnist", "test")
    images, labels, _ = small_sample(test, per_digit=6)
    write_idx_pair(tmp_path, images, labels)
    with pytest.raises(InvalidInputError, match="-writers.txt") as found:
        same_writer(dataset=load_dataset(str(tmp_path)))
    assert found.value.field == "writer" and "writer 'any'" in str(found.value)
    assert (
        DigitSequence(dataset=load_dataset(str(tmp_path)), seed=0).generate("0123", seed=1).writers.tolist()
        == [-1] * 4
    )


def test_a_writers_file_beside_the_labels_gives_same(tmp_path):
    test = load_dataset("mnist", "test")
    images, labels, _ = small_sample(test, per_digit=6)
    write_idx_pair(tmp_path, images, labels)
    ids = np.empty(len(labels), dtype=int)  # three writers, each with two of every digit
    for d in range(10):
        at = np.flatnonzero(labels == d)
        ids[at] = 100 + np.arange(len(at)) % 3
    (tmp_path / "train-labels-idx1-ubyte-writers.txt").write_text("\n".join(map(str, ids)) + "\n")
    dataset = load_dataset(str(tmp_path))
    assert dataset.writers.tolist() == ids.tolist()
    batch = same_writer(dataset=dataset).generate_batch(["0123456789"] * 64, seed=2)
    assert set(batch.writer.tolist()) == {100, 101, 102}
    for i in range(len(batch)):
        assert set(batch.writers[i].tolist()) == {int(batch.writer[i])}


def test_a_writers_file_of_the_wrong_length_is_refused(tmp_path):
    test = load_dataset("mnist", "test")
    images, labels, _ = small_sample(test, per_digit=2)
    write_idx_pair(tmp_path, images, labels)
    (tmp_path / "train-labels-idx1-ubyte-writers.txt").write_text("1\n2\n")
    with pytest.raises(DatasetError, match="2 writer ids for 20 digits"):
        load_dataset(str(tmp_path))


def test_an_npz_names_its_writers_in_w_train(tmp_path):
    test = load_dataset("mnist", "test")
    images, labels, _ = small_sample(test, per_digit=4)
    path = tmp_path / "mnist.npz"
    w = np.arange(len(labels)) % 2
    np.savez(path, x_train=images, y_train=labels, x_test=images, y_test=labels, w_train=w)
    assert load_dataset(str(path)).writers.tolist() == w.tolist()
    assert load_dataset(str(path), "test").writers is None
    assert set(
        same_writer(dataset=load_dataset(str(path))).generate_batch(["01"] * 64, seed=0).writer.tolist()
    ) == {0, 1}


def test_a_sequence_no_writer_could_write_is_refused_clearly(tmp_path):
    test = load_dataset("mnist", "test")
    images, labels, _ = small_sample(test, per_digit=2)
    write_idx_pair(tmp_path, images, labels)
    ids = labels.astype(int)  # writer d wrote only the digit d
    (tmp_path / "train-labels-idx1-ubyte-writers.txt").write_text("\n".join(map(str, ids)))
    g = same_writer(dataset=load_dataset(str(tmp_path)))
    assert g.generate("777", seed=0).writer == 7
    with pytest.raises(InvalidInputError, match=r"no writer .* digits \[1, 2\]"):
        g.generate("12", seed=0)


def test_the_writer_index_lists_every_row_once_under_its_writer_and_digit():
    dataset = load_dataset("mnist", "test")
    index = WriterIndex(dataset.by_label, dataset.writers)
    assert index.counts.sum() == len(dataset) and len(index.writer_ids) == 297
    k = 5
    rows = index.rows(np.full(10, k), np.arange(10), np.zeros(10))
    assert (dataset.writers[rows[index.counts[k] > 0]] == index.writer_ids[k]).all()
