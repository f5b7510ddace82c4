"""Loading digit data sets: the embedded MNIST, folders of IDX files, Keras .npz, subsets."""

from __future__ import annotations

import os

import numpy as np
import pytest
from mnist_files import small_sample, write_idx_pair

from digitseq_gui import Config, DatasetError, DigitSequence, load_dataset

TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


def test_embedded_train_split(mnist_train):
    assert len(mnist_train) == 60000
    assert mnist_train.images.shape == (60000, 28, 28) and mnist_train.images.dtype == np.uint8
    assert mnist_train.labels.shape == (60000,)
    assert np.bincount(mnist_train.labels, minlength=10).tolist() == TRAIN_COUNTS
    assert mnist_train.label_counts.tolist() == TRAIN_COUNTS
    # MNIST's first training labels are famous: 5 0 4 1 9 2 1 3 1 4
    assert mnist_train.labels[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert mnist_train.images.max() == 255 and mnist_train.images.min() == 0  # 255 = full ink


def test_embedded_test_split(mnist_test):
    assert len(mnist_test) == 10000
    assert mnist_test.images.shape == (10000, 28, 28)
    assert mnist_test.labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert np.bincount(mnist_test.labels, minlength=10).sum() == 10000
    for digit, rows in enumerate(mnist_test.by_label):
        assert np.all(mnist_test.labels[rows] == digit)
    assert mnist_test.fingerprint != load_dataset("mnist", "train").fingerprint


def test_embedded_load_is_repeatable(mnist_test):
    again = load_dataset("mnist", "test")
    np.testing.assert_array_equal(again.images, mnist_test.images)
    assert again.fingerprint == mnist_test.fingerprint


@pytest.mark.parametrize("gz", [True, False], ids=["gzipped", "raw"])
def test_folder_of_idx_files(tmp_path, mnist_test, gz):
    images, labels, _ = small_sample(mnist_test, per_digit=4)
    write_idx_pair(tmp_path, images, labels, gz=gz)
    dataset = load_dataset(tmp_path)
    np.testing.assert_array_equal(dataset.images, images)
    np.testing.assert_array_equal(dataset.labels, labels)
    assert len(dataset) == 40
    assert dataset.source_indices.tolist() == list(range(40))
    image = DigitSequence(Config(), dataset=dataset, seed=0).generate_numbers_sequence("9876", (2, 8), 150)
    assert image.shape == (28, 150)


def test_folder_with_both_splits_picks_the_right_pair(tmp_path, mnist_test):
    train_images, train_labels, _ = small_sample(mnist_test, per_digit=3)
    test_images, test_labels, _ = small_sample(mnist_test, per_digit=2, start=10)
    write_idx_pair(tmp_path, train_images, train_labels, prefix="train")
    write_idx_pair(tmp_path, test_images, test_labels, prefix="t10k", gz=False)
    np.testing.assert_array_equal(load_dataset(tmp_path, "train").images, train_images)
    np.testing.assert_array_equal(load_dataset(tmp_path, "test").images, test_images)


def test_a_single_pair_of_any_name_serves_either_split(tmp_path, mnist_test):
    images, labels, _ = small_sample(mnist_test, per_digit=2)
    write_idx_pair(tmp_path, images, labels, prefix="my-digits")
    for split in ("train", "test"):
        np.testing.assert_array_equal(load_dataset(tmp_path, split).labels, labels)


def test_keras_npz(tmp_path, mnist_test):
    train_images, train_labels, _ = small_sample(mnist_test, per_digit=3)
    test_images, test_labels, _ = small_sample(mnist_test, per_digit=2, start=20)
    path = tmp_path / "mnist.npz"
    np.savez_compressed(
        path,
        x_train=train_images,
        y_train=train_labels.astype(np.int64),
        x_test=test_images,
        y_test=test_labels,
    )
    train = load_dataset(path, "train")
    test = load_dataset(path, "test")
    np.testing.assert_array_equal(train.images, train_images)
    np.testing.assert_array_equal(train.labels, train_labels)
    assert train.labels.dtype == np.uint8
    np.testing.assert_array_equal(test.images, test_images)
    assert train.fingerprint != test.fingerprint
    result = DigitSequence(Config(), dataset=test, seed=0).generate("505", (2, 8), 120)
    np.testing.assert_array_equal(test.labels[result.source_indices], [5, 0, 5])


def test_no_pickle_is_ever_loaded(tmp_path, mnist_test):
    """An .npz holding a pickled object array is refused, never unpickled (allow_pickle=False)."""
    path = tmp_path / "evil.npz"
    np.savez(path, x_train=np.array([object()], dtype=object), y_train=np.array([1]))
    with pytest.raises(DatasetError):
        load_dataset(path)


def test_subset_keeps_source_indices(mnist_test):
    rows = np.array([5, 17, 300, 4242, 9999, 0])
    subset = mnist_test.subset(rows, "six images")
    assert len(subset) == 6
    np.testing.assert_array_equal(subset.source_indices, rows)
    np.testing.assert_array_equal(subset.images, mnist_test.images[rows])
    np.testing.assert_array_equal(subset.labels, mnist_test.labels[rows])
    inner = subset.subset(np.array([1, 3]), "two of them")
    np.testing.assert_array_equal(inner.source_indices, [17, 4242])
    np.testing.assert_array_equal(inner.labels, mnist_test.labels[[17, 4242]])
    assert len({mnist_test.fingerprint, subset.fingerprint, inner.fingerprint}) == 3


def test_a_subset_draws_only_its_own_images(mnist_test):
    rows = np.flatnonzero(mnist_test.labels == 4)[:3]
    subset = mnist_test.subset(rows, "three fours")
    batch = DigitSequence(Config(), dataset=subset, seed=0).generate_batch(["44"] * 40, (2, 8), 80)
    used = set(np.concatenate(batch.source_indices).tolist())
    assert used == set(rows.tolist())


def test_data_set_missing_a_digit(tmp_path, mnist_test):
    images, labels, _ = small_sample(mnist_test, per_digit=3, digits=[0, 1, 2, 4, 5, 6, 7, 8, 9])
    write_idx_pair(tmp_path, images, labels)
    dataset = load_dataset(tmp_path)
    generator = DigitSequence(Config(), dataset=dataset, seed=0)
    with pytest.raises(DatasetError) as info:
        generator.generate_numbers_sequence("1234", (2, 8), 150)
    assert "3" in str(info.value) and "no images" in str(info.value)
    assert info.value.field == "dataset"
    with pytest.raises(DatasetError, match=r"\[3\]"):
        generator.generate_batch(["12", "33"], (2, 8), 150)
    # the digits it has still work
    result = generator.generate("1245", (2, 8), 150)
    np.testing.assert_array_equal(dataset.labels[result.source_indices], [1, 2, 4, 5])


def test_dataset_by_source_name_and_config(tmp_path, mnist_test):
    images, labels, _ = small_sample(mnist_test, per_digit=2)
    write_idx_pair(tmp_path, images, labels)
    generator = DigitSequence(Config(), dataset=str(tmp_path), seed=0)
    assert len(generator.dataset) == 20
    config = Config()
    config.dataset.source, config.dataset.split = str(tmp_path), "test"
    assert len(DigitSequence(config, seed=0).dataset) == 20


def test_a_shared_data_set_is_loaded_once_until_its_file_changes(tmp_path, mnist_test):
    """What the window, the export dialog's previews and exports share: one load (one hash of the
    file) per source and split, and a fresh one once the file is replaced."""
    from digitseq_gui.engine.data import dataset as dataset_module
    from digitseq_gui.engine.data.dataset import loaded_dataset, shared_dataset

    images, labels, _ = small_sample(mnist_test, per_digit=3)
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=images, y_train=labels, x_test=images, y_test=labels)
    assert loaded_dataset(path, "train") is None  # never loads by itself
    first = shared_dataset(path, "train")
    assert shared_dataset(str(path), "train") is first and loaded_dataset(path, "train") is first
    assert shared_dataset(path, "test") is not first  # another split, another load
    more_images, more_labels, _ = small_sample(mnist_test, per_digit=4)
    np.savez(path, x_train=more_images, y_train=more_labels, x_test=images, y_test=labels)
    again = shared_dataset(path, "train")
    assert again is not first and len(again) == len(more_labels) and again.fingerprint != first.fingerprint
    # A file of the same size rewritten (other pixels, same shapes): loaded again, in place of the old one.
    np.savez(path, x_train=np.flip(more_images, axis=2), y_train=more_labels, x_test=images, y_test=labels)
    os.utime(path, ns=(1, 1))  # a stamp surely other than the previous write's
    third = shared_dataset(path, "train")
    assert (
        third is not again
        and third.fingerprint != again.fingerprint
        and loaded_dataset(path, "train") is third
    )
    assert (
        sum(key[0] == path or key[0] == str(path) for key in dataset_module._SHARED) <= 2
    )  # train and test only
    assert shared_dataset("mnist", "test") is shared_dataset("mnist", "test")


