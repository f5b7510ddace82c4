"""The generation contract of DESIGN.md, for every spacing type x subtype x transform.

Images are checked against what can be rebuilt independently from the source MNIST images:
with transform off and no resampling, a generated image must be exactly the source digits
pasted at the positions the spacing rules allow.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import digitseq_gui
from digitseq_gui import BLOCK_SIZE, Config, DigitSequence

SIZE = 28
TYPES = ("fixed", "variable")
SUBTYPES = ("between", "edge")
ALL_EIGHT = list(itertools.product(TYPES, SUBTYPES, (False, True)))
EIGHT_IDS = [f"{t}-{s}-{'transform' if tr else 'plain'}" for t, s, tr in ALL_EIGHT]

# Sequences of 4 and 5 digits that all fit 160 px with fixed spacing in (2, 20), both subtypes.
MIXED = ["0123", "90210", "5555", "00000", "2024", "31337"]
MIXED_RANGE = (2, 20)
MIXED_WIDTH = 160


def make_config(spacing_type="variable", subtype="between", transform=False, trim=False) -> Config:
    config = Config()
    config.spacing.type = spacing_type
    config.spacing.subtype = subtype
    config.image.transform = transform
    config.image.trim_padding = trim
    return config


def gap_count(n: int, subtype: str) -> int:
    return n - 1 if subtype == "between" else n + 1


def ink_columns(digit: np.ndarray) -> tuple[int, int]:
    """First and one-past-last column holding ink of a 28x28 uint8 image."""
    cols = np.flatnonzero(digit.max(axis=0) > 0)
    return int(cols[0]), int(cols[-1]) + 1


def compose(dataset, sources, starts, width, trim) -> np.ndarray:
    """The image that pasting the source digits at ``starts`` must give (transform off)."""
    ink = np.zeros((SIZE, width), dtype=np.uint8)
    for row, start in zip(sources, starts):
        digit = dataset.images[row]
        x0, x1 = ink_columns(digit) if trim else (0, SIZE)
        ink[:, start : start + (x1 - x0)] = digit[:, x0:x1]
    return 1.0 - ink.astype(np.float32) / np.float32(255.0)


def cell_starts(dataset, sources, boxes, trim) -> np.ndarray:
    """Where each digit's cell must begin, read back from its ink box and its source image."""
    if trim:
        return boxes[:, 0].astype(np.int64)
    return np.array([box[0] - ink_columns(dataset.images[row])[0] for box, row in zip(boxes, sources)])


def cell_gaps(starts, widths, width, subtype) -> np.ndarray:
    """All gaps of a layout: the lead, inner and tail gaps for edge; inner only for between."""
    ends = starts + widths
    inner = starts[1:] - ends[:-1]
    if subtype == "between":
        assert starts[0] == 0 and ends[-1] == width, "between: the digits must touch both image edges"
        return inner
    return np.concatenate(([starts[0]], inner, [width - ends[-1]]))


def digit_widths(dataset, sources, trim) -> np.ndarray:
    if not trim:
        return np.full(len(sources), SIZE)
    return np.array([np.subtract(*ink_columns(dataset.images[r])[::-1]) for r in sources])


def fixed_width_for(n, subtype, gap, extra=0):
    return n * SIZE + gap_count(n, subtype) * gap + extra


# ---------------------------------------------------------------------------------------------
# Shape, type, value range, colours


@pytest.mark.parametrize("trim", [False, True], ids=["untrimmed", "trimmed"])
@pytest.mark.parametrize("spacing_type,subtype,transform", ALL_EIGHT, ids=EIGHT_IDS)
def test_output_shape_dtype_range_and_colours(make_generator, spacing_type, subtype, transform, trim):
    generator = make_generator(make_config(spacing_type, subtype, transform, trim))
    batch = generator.generate_batch(MIXED * 10, MIXED_RANGE, MIXED_WIDTH, seed=11)
    images = batch.images
    assert images.shape == (len(MIXED) * 10, SIZE, MIXED_WIDTH)
    assert images.dtype == np.float32
    assert not np.isnan(images).any()
    assert images.min() >= 0.0 and images.max() <= 1.0
    for image in images:
        assert (image[[0, -1]] == 1.0).mean() > 0.8, "the background must be white (1.0)"
        assert (image == 1.0).mean() > 0.3, "the background must be white (1.0)"
        assert image.min() < 0.1, "the ink must be black (near 0.0)"
    single = generator.generate_numbers_sequence("0123", MIXED_RANGE, MIXED_WIDTH)
    assert single.shape == (SIZE, MIXED_WIDTH) and single.dtype == np.float32
    assert 0.0 <= single.min() and single.max() <= 1.0


