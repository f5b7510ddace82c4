"""The reproducibility rules of seeding.py: block streams, the order of draws, derived seeds."""

from __future__ import annotations

import numpy as np
import pytest

from digitseq_gui import InvalidInputError
from digitseq_gui.engine import seeding
from digitseq_gui.engine.sampling import source_for


def test_a_block_stream_is_a_fresh_philox_keyed_by_seed_and_block():
    for seed, block in [(0, 0), (7, 3), (seeding.MAX_SEED, 2**40)]:
        fresh = np.random.Generator(np.random.Philox(key=[seed, block]))
        expected = (
            fresh.random(5),
            fresh.integers(2, 9, size=7, dtype=np.int64),
            fresh.integers(0, 2**32, size=2),
        )
        seeding.block_stream(99, 1).random(3)  # leave the shared stream somewhere else first
        stream = seeding.block_stream(seed, block)
        got = (
            stream.random(5),
            stream.integers(2, 9, size=7, dtype=np.int64),
            stream.integers(0, 2**32, size=2),
        )
        assert all(np.array_equal(a, b) for a, b in zip(expected, got))


def test_draws_come_in_the_fixed_order_and_augmenter_seeds_last():
    plain = seeding.draw_block(5, 2, 6, 4, 2, 8, augmented=False)
    augmented = seeding.draw_block(5, 2, 6, 4, 2, 8, augmented=True)
    fixed = seeding.draw_block(5, 2, 6, None, 2, 8, augmented=False)
    # augmentation does not change which digits or gaps are drawn; fixed spacing draws no gaps
    assert np.array_equal(plain.uniforms, augmented.uniforms) and np.array_equal(plain.gaps, augmented.gaps)
    assert np.array_equal(plain.uniforms, fixed.uniforms) and fixed.gaps is None
    stream = np.random.Generator(np.random.Philox(key=[5, 2]))
    assert np.array_equal(stream.random(6), plain.uniforms)
    assert np.array_equal(stream.integers(2, 9, size=4, dtype=np.int64), plain.gaps)
    assert [augmented.digit_seed, augmented.image_seed] == stream.integers(
        0, seeding.AUGMENTER_SEED_BOUND, size=2
    ).tolist()
    assert plain.gaps.min() >= 2 and plain.gaps.max() <= 8


def test_the_one_image_draws_equal_numpys():
    rng = np.random.default_rng(0)
    for _ in range(1500):
        seed = int(rng.integers(0, seeding.MAX_SEED))
        digits, gaps = int(rng.integers(1, 12)), int(rng.integers(0, 14))
        low = int(rng.integers(0, 50))
        high = low + int(rng.choice([0, 1, 6, 100, 99_999, 2**31]))  # wide ranges reach the rejection step
        augmented = bool(rng.integers(0, 2))
        block = seeding.draw_block(seed, 0, digits, gaps, low, high, augmented)
        one = seeding.draw_one(seed, digits, gaps, low, high, augmented)
        assert one.uniforms == block.uniforms.tolist()
        assert one.gaps == block.gaps.tolist()
        assert (one.digit_seed, one.image_seed) == (block.digit_seed, block.image_seed)
    assert seeding.draw_one(3, 4, None, 2, 8, False).gaps is None


def test_blocks_number_images_from_first_index():
    assert list(seeding.blocks(150, 0)) == [(0, 64, 0), (64, 128, 1), (128, 150, 2)]
    assert list(seeding.blocks(64, 128)) == [(0, 64, 2)]
    assert seeding.check_first_index(192) == 192
    for bad in (-64, 10, 1.0):
        with pytest.raises(InvalidInputError, match="multiple of 64"):
            seeding.check_first_index(bad)


def test_derived_seeds_follow_the_export_rules():
    """The export's part and separator-group seeds and the sequence texts' stream: the
    spawn-key rules that exports on disk were made with."""

    def derived(seed, key, dtype=np.uint64):
        return int(np.random.SeedSequence(seed, spawn_key=key).generate_state(1, dtype)[0])

    assert seeding.part_seed(7, 2) == derived(7, (0x5B1, 2)) >> 1
    assert seeding.separator_group_seed(11, 3, 1) == derived(11, (3, 1, 0x5E9)) >> 1
    assert seeding.NOISE_TAG == 0x4015E  # retired (noise takes the block's own seed), never reused
    texts = np.random.default_rng(np.random.SeedSequence(5, spawn_key=(0x5E0, 3))).integers(0, 10, 8)
    assert np.array_equal(seeding.sequence_texts_stream(5, 3).integers(0, 10, 8), texts)
    keys = np.random.SeedSequence(5, spawn_key=(0x5E1, 2, 9)).generate_state(4, np.uint64)
    assert np.array_equal(seeding.unique_permutation_keys(5, (2, 9), 4), keys)
    state = np.random.SeedSequence(5, spawn_key=(0x57E4, 1, 7)).generate_state(2, np.uint64)
    assert np.array_equal(seeding.training_stream_seeds(5, 1, 7), state)
    assert 0 <= seeding.part_seed(seeding.MAX_SEED, 9) <= seeding.MAX_SEED
    assert seeding.whole_image_seed(2**40 + 5) == 5


def test_rows_for_one_image_equal_the_vectorised_rows(mnist_test):
    source = source_for(mnist_test)
    rng = np.random.default_rng(1)
    digits = rng.integers(0, 10, 500)
    uniforms = rng.random(500)
    uniforms[:3] = [0.0, 1 - 2**-53, 0.5]  # both ends of [0, 1)
    rows = source.rows(digits, uniforms)
    assert source.rows_one(digits.tolist(), uniforms.tolist()) == rows.tolist()
    assert np.array_equal(mnist_test.labels[rows], digits)


def test_the_sampling_state_of_a_data_set_goes_with_it(mnist_test):
    """Each data set's row table and extents are shared by its generators, never kept alive by them."""
    import gc
    import weakref

    from digitseq_gui import DigitSequence
    from digitseq_gui.engine import sampling

    subset = mnist_test.subset(np.arange(500), "first 500")
    DigitSequence(dataset=subset, seed=0).generate("12", (2, 8), 80, seed=1)
    assert subset in sampling._SOURCES
    gone = weakref.ref(subset)
    del subset
    gc.collect()
    assert gone() is None
