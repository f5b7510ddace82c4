"""One generator, data set or stream shared by threads gives the same bytes for the same seed as
when used from one thread (issue 21 item 5): imgaug pipelines hold their random state, so each
thread augments with its own copy, and the data set's block cache is read once per item."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from digitseq_gui import Config, DigitSequence, SequenceDataset, SequenceStream

THREADS = 4


def augmented() -> Config:
    config = Config()
    config.image.transform = True
    config.image.augmentations["noise"].enabled = True  # whole-image too, not only per digit
    return config


def _in_threads(job, jobs):
    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(job, jobs))


@pytest.mark.parametrize("batch", [False, True])
def test_a_shared_generator_gives_the_same_bytes_in_4_threads(batch):
    generator = DigitSequence(config=augmented())
    digits = ["0123", "98765", "4444", "271828"]

    def make(seed):
        if batch:
            return generator.generate_batch(digits, (2, 8), 200, seed=seed).images
        return generator.generate(digits[seed % 4], (2, 8), 200, seed=seed).image

    seeds = list(range(80))
    one_thread = [make(seed) for seed in seeds]
    for _ in range(2):
        shared = _in_threads(make, seeds)
        differing = [s for s, a, b in zip(seeds, one_thread, shared) if not np.array_equal(a, b)]
        assert differing == []


def test_a_shared_dataset_gives_the_same_items_in_4_threads():
    dataset = SequenceDataset(count=512, lengths=(3, 7), seed=5, config=augmented())
    order = list(np.random.default_rng(0).permutation(512))  # a shuffled read, as a sampler does
    expected = [SequenceDataset(count=512, lengths=(3, 7), seed=5, config=augmented())[i] for i in order]
    got = _in_threads(lambda i: dataset[i], order)
    for a, b in zip(expected, got):
        assert np.array_equal(a["image"], b["image"]) and a["label"] == b["label"]


def test_a_shared_stream_gives_the_same_items_in_4_threads():
    stream = SequenceStream(lengths=(3, 7), seed=5, config=augmented())

    def worker(w):
        return [item["image"] for item in itertools.islice(stream.samples(w, THREADS), 80)]

    expected = [worker(w) for w in range(THREADS)]
    got = _in_threads(worker, range(THREADS))
    for a, b in zip(expected, got):
        assert all(np.array_equal(x, y) for x, y in zip(a, b))