@pytest.mark.parametrize("trim", [False, True], ids=["untrimmed", "trimmed"])
@pytest.mark.parametrize("spacing_type,subtype,transform", ALL_EIGHT, ids=EIGHT_IDS)
def test_boxes_contain_all_ink_and_lie_inside_the_image(
    make_generator, spacing_type, subtype, transform, trim
):
    generator = make_generator(make_config(spacing_type, subtype, transform, trim))
    batch = generator.generate_batch(MIXED * 10, MIXED_RANGE, MIXED_WIDTH, seed=5)
    for image, label, boxes in zip(batch.images, batch.labels, batch.boxes):
        assert boxes.shape == (len(label), 4)
        covered = np.zeros(image.shape, dtype=bool)
        for x0, y0, x1, y1 in boxes:
            assert 0 <= x0 < x1 <= MIXED_WIDTH, (x0, x1)
            assert 0 <= y0 < y1 <= SIZE, (y0, y1)
            covered[y0:y1, x0:x1] = True
        assert np.all(image[~covered] == 1.0), "ink outside every digit's box"
        # the boxes are in reading order
        assert np.all(np.diff(boxes[:, 0]) >= 0)


# ---------------------------------------------------------------------------------------------
# Fixed spacing: exact gaps, no resampling


@pytest.mark.parametrize("subtype", SUBTYPES)
@pytest.mark.parametrize(
    "n,spacing_range,extra",
    [
        (4, (5, 9), 0),  # every gap the minimum
        (4, (5, 9), 1),  # the remainder does not divide: one gap one pixel wider
        (4, (5, 9), 2),
        (3, (0, 40), 37),  # gaps 0 + remainder
        (5, (3, 3), 0),  # a single allowed gap
        (1, (2, 6), 0),
    ],
)
def test_fixed_untrimmed_gaps_are_exact_and_fill_the_width(
    make_generator, mnist_test, subtype, n, spacing_range, extra
):
    low, high = spacing_range
    if n == 1 and subtype == "between":
        width = SIZE
    else:
        width = fixed_width_for(n, subtype, low, extra)
    generator = make_generator(make_config("fixed", subtype))
    sequences = ["".join(str((i + j) % 10) for j in range(n)) for i in range(40)]
    batch = generator.generate_batch(sequences, spacing_range, width, seed=3)
    for image, sources, boxes in zip(batch.images, batch.source_indices, batch.boxes):
        starts = cell_starts(mnist_test, sources, boxes, trim=False)
        gaps = cell_gaps(starts, np.full(n, SIZE), width, subtype)
        assert len(gaps) == gap_count(n, subtype)
        if len(gaps):
            assert gaps.max() - gaps.min() <= 1, gaps
            assert low <= gaps.min() and gaps.max() <= high, gaps
            assert gaps.sum() + n * SIZE == width
        # No resampling: the image is exactly the source digits pasted at those places.
        np.testing.assert_array_equal(image, compose(mnist_test, sources, starts, width, trim=False))


@pytest.mark.parametrize("subtype", SUBTYPES)
def test_fixed_edge_and_between_differ_as_the_seed_says(make_generator, mnist_test, subtype):
    """between: first digit at the left edge, last at the right; edge: a gap at both ends."""
    n, gap = 4, 6
    width = fixed_width_for(n, subtype, gap)
    generator = make_generator(make_config("fixed", subtype))
    result = generator.generate("1111", (gap, gap), width, seed=9)
    starts = cell_starts(mnist_test, result.source_indices, result.boxes, trim=False)
    expected_first = 0 if subtype == "between" else gap
    assert list(starts) == [expected_first + j * (SIZE + gap) for j in range(n)]


