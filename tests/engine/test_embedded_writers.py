"""The shipped QMNIST writer ids of the embedded MNIST: their counts, their split, their format."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from digitseq_gui.engine.data.dataset import load_dataset
from digitseq_gui.engine.data.writers import embedded_writers, read_writers
from digitseq_gui.engine.errors import DatasetError

# shared/qmnist beside the checkout (or beside the folder of worktrees): the source of the ids.
_HERE = Path(__file__).resolve()
QMNIST = next(
    (p / "shared" / "qmnist" for p in _HERE.parents[2:5] if (p / "shared" / "qmnist").is_dir()), _HERE
)


def test_the_training_file_has_539_writers_and_the_test_file_297_others():
    train, test = embedded_writers("train"), embedded_writers("test")
    assert train.shape == (60_000,) and test.shape == (10_000,)
    assert len(np.unique(train)) == 539 and len(np.unique(test)) == 297
    assert not set(np.unique(train).tolist()) & set(np.unique(test).tolist())
    counts = np.unique(train, return_counts=True)[1]
    assert (counts.min(), int(np.median(counts)), counts.max()) == (19, 116, 131)
    assert not train.flags.writeable


def test_the_last_10000_training_rows_share_writers_with_the_rest():
    # What the old val hold-out did (issue 17): 251 of its 305 writers also wrote train rows.
    train = embedded_writers("train")
    val = set(np.unique(train[50_000:]).tolist())
    assert (len(val), len(val & set(np.unique(train[:50_000]).tolist()))) == (305, 251)


def test_every_writer_wrote_digits_of_most_classes():
    train = embedded_writers("train")
    labels = load_dataset("mnist", "train").labels
    classes = {w: len(np.unique(labels[train == w])) for w in np.unique(train).tolist()}
    assert sum(1 for c in classes.values() if c < 10) == 3  # QMNIST's README: 3 writers lack a class


@pytest.mark.skipif(not QMNIST.is_dir(), reason="the QMNIST label files are not beside the project")
@pytest.mark.parametrize(("split", "name", "rows"), [("train", "train", 60_000), ("test", "test", 10_000)])
def test_the_ids_are_qmnist_column_2_and_its_digits_are_mnist_labels(split, name, rows):
    data = gzip.decompress((QMNIST / f"qmnist-{name}-labels-idx2-int.gz").read_bytes())
    table = np.frombuffer(data[12:], dtype=">i4").reshape(-1, 8)[:rows]
    assert (embedded_writers(split) == table[:, 2]).all()
    assert (load_dataset("mnist", split).labels == table[:, 0]).all()


def test_a_writers_file_of_the_wrong_length_is_refused_with_the_format():
    with pytest.raises(DatasetError, match="holds 3 writer ids for 4 digits.*little-endian uint16"):
        read_writers(np.arange(3, dtype="<u2").tobytes(), 4, "writers.gz")
    assert read_writers(gzip.compress(np.arange(4, dtype="<u2").tobytes()), 4, "w").tolist() == [0, 1, 2, 3]
