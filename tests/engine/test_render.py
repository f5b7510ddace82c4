"""The block route (vectorised over a block) and the one-image route (plain Python) of each step
must agree exactly: layout, painting, resampling, box mapping, ink extents."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from digitseq_gui.engine import layout, render, scaling
from digitseq_gui.engine.imgaug_compat import cv2
from digitseq_gui.engine.sampling import ink_extents


def place_one(widths, gaps, width, subtype, low, high):
    """The one-image route's layout (as DigitSequence.generate lays out): (x of each digit, strip width)."""
    return layout.positions(widths, layout.blank_runs_one(widths, gaps, width, subtype, low, high))


# Every kind x subtype x trim, with gaps from 0 and with overlaps (fixed edge refuses a negative minimum).
@pytest.mark.parametrize(
    "kind,subtype,trim,low,high",
    [
        (kind, subtype, trim, low, high)
        for kind, subtype, trim in itertools.product(
            ("variable", "fixed"), ("between", "edge"), (False, True)
        )
        for low, high in ((0, 12), (-8, 4))
        if not (kind == "fixed" and subtype == "edge" and low < 0)
    ],
)
def test_one_image_layout_matches_the_block_layout(kind, subtype, trim, low, high):
    rng = np.random.default_rng(1)
    for _ in range(50):
        n = int(rng.integers(1, 7))
        widths = rng.integers(5, 29, n) if trim else np.full(n, 28)
        gap_count = layout.gap_count(n, subtype)
        width = (
            int(widths.sum()) + int(rng.integers(gap_count * low, gap_count * high + 1))
            if gap_count
            else int(widths.sum())
        )
        if trim and kind == "fixed":
            width = 28 * n + gap_count * high + int(rng.integers(0, 20))  # slack to share
        gaps = rng.integers(low, high + 1, gap_count) if kind == "variable" else None

        x, strip_width = place_one(
            widths.tolist(), None if gaps is None else gaps.tolist(), width, subtype, low, high
        )
        block = layout.place_block(np.array([n]), widths, gaps, width, subtype, low, high)
        assert x == block.x.tolist()
        assert [strip_width] == block.strip_width.tolist()
        if kind == "fixed":
            assert strip_width == width
            if not trim and n > 1:  # untrimmed: the gaps fill the width and differ by at most one
                inner = np.diff(x) - 28
                assert inner.max() - inner.min() <= 1 and low <= inner.min() and inner.max() <= high


def test_a_block_is_laid_out_as_its_images_one_by_one():
    rng = np.random.default_rng(2)
    for subtype, kind in itertools.product(("between", "edge"), ("variable", "fixed")):
        counts = rng.integers(1, 8, 40)
        widths = rng.integers(4, 29, int(counts.sum()))
        gap_counts = [layout.gap_count(int(n), subtype) for n in counts]
        gaps = rng.integers(0, 9, sum(gap_counts)) if kind == "variable" else None
        width = 300
        block = layout.place_block(counts, widths, gaps, width, subtype, 0, 8)
        first, gap_first = 0, 0
        for i, n in enumerate(counts.tolist()):
            own_gaps = None if gaps is None else gaps[gap_first : gap_first + gap_counts[i]].tolist()
            x, strip_width = place_one(widths[first : first + n].tolist(), own_gaps, width, subtype, 0, 8)
            assert block.x[first : first + n].tolist() == x
            assert block.strip_width[i] == strip_width
            assert (block.image_of_digit[first : first + n] == i).all()
            first, gap_first = first + n, gap_first + gap_counts[i]


@pytest.mark.parametrize("trim", [False, True], ids=["whole cells", "trimmed"])
def test_painting_a_block_matches_painting_each_image(trim):
    rng = np.random.default_rng(3)
    counts = rng.integers(1, 6, 30)
    k = int(counts.sum())
    ink = rng.integers(0, 256, (k, 28, 28), dtype=np.uint8)
    widths = rng.integers(3, 29, k) if trim else np.full(k, 28)
    cell_start = rng.integers(0, 29 - widths) if trim else np.zeros(k, dtype=np.int64)
    gaps = rng.integers(0, 6, int((counts - 1).sum()))
    placement = layout.place_block(counts, widths, gaps, 200, "between", 0, 5)
    strips = np.zeros((len(counts), 28, int(placement.strip_width.max())), dtype=np.uint8)
    render.paint(ink, cell_start, widths, placement.image_of_digit, placement.x, strips)
    first = 0
    for i, n in enumerate(counts.tolist()):
        d = slice(first, first + n)
        tiles = [ink[j, :, cell_start[j] : cell_start[j] + widths[j]] for j in range(first, first + n)]
        ends = [0] + [a + t.shape[1] for a, t in zip(placement.x[d].tolist(), tiles)]
        runs = [a - e for a, e in zip(placement.x[d].tolist(), ends)] + [
            int(placement.strip_width[i]) - ends[-1]
        ]
        one = render.paint_one(tiles, runs)
        assert np.array_equal(strips[i, :, : one.shape[1]], one)
        assert not strips[i, :, one.shape[1] :].any()
        # and every digit's used columns are really there
        for j in range(first, first + n):
            at, start, w = placement.x[j], cell_start[j], widths[j]
            assert np.array_equal(strips[i, :, at : at + w], ink[j, :, start : start + w])
        first += n