@pytest.mark.parametrize("subtype", SUBTYPES)
@pytest.mark.parametrize("transform", [False, True], ids=["plain", "transform"])
def test_fixed_trimmed_visible_gaps_are_equal(make_generator, mnist_test, subtype, transform):
    """With trim on, spacing is the visible gap between inks: equal to within one pixel."""
    width, spacing_range = 130, (0, 60)
    generator = make_generator(make_config("fixed", subtype, transform, trim=True))
    batch = generator.generate_batch(["2019", "7777", "1111", "0808"] * 8, spacing_range, width, seed=4)
    for image, sources, boxes in zip(batch.images, batch.source_indices, batch.boxes):
        widths = boxes[:, 2] - boxes[:, 0]
        gaps = cell_gaps(boxes[:, 0].astype(np.int64), widths, width, subtype)
        assert gaps.max() - gaps.min() <= 1, gaps
        assert gaps.min() >= 0
        if not transform:
            np.testing.assert_array_equal(image, compose(mnist_test, sources, boxes[:, 0], width, trim=True))


def test_fixed_trimmed_gaps_stay_within_the_maximum(make_generator):
    """Space the maximum gaps cannot take is shared before and after the strip, never in a gap."""
    generator = make_generator(make_config("fixed", "between", trim=True))
    batch = generator.generate_batch(["111"] * 20, (1, 3), 200, seed=2)
    for boxes in batch.boxes:
        inner = boxes[1:, 0] - boxes[:-1, 2]
        assert np.all((1 <= inner) & (inner <= 3)), inner
        lead, tail = boxes[0, 0], 200 - boxes[-1, 2]
        assert abs(int(lead) - int(tail)) <= 1


# ---------------------------------------------------------------------------------------------
# Variable spacing


def layout_starts(widths, gaps, subtype) -> np.ndarray:
    """Cell starts of a layout with the given gaps (n - 1 for between, n + 1 for edge)."""
    widths = np.asarray(widths, dtype=np.int64)
    gaps = np.asarray(gaps, dtype=np.int64)
    lead = gaps[0] if subtype == "edge" else 0
    inner = gaps[1:-1] if subtype == "edge" else gaps
    return lead + np.concatenate(([0], np.cumsum(widths[:-1] + inner)))


@pytest.mark.parametrize("subtype", SUBTYPES)
@pytest.mark.parametrize("trim", [False, True], ids=["untrimmed", "trimmed"])
@pytest.mark.parametrize("gap", [0, 3, 7])
def test_variable_with_a_single_gap_value_and_matching_width_is_exact(
    make_generator, mnist_test, subtype, trim, gap
):
    """spacing_range (g, g) with the width the strip needs: no resampling, every gap exactly g."""
    generator = make_generator(make_config("variable", subtype, trim=trim))
    for seed in range(12):
        digits = f"{seed % 10}{(seed * 3) % 10}{(seed * 7 + 1) % 10}"
        probe = generator.generate(digits, (gap, gap), 200, seed=seed)  # learn which images are drawn
        widths = digit_widths(mnist_test, probe.source_indices, trim)
        width = int(widths.sum()) + gap_count(3, subtype) * gap
        result = generator.generate(digits, (gap, gap), width, seed=seed)
        np.testing.assert_array_equal(result.source_indices, probe.source_indices)
        starts = layout_starts(widths, [gap] * gap_count(3, subtype), subtype)
        np.testing.assert_array_equal(
            result.image, compose(mnist_test, result.source_indices, starts, width, trim)
        )
        # a single unresampled image has tight boxes: they start where the ink starts
        expected_x0 = (
            starts if trim else starts + [ink_columns(mnist_test.images[r])[0] for r in result.source_indices]
        )
        np.testing.assert_array_equal(result.boxes[:, 0], expected_x0)


