"""image.height, image.fit and negative spacing (issue 11 items 2 and 3) under the generation
contract: shape (height, width), float32 in [0, 1], no NaN, uint8 = round(float * 255), one
call = the batch of one, any chunking; boxes hold all ink; digits keep their shape with
keep-aspect; overlapping digits composite with the darker pixel winning."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from digitseq_gui import BLOCK_SIZE, Config, LayoutError

SIZE = 28
SEQUENCES = ["7", "42", "0123", "90210", "9876543210"]


def make_config(
    fit="stretch",
    height=28,
    spacing_type="variable",
    subtype="between",
    trim=False,
    spacing=(2, 8),
    transform=False,
) -> Config:
    config = Config()
    config.image.fit, config.image.height, config.image.trim_padding = fit, height, trim
    config.image.transform = transform
    config.spacing.type, config.spacing.subtype = spacing_type, subtype
    config.spacing.min, config.spacing.max = spacing
    return config.validated()


CASES = [
    # fit, height, type, subtype, trim, spacing, width
    ("stretch", 32, "variable", "between", False, (2, 8), 200),
    ("stretch", 16, "variable", "edge", True, (-8, 3), 150),
    ("stretch", 64, "fixed", "between", True, (-6, 12), 320),
    ("keep-aspect", 28, "variable", "between", False, (-6, -2), 200),
    ("keep-aspect", 32, "variable", "edge", True, (-4, 4), 180),
    ("keep-aspect", 64, "fixed", "between", False, (-8, 8), 300),
    ("keep-aspect", 128, "fixed", "edge", True, (0, 6), 500),
    ("keep-aspect", 20, "variable", "between", True, (-8, -8), 97),
]
IDS = ["-".join(map(str, c[:5])) + f"-{c[5][0]}..{c[5][1]}" for c in CASES]


def generator_for(make_generator, case, transform=False):
    fit, height, spacing_type, subtype, trim, spacing, width = case
    return make_generator(make_config(fit, height, spacing_type, subtype, trim, spacing, transform)), width


@pytest.mark.parametrize("transform", [False, True], ids=["plain", "transform"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_shape_range_and_boxes_hold_all_ink(make_generator, case, transform):
    generator, width = generator_for(make_generator, case, transform)
    height = case[1]
    batch = generator.generate_batch(SEQUENCES * 8, seed=3, image_width=width)
    assert batch.images.shape == (len(SEQUENCES) * 8, height, width) and batch.images.dtype == np.float32
    assert not np.isnan(batch.images).any()
    assert batch.images.min() >= 0.0 and batch.images.max() <= 1.0
    for image, label, boxes in zip(batch.images, batch.labels, batch.boxes):
        assert image.min() < 0.5, "ink must be dark"
        assert boxes.shape == (len(label), 4)
        covered = np.zeros(image.shape, dtype=bool)
        for x0, y0, x1, y1 in boxes:
            assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
            covered[y0:y1, x0:x1] = True
        assert np.all(image[~covered] == 1.0), "ink outside every digit's box"
        assert np.all(np.diff(boxes[:, 0]) >= 0), "boxes in reading order"
    as_bytes = generator.generate_batch(SEQUENCES * 8, seed=3, image_width=width, as_uint8=True)
    assert np.array_equal(as_bytes.images, np.rint(batch.images * 255).astype(np.uint8))


@pytest.mark.parametrize("transform", [False, True], ids=["plain", "transform"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_one_call_is_the_batch_of_one_and_chunks_are_one_call(make_generator, case, transform):
    generator, width = generator_for(make_generator, case, transform)
    for seed, digits in enumerate(SEQUENCES * 2):
        one = generator.generate(digits, image_width=width, seed=seed)
        batch = generator.generate_batch([digits], image_width=width, seed=seed)
        assert one.image.shape == (case[1], width)
        assert one.image.tobytes() == batch.images[0].tobytes(), (digits, seed)
        assert one.boxes.tolist() == batch.boxes[0].tolist(), (digits, seed)
    texts = [SEQUENCES[i % 5] for i in range(3 * BLOCK_SIZE)]
    whole = generator.generate_batch(texts, image_width=width, seed=9, as_uint8=True)
    parts = [
        generator.generate_batch(
            texts[a : a + BLOCK_SIZE], image_width=width, seed=9, first_index=a, as_uint8=True
        )
        for a in range(0, len(texts), BLOCK_SIZE)
    ]
    assert np.array_equal(whole.images, np.concatenate([p.images for p in parts]))
    assert [b.tolist() for b in whole.boxes] == [b.tolist() for p in parts for b in p.boxes]


def ink_box(image: np.ndarray) -> tuple[int, int, int, int]:
    rows, columns = np.flatnonzero(image.min(axis=1) < 1.0), np.flatnonzero(image.min(axis=0) < 1.0)
    return int(columns[0]), int(rows[0]), int(columns[-1]) + 1, int(rows[-1]) + 1


def test_keep_aspect_digits_keep_their_shape_whatever_their_number(make_generator, mnist_test):
    """At height 28 a strip that fits is not resampled at all: each digit is its MNIST image,
    the same for 3 digits as for 10, and the strip sits in the middle of the width."""
    generator = make_generator(make_config("keep-aspect", 28, spacing=(2, 2)))
    for digits in ("012", "0123456789"):
        result = generator.generate(digits, image_width=400, seed=1)
        strip = len(digits) * SIZE + (len(digits) - 1) * 2
        left = (400 - strip) // 2
        assert np.all(result.image[:, :left] == 1.0) and np.all(result.image[:, left + strip :] == 1.0)
        for i, row in enumerate(result.source_indices):
            cell = result.image[:, left + i * (SIZE + 2) : left + i * (SIZE + 2) + SIZE]
            assert np.array_equal(cell, 1.0 - mnist_test.images[row].astype(np.float32) / np.float32(255.0))


def test_keep_aspect_scales_digits_with_the_height_not_the_count(make_generator):
    """Height 56: each digit's box is about twice its 28-px self in both directions; with
    stretch and 10 digits in 200 px the digits are squeezed instead."""
    keep = make_generator(make_config("keep-aspect", 56, spacing=(2, 2)))
    small = make_generator(make_config("keep-aspect", 28, spacing=(2, 2)))
    for digits in ("0123", "0123456"):
        big, base = (
            keep.generate(digits, image_width=600, seed=5),
            small.generate(digits, image_width=600, seed=5),
        )
        assert big.source_indices.tolist() == base.source_indices.tolist()
        for (bx0, by0, bx1, by1), (sx0, sy0, sx1, sy1) in zip(big.boxes, base.boxes):
            assert abs((bx1 - bx0) - 2 * (sx1 - sx0)) <= 3 and abs((by1 - by0) - 2 * (sy1 - sy0)) <= 3


def test_keep_aspect_scales_a_strip_that_does_not_fit_down_uniformly_and_centres_it(make_generator):
    generator = make_generator(make_config("keep-aspect", 32, spacing=(0, 0)))
    result = generator.generate("0123456789", image_width=140, seed=2)  # 280 px of digits at 28 high
    x0, y0, x1, y1 = ink_box(result.image)
    assert y1 - y0 <= 16, "scaled to half: the digits are about 14 px high"
    top, bottom = y0, 32 - y1
    assert abs(top - bottom) <= 4, "centred vertically"
    assert x1 - x0 > 110, "the width is used"


def test_keep_aspect_fixed_spacing_is_never_refused_for_any_length(make_generator):
    generator = make_generator(make_config("keep-aspect", 32, "fixed", spacing=(2, 8)))
    batch = generator.generate_batch(["1" * n for n in range(1, 21)], image_width=200, seed=1)
    assert batch.images.shape == (20, 32, 200)


def test_negative_spacing_overlaps_with_the_darker_pixel_winning(make_generator, mnist_test):
    """Trimmed digits, every gap -4, a width that the strip fills exactly (no resampling): the
    image is the source digits pasted 4 px into each other, each pixel the darker of the two,
    and each box the digit's own ink."""
    generator = make_generator(make_config(trim=True, spacing=(-4, -4)))
    overlapping = 0
    for seed in range(40):
        probe = generator.generate("4117", image_width=100, seed=seed)
        widths = []
        for row in probe.source_indices:
            columns = np.flatnonzero(mnist_test.images[row].max(axis=0))
            widths.append(max(int(columns[-1] + 1 - columns[0]), 5))  # cells at least 1 - (-4) wide
        width = sum(widths) - 3 * 4
        result = generator.generate("4117", image_width=width, seed=seed)
        assert result.source_indices.tolist() == probe.source_indices.tolist()
        ink = np.zeros((SIZE, width), dtype=np.uint8)
        at = 0
        for row, w, box in zip(result.source_indices, widths, result.boxes):
            digit = mnist_test.images[row]
            columns = np.flatnonzero(digit.max(axis=0))
            c0, c1 = int(columns[0]), int(columns[-1]) + 1
            start = min(c0, SIZE - w)  # a narrow cell is widened to the right of its ink
            np.maximum(ink[:, at : at + w], digit[:, start : start + w], out=ink[:, at : at + w])
            rows = np.flatnonzero(digit.max(axis=1))
            assert box.tolist() == [at + c0 - start, int(rows[0]), at + c1 - start, int(rows[-1]) + 1]
            at += w - 4
        assert np.array_equal(result.image, 1.0 - ink.astype(np.float32) / np.float32(255.0))
        overlapping += any(a[2] > b[0] for a, b in zip(result.boxes, result.boxes[1:]))
    assert overlapping > 10  # most seeds put a digit's ink into its neighbour's box: overlap was tested