def test_a_shared_folder_data_set_is_loaded_again_when_a_file_in_it_is_rewritten(tmp_path, mnist_test):
    """Rewriting an IDX file in place (cp over it, curl -o) leaves its folder's own stamp alone."""
    from digitseq_gui.engine.data.dataset import shared_dataset

    images, labels, _ = small_sample(mnist_test, per_digit=3)
    folder = tmp_path / "digits"
    written = write_idx_pair(folder, images, labels)
    inode = written[0].stat().st_ino
    first = shared_dataset(folder, "train")
    assert len(first) == 30 and shared_dataset(folder, "train") is first
    more_images, more_labels, _ = small_sample(mnist_test, per_digit=4)
    written = write_idx_pair(folder, more_images, more_labels)
    assert written[0].stat().st_ino == inode  # the same files, rewritten
    again = shared_dataset(folder, "train")
    assert len(again) == 40 and again.fingerprint != first.fingerprint


def test_digits_dark_on_white_are_refused_with_what_to_do(tmp_path, mnist_test):
    """MNIST is white ink on black; the other way round would make white digits in black boxes."""
    images, labels, _ = small_sample(mnist_test, per_digit=3)
    write_idx_pair(tmp_path / "inverted", 255 - images, labels)
    with pytest.raises(DatasetError, match="dark on a light background") as caught:
        load_dataset(tmp_path / "inverted")
    assert "invert the images (255 - images)" in str(caught.value)
    write_idx_pair(tmp_path / "as-mnist", images, labels)
    assert len(load_dataset(tmp_path / "as-mnist")) == len(labels)