def recover_variable_gaps(generator, dataset, sequences, subtype, spacing_range, seed, widest=20):
    """The gaps the generator drew for each sequence (2 digits for between, 1 for edge; untrimmed).

    The gaps do not depend on the width, so among the widths 28n + k, exactly one gives each image
    without resampling: the one whose strip it is. There the image must equal the source digits
    pasted with some gaps summing to k; every split of k is tried, even out-of-range ones.
    """
    n = len(sequences[0])
    assert (n, subtype) in ((2, "between"), (1, "edge"))
    found: list[tuple | None] = [None] * len(sequences)
    for total in range(0, widest + 1):
        width = n * SIZE + total
        batch = generator.generate_batch(sequences, spacing_range, width, seed=seed)
        candidates = [(total,)] if subtype == "between" else [(g, total - g) for g in range(total + 1)]
        for i, (image, sources) in enumerate(zip(batch.images, batch.source_indices)):
            for gaps in candidates:
                starts = layout_starts(np.full(n, SIZE), gaps, subtype)
                if np.array_equal(image, compose(dataset, sources, starts, width, trim=False)):
                    assert found[i] is None, f"image {i} fits two layouts: {found[i]} and {gaps}"
                    found[i] = gaps
    assert all(g is not None for g in found), "some image was never laid out without resampling"
    return np.array(found)


def test_variable_between_gaps_are_uniform_over_the_inclusive_range(make_generator, mnist_test):
    low, high = 2, 8
    generator = make_generator(make_config("variable", "between"))
    sequences = [f"{i % 10}{(i // 10) % 10}" for i in range(256)]
    gaps = recover_variable_gaps(
        generator, mnist_test, sequences, "between", (low, high), seed=21, widest=12
    ).ravel()
    assert gaps.min() >= low and gaps.max() <= high
    counts = np.bincount(gaps - low, minlength=high - low + 1)
    assert np.all(counts > 0), f"both ends of the inclusive range must occur: {counts}"
    expected = len(gaps) / (high - low + 1)
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    assert chi2 < 30, f"gap counts {counts} are far from uniform (chi2 {chi2:.1f}, 6 dof)"


def test_variable_edge_gaps_are_independent_and_within_range(make_generator, mnist_test):
    low, high = 0, 5
    generator = make_generator(make_config("variable", "edge"))
    sequences = [str(i % 10) for i in range(128)]
    gaps = recover_variable_gaps(generator, mnist_test, sequences, "edge", (low, high), seed=8, widest=12)
    assert gaps.shape == (128, 2)
    assert gaps.min() >= low and gaps.max() <= high
    assert set(gaps[:, 0]) == set(range(low, high + 1)) and set(gaps[:, 1]) == set(range(low, high + 1))
    assert np.mean(gaps[:, 0] == gaps[:, 1]) < 0.5, "lead and tail gaps must be drawn independently"


def test_variable_spacing_resamples_without_overshoot(make_generator):
    """The seed's bicubic resize gave -0.10 and 1.08; a shrink and a stretch must stay in [0, 1]."""
    generator = make_generator(make_config("variable", "between"))
    for width in (80, 97, 400):  # 80: the strongest shrink still legible (8 px a digit)
        images = generator.generate_batch(["0123456789"] * 8, (0, 12), width, seed=1).images
        assert images.min() >= 0.0 and images.max() <= 1.0
        assert (images == 1.0).any() and images.min() < 0.5


# ---------------------------------------------------------------------------------------------
# Reproducibility