def test_negative_edge_margins_are_never_negative(make_generator):
    """Variable edge spacing of -8..-8: the digits overlap, but no digit is cut by the border."""
    generator = make_generator(make_config(subtype="edge", spacing=(-8, -8), trim=True))
    batch = generator.generate_batch(["0123", "1111", "8"] * 10, image_width=300, seed=4)
    for boxes in batch.boxes:
        assert boxes[0, 0] >= 0 and boxes[-1, 2] <= 300


@pytest.mark.parametrize("spacing", [(-1, 4), (-8, -8)])
def test_fixed_edge_with_a_negative_minimum_is_refused_up_front(make_generator, spacing):
    generator = make_generator(make_config("stretch", 28, "fixed", "edge", trim=True, spacing=(0, 4)))
    with pytest.raises(LayoutError, match="between"):
        generator.generate("0123", spacing, 200)


@pytest.mark.parametrize("fit,height", list(itertools.product(("stretch", "keep-aspect"), (16, 28, 100))))
def test_overlapping_untrimmed_cells_with_the_most_overlap(make_generator, fit, height):
    generator = make_generator(make_config(fit, height, "fixed", spacing=(-8, -8)))
    result = generator.generate("00000", image_width=5 * SIZE - 4 * 8, seed=1)
    assert result.image.shape == (height, 5 * SIZE - 32)
    assert result.boxes.shape == (5, 4) and np.all(np.diff(result.boxes[:, 0]) > 0)
