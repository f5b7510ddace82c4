"""The one-image layout route must place digits exactly as the vectorised block route does."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from digitseq_gui import Config, DigitSequence
from digitseq_gui.engine import render as compose
from digitseq_gui.engine import layout


@pytest.mark.parametrize("kind,subtype,trim", list(itertools.product(("variable", "fixed"), ("between", "edge"), (False, True))))
def test_single_image_route_matches_block_route(kind, subtype, trim, mnist_test):
    config = Config()
    config.spacing.type, config.spacing.subtype, config.image.trim_padding = kind, subtype, trim
    generator = DigitSequence(config, dataset=mnist_test, seed=0)
    rng = np.random.default_rng(1)
    low, high = 0, 12
    for _ in range(50):
        n = int(rng.integers(1, 7))
        widths = rng.integers(5, 29, n) if trim else np.full(n, 28)
        gap_count = layout.gap_count(n, subtype)
        width = int(widths.sum()) + int(rng.integers(gap_count * low, gap_count * high + 1)) if gap_count else int(widths.sum())
        if trim and kind == "fixed":
            width = 28 * n + gap_count * high + int(rng.integers(0, 20))  # slack to share
        gaps = layout.variable_gaps(rng, gap_count, low, high) if kind == "variable" else None

        one = generator._place_one(widths.tolist(), gaps, width, low, high)
        gap_before, trail = generator._spacing(np.array([n]), widths, gaps, width, low, high)
        block = compose.place(np.array([n]), widths, gap_before, trail)
        assert one.x.tolist() == block.x.tolist()
        assert one.strip_width.tolist() == block.strip_width.tolist()
        if kind == "fixed":
            assert one.strip_width.tolist() == [width]

        ink = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        starts = (28 - widths) // 2
        assert np.array_equal(compose.paint_one(ink, starts.tolist(), widths.tolist(), one),
                              compose.paint(ink, starts, widths, block))