@pytest.mark.parametrize("spacing_type,subtype,transform", ALL_EIGHT, ids=EIGHT_IDS)
def test_same_seed_same_bytes_different_seed_different(mnist_test, spacing_type, subtype, transform):
    config = make_config(spacing_type, subtype, transform)
    first = DigitSequence(config, dataset=mnist_test).generate_batch(
        MIXED * 4, MIXED_RANGE, MIXED_WIDTH, seed=123
    )
    second = DigitSequence(config, dataset=mnist_test).generate_batch(
        MIXED * 4, MIXED_RANGE, MIXED_WIDTH, seed=123
    )
    other = DigitSequence(config, dataset=mnist_test).generate_batch(
        MIXED * 4, MIXED_RANGE, MIXED_WIDTH, seed=124
    )
    assert first.images.tobytes() == second.images.tobytes()
    assert all(np.array_equal(a, b) for a, b in zip(first.boxes, second.boxes))
    assert all(np.array_equal(a, b) for a, b in zip(first.source_indices, second.source_indices))
    assert first.images.tobytes() != other.images.tobytes()


def test_generator_seed_makes_a_session_reproducible(mnist_test):
    def session(seed):
        generator = DigitSequence(Config(), dataset=mnist_test, seed=seed)
        return [generator.generate_numbers_sequence("31415", (2, 8), 180) for _ in range(3)]

    a, b, c = session(7), session(7), session(8)
    assert all(x.tobytes() == y.tobytes() for x, y in zip(a, b))
    assert a[0].tobytes() != a[1].tobytes(), "successive calls must differ"
    assert any(x.tobytes() != z.tobytes() for x, z in zip(a, c))


def test_result_reports_the_seed_that_reproduces_it(make_generator):
    generator = make_generator(make_config("variable", "edge", transform=True), seed=None)
    result = generator.generate("2024", (1, 9), 170)
    again = make_generator(make_config("variable", "edge", transform=True), seed=None).generate(
        "2024", (1, 9), 170, seed=result.seed
    )
    assert result.image.tobytes() == again.image.tobytes()


@pytest.mark.parametrize("spacing_type,subtype,transform", ALL_EIGHT, ids=EIGHT_IDS)
def test_batch_in_chunks_equals_one_big_call(make_generator, spacing_type, subtype, transform):
    generator = make_generator(make_config(spacing_type, subtype, transform))
    sequences = [MIXED[i % len(MIXED)] for i in range(2 * BLOCK_SIZE + 30)]
    whole = generator.generate_batch(sequences, MIXED_RANGE, MIXED_WIDTH, seed=77)
    chunks = [
        generator.generate_batch(
            sequences[k : k + BLOCK_SIZE], MIXED_RANGE, MIXED_WIDTH, seed=77, first_index=k
        )
        for k in range(0, len(sequences), BLOCK_SIZE)
    ]
    assert np.concatenate([c.images for c in chunks]).tobytes() == whole.images.tobytes()
    assert [lab for c in chunks for lab in c.labels] == whole.labels
    assert all(np.array_equal(a, b) for a, b in zip([x for c in chunks for x in c.boxes], whole.boxes))
    assert all(
        np.array_equal(a, b)
        for a, b in zip([x for c in chunks for x in c.source_indices], whole.source_indices)
    )
    # and a chunk is not just a copy of the first block
    assert chunks[0].images.tobytes() != chunks[1].images[: len(chunks[0])].tobytes()


# ---------------------------------------------------------------------------------------------
# Labels and the digits drawn


def test_label_keeps_leading_zeros(make_generator):
    generator = make_generator()
    assert generator.generate("0012", (2, 8), 150, seed=0).label == "0012"
    assert generator.generate([0, 0, 7], (2, 8), 150, seed=0).label == "007"
    batch = generator.generate_batch(["000", (0, 1), np.array([0, 0, 0, 9])], (2, 8), 150, seed=0)
    assert batch.labels == ["000", "01", "0009"]


@pytest.mark.parametrize("transform", [False, True], ids=["plain", "transform"])
def test_every_digit_comes_from_an_image_of_that_label(make_generator, mnist_test, transform):
    generator = make_generator(make_config("variable", "between", transform))
    sequences = ["0123456789", "9876543210", "5550123", "8"] * 20
    batch = generator.generate_batch(sequences, (0, 4), 300, seed=31)
    for label, sources in zip(batch.labels, batch.source_indices):
        expected = np.array([int(c) for c in label])
        np.testing.assert_array_equal(mnist_test.labels[sources], expected)


