"""Shared fixtures. Every test runs offscreen and with its own cache folder."""

from __future__ import annotations

import os

import pytest

# Before any Qt import: tests never need a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session", autouse=True)
def _session_cache_dir(tmp_path_factory):
    """The label index and image caches go to a folder of the test session, not ~/.cache."""
    folder = tmp_path_factory.mktemp("digitseq-cache")
    previous = os.environ.get("DIGITSEQ_CACHE_DIR")
    os.environ["DIGITSEQ_CACHE_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("DIGITSEQ_CACHE_DIR", None)
    else:
        os.environ["DIGITSEQ_CACHE_DIR"] = previous


@pytest.fixture(scope="session")
def mnist_train():
    from digitseq_gui import load_dataset

    return load_dataset("mnist", "train")


@pytest.fixture(scope="session")
def mnist_test():
    from digitseq_gui import load_dataset

    return load_dataset("mnist", "test")


@pytest.fixture
def make_generator(mnist_test):
    """Build a DigitSequence on the (smaller) embedded test split, with a config override."""
    from digitseq_gui import Config, DigitSequence

    def make(config: Config | None = None, seed: int | None = 0, dataset=None):
        return DigitSequence(config or Config(), dataset=dataset or mnist_test, seed=seed)

    return make