@pytest.mark.parametrize("width", [1, 57, 130, 200, 263])
def test_block_resampling_equals_one_opencv_call_per_strip(width):
    """Strips sharing a width are resampled stacked, in one call: byte for byte what one
    ``cv2.resize`` per strip gives (shrinking and growing, including 2x and equal widths)."""
    rng = np.random.default_rng(width)
    strip_width = rng.choice([width, 2 * width, max(1, width // 2), 131, 140, 400, 77], 64)
    k = len(strip_width)
    ink = rng.integers(0, 256, (k, 28, 28), dtype=np.uint8)
    # One "digit" per image, a whole cell at x = 0, on a strip of its own width (zeros beyond the cell).
    out = np.empty((k, 28, width), dtype=np.uint8)
    render.render_block(
        ink, np.zeros(k, np.int64), np.full(k, 28), np.arange(k), np.zeros(k, np.int64), strip_width, out
    )
    cv = cv2()
    for i, columns in enumerate(strip_width.tolist()):
        strip = np.zeros((28, max(columns, 28)), dtype=np.uint8)
        strip[:, :28] = ink[i]
        strip = np.ascontiguousarray(strip[:, :columns])
        if columns == width:
            expected = strip
        else:
            mode = cv.INTER_AREA if columns > width else cv.INTER_LINEAR
            expected = cv.resize(strip, (width, 28), interpolation=mode)
        assert np.array_equal(out[i], expected), (i, columns, width)
        assert np.array_equal(scaling.resample_rows(strip, width), expected)  # the one-image route's call


def test_box_mapping_one_box_at_a_time_matches_the_vectorised_mapping():
    rng = np.random.default_rng(4)
    x0 = rng.integers(0, 300, 5000)
    x1 = x0 + rng.integers(1, 40, 5000)
    strip_width = x1 + rng.integers(0, 300, 5000)
    width = rng.integers(1, 400, 5000)
    for w in np.unique(width)[:60].tolist():
        pick = width == w
        first, last = render.map_columns(x0[pick], x1[pick], strip_width[pick], w)
        one = [
            render.map_columns_one(a, b, s, w)
            for a, b, s in zip(x0[pick].tolist(), x1[pick].tolist(), strip_width[pick].tolist())
        ]
        assert [f for f, _ in one] == first.tolist() and [lst for _, lst in one] == last.tolist()


def test_ink_extents_are_the_tight_box_of_the_non_zero_pixels():
    rng = np.random.default_rng(5)
    ink = np.zeros((200, 28, 28), dtype=np.uint8)
    for k in range(1, 200):  # digit 0 stays blank
        y0, x0 = rng.integers(0, 28, 2)
        y1, x1 = y0 + rng.integers(1, 29 - y0), x0 + rng.integers(1, 29 - x0)
        ink[k, y0:y1, x0:x1] = rng.integers(0, 2, (y1 - y0, x1 - x0)) * rng.integers(1, 256)
    # many digits of a width of whole uint32 words (the folding route), few, and an odd width
    for stack in (ink, ink[:9], ink[:, :, :27]):
        found = ink_extents(np.ascontiguousarray(stack))
        for k in range(len(stack)):
            ys, xs = np.nonzero(stack[k])
            if len(xs) == 0:
                assert not found.has_ink[k]
                continue
            assert found.has_ink[k]
            assert (found.x0[k], found.x1[k], found.y0[k], found.y1[k]) == (
                xs.min(),
                xs.max() + 1,
                ys.min(),
                ys.max() + 1,
            )


def test_output_is_the_inverted_ink_on_the_1_over_255_grid():
    ink = np.arange(256, dtype=np.uint8).reshape(1, 256)
    as_uint8 = render.ink_to_output(ink, np.empty_like(ink))
    as_float = render.ink_to_output(ink, np.empty(ink.shape, np.float32))
    assert as_uint8.tolist() == [[255 - v for v in range(256)]]
    assert as_float.dtype == np.float32
    assert np.array_equal(np.rint(as_float * 255).astype(np.uint8), as_uint8)
    assert as_float[0, 0] == 1.0 and as_float[0, 255] == 0.0
    # exactly what float32 arithmetic gives, also into an array the table route cannot fill
    formula = np.float32(1.0) - ink.astype(np.float32) / np.float32(255.0)
    assert as_float.tobytes() == formula.tobytes()
    strided = np.empty((1, 512), np.float32)[:, ::2]
    assert render.ink_to_output(ink, strided).tobytes() == formula.tobytes()


@pytest.mark.parametrize("subtype", ["between", "edge"])
def test_fixed_gaps_that_cannot_fill_a_narrow_width_take_the_minimum_in_both_routes(subtype):
    """keep-aspect lays fixed spacing out in a width it may not reach: the gaps are then the
    minimum and the strip is wider (scaled down later), the same in the block and one image."""
    widths = np.array([28, 28, 28, 28])
    block = layout.place_block(np.array([4]), widths, None, 100, subtype, 2, 8)
    x, strip_width = place_one(widths.tolist(), None, 100, subtype, 2, 8)
    assert x == block.x.tolist() and [strip_width] == block.strip_width.tolist()
    assert np.diff(x).tolist() == [30, 30, 30]
    assert strip_width == 112 + layout.gap_count(4, subtype) * 2