def test_a_subset_reports_rows_of_the_original_file(make_generator, mnist_test):
    rows = np.flatnonzero(mnist_test.labels == 3)[100:140]
    rows = np.concatenate([rows, np.flatnonzero(mnist_test.labels == 6)[:5]])
    subset = mnist_test.subset(rows, "threes and sixes")
    batch = make_generator(dataset=subset).generate_batch(["3636"] * 30, (2, 8), 150, seed=0)
    used = np.concatenate(batch.source_indices)
    assert set(used) <= set(rows.tolist())
    for label, sources in zip(batch.labels, batch.source_indices):
        np.testing.assert_array_equal(mnist_test.labels[sources], [int(c) for c in label])


def test_picks_are_spread_over_many_images(make_generator, mnist_test):
    generator = make_generator()
    batch = generator.generate_batch(["7" * 10] * 200, (0, 2), 300, seed=99)
    picks = np.concatenate(batch.source_indices)
    assert len(picks) == 2000
    sevens = np.flatnonzero(mnist_test.labels == 7)
    assert set(picks.tolist()) <= set(sevens.tolist())
    counts = np.bincount(picks, minlength=len(mnist_test))[sevens]
    # 2000 uniform draws among 1028 images: about 880 distinct, none drawn more than ~8 times.
    assert (counts > 0).sum() > 780, f"only {(counts > 0).sum()} distinct images of 7 drawn"
    assert counts.max() <= 12, f"one image of 7 was drawn {counts.max()} times"
    # both halves of the label's rows are used (no bias towards the start of the file)
    half = len(sevens) // 2
    assert abs(int(counts[:half].sum()) - int(counts[half:].sum())) < 200


# ---------------------------------------------------------------------------------------------
# What a person passes as the digits


DIGIT_FORMS = [
    [0, 1, 2, 3],
    (0, 1, 2, 3),
    np.array([0, 1, 2, 3]),
    np.array([0, 1, 2, 3], dtype=np.uint8),
    "0123",
]
FORM_IDS = ["list", "tuple", "ndarray", "uint8-ndarray", "string"]


@pytest.mark.parametrize("digits", DIGIT_FORMS, ids=FORM_IDS)
def test_method_accepts_list_tuple_array_and_string(make_generator, mnist_test, digits):
    result = make_generator().generate(digits, (2, 8), 200, seed=1)
    assert result.label == "0123"
    np.testing.assert_array_equal(mnist_test.labels[result.source_indices], [0, 1, 2, 3])
    image = make_generator().generate_numbers_sequence(digits, (2, 8), 200)
    assert image.shape == (SIZE, 200) and image.dtype == np.float32
    # the same seed gives the same image whatever form the digits came in
    assert image.tobytes() == make_generator().generate_numbers_sequence("0123", (2, 8), 200).tobytes()


@pytest.mark.parametrize("digits", DIGIT_FORMS, ids=FORM_IDS)
def test_module_level_function_accepts_list_tuple_array_and_string(digits):
    image = digitseq_gui.generate_numbers_sequence(digits, (2, 8), 200)
    assert isinstance(image, np.ndarray)
    assert image.shape == (SIZE, 200) and image.dtype == np.float32
    assert 0.0 <= image.min() and image.max() <= 1.0 and (image == 1.0).mean() > 0.5


def test_module_level_function_has_the_seed_signature():
    import inspect

    assert list(inspect.signature(digitseq_gui.generate_numbers_sequence).parameters) == [
        "digits",
        "spacing_range",
        "image_width",
    ]
    assert list(inspect.signature(DigitSequence.generate_numbers_sequence).parameters) == [
        "self",
        "digits",
        "spacing_range",
        "image_width",
    ]


def test_spacing_range_accepts_tuple_list_and_array(make_generator):
    generator = make_generator()
    images = [generator.generate("42", r, 80, seed=0).image for r in ((2, 8), [2, 8], np.array([2, 8]))]
    assert images[0].tobytes() == images[1].tobytes() == images[2].tobytes()


def test_boxes_of_an_unresampled_image_are_tight_whatever_shares_its_block(make_generator, mnist_test):
    """An image whose strip is exactly the width is not resampled: its boxes must be its ink's
    exact extent, as they are when it is generated alone, even if other images in its block
    were resampled."""
    gap = 5
    width = 2 * SIZE + gap
    generator = make_generator(make_config("variable", "between"))
    sequences = [f"{i % 10}{(i // 10) % 10}" for i in range(BLOCK_SIZE)]
    batch = generator.generate_batch(sequences, (2, 8), width, seed=21)
    starts = layout_starts([SIZE, SIZE], [gap], "between")
    checked = 0
    for image, sources, boxes in zip(batch.images, batch.source_indices, batch.boxes):
        if not np.array_equal(image, compose(mnist_test, sources, starts, width, trim=False)):
            continue  # this one was resampled
        checked += 1
        extents = [ink_columns(mnist_test.images[r]) for r in sources]
        assert boxes[:, 0].tolist() == [s + e[0] for s, e in zip(starts, extents)]
        assert boxes[:, 2].tolist() == [s + e[1] for s, e in zip(starts, extents)]
    assert checked >= 3


@pytest.mark.parametrize("transform", [False, True])
def test_uint8_batches_are_the_float_images_times_255(make_generator, transform):
    config = Config()
    config.image.transform = transform
    generator = make_generator(config)
    texts = ["0123", "98765", "4", "00700"] * 20
    floats = generator.generate_batch(texts, (1, 9), 180, seed=21)
    bytes_ = generator.generate_batch(texts, (1, 9), 180, seed=21, as_uint8=True)
    assert bytes_.images.dtype == np.uint8
    assert np.array_equal(bytes_.images, np.rint(floats.images * 255).astype(np.uint8))
    assert all(np.array_equal(a, b) for a, b in zip(floats.boxes, bytes_.boxes))


# ---------------------------------------------------------------------------------------------
# One image at a time and in a batch: two routes, the same bytes


@pytest.mark.parametrize("trim", [False, True], ids=["untrimmed", "trimmed"])
@pytest.mark.parametrize("spacing_type,subtype,transform", ALL_EIGHT, ids=EIGHT_IDS)
def test_one_call_gives_exactly_the_batch_of_one(make_generator, spacing_type, subtype, transform, trim):
    """``generate`` has a lean route of its own; it must give the bytes, boxes and rows of
    ``generate_batch`` with one sequence, for every configuration, length and seed."""
    config = make_config(spacing_type, subtype, transform, trim)
    if transform:
        config.image.augmentations["noise"].enabled = True  # the whole-image step too
    generator = make_generator(config)
    sequences = ["7", "42", "0123", "90210", "31415926"]
    for seed, digits in enumerate(sequences * (2 if transform else 6)):
        n = len(digits)
        if spacing_type == "fixed":
            gaps = gap_count(n, subtype)
            width = n * SIZE + gaps * 5 + (seed % max(gaps, 1) if gaps else 0)  # remainders to spread
            spacing_range = (2, 8) if gaps else (0, 0)
            if trim:
                width += 9
        else:
            width, spacing_range = (64, 300, 97)[seed % 3], (0, 12)
        one = generator.generate(digits, spacing_range, width, seed=seed)
        batch = generator.generate_batch([digits], spacing_range, width, seed=seed)
        as_bytes = generator.generate_batch([digits], spacing_range, width, seed=seed, as_uint8=True)
        assert one.image.dtype == np.float32 and one.image.shape == (SIZE, width)
        assert one.image.tobytes() == batch.images[0].tobytes(), (digits, seed)
        assert np.array_equal(np.rint(one.image * 255).astype(np.uint8), as_bytes.images[0])
        assert one.boxes.dtype == np.int32 and one.boxes.tolist() == batch.boxes[0].tolist()
        assert one.source_indices.tolist() == batch.source_indices[0].tolist()
        assert one.label == batch.labels[0] == digits and one.seed == batch.seed == seed
