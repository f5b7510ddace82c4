"""The separator geometry, pinned: a change to where gaps go or how wide they are must fail here.

A review once changed the separator geometry and no test noticed, because every test compared
two renderers with each other. These compare the engine's route (``engine.compose``) with
literal boxes for a few patterns, and with its definition: the digits drawn at the width the
gaps leave, a blank run of exactly ``separator_width`` columns cut halfway between the two
digits' boxes, the boxes right of a cut moved over by the gap.
"""

from __future__ import annotations

import numpy as np
import pytest

from digitseq_gui.engine.compose import compose
from digitseq_gui.engine.errors import InvalidInputError

SEED = 7

# text, separator width, boxes (x_min, y_min, x_max, y_max) of every digit, on MNIST's test file,
# the default config, seed 7.
PINNED = [
    (
        "090-1234-5678",
        10,
        [[1, 4, 13, 24], [18, 6, 26, 26], [35, 4, 43, 24], [62, 5, 67, 25], [76, 3, 86, 23], [93, 5, 103, 25],
         [111, 5, 121, 25], [138, 5, 150, 24], [156, 3, 165, 23], [171, 7, 181, 27], [189, 6, 200, 23]],
    ),
    (
        "12/05/2024",
        6,
        [[5, 4, 16, 24], [27, 3, 38, 23], [56, 4, 67, 24], [81, 7, 97, 25], [112, 3, 126, 23], [138, 4, 149, 24],
         [162, 3, 175, 23], [184, 5, 198, 25]],
    ),
    (
        "03 1234_5678",
        8,
        [[2, 4, 14, 24], [22, 4, 33, 24], [53, 4, 58, 24], [67, 4, 77, 24], [85, 4, 95, 24], [102, 5, 112, 25],
         [128, 5, 139, 25], [149, 2, 160, 22], [169, 6, 181, 26], [188, 4, 199, 24]],
    ),
    ("1.50", 0, [[16, 4, 46, 24], [88, 5, 116, 25], [156, 4, 188, 24]]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "separator_width", "boxes"), PINNED, ids=[p[0] for p in PINNED])
def test_separator_boxes_are_pinned(make_generator, text, separator_width, boxes):
    composed = compose(make_generator(), [text], SEED, separator_width)
    assert composed.labels == ["".join(c for c in text if c.isdigit())]
    assert composed.images.shape == (1, 28, 200)
    assert composed.boxes[0].tolist() == boxes


@pytest.mark.parametrize(("text", "separator_width", "boxes"), PINNED, ids=[p[0] for p in PINNED])
def test_gaps_are_blank_runs_of_the_separator_width_between_the_digits(
    make_generator, text, separator_width, boxes
):
    generator = make_generator()
    composed = compose(generator, [text], SEED, separator_width)
    label = composed.labels[0]
    digit, after = -1, []  # the digits that a gap follows
    for c in text:
        if c.isdigit():
            digit += 1
        elif not after or after[-1] != digit:
            after.append(digit)
    # The digits alone, at the width the gaps leave: the same draws, before the gaps go in.
    plain = generator.generate_batch(
        [label], image_width=200 - len(after) * separator_width, seed=SEED, as_uint8=True
    )
    plain_boxes, plain_image = plain.boxes[0], plain.images[0]
    image, moved = composed.images[0], composed.boxes[0]
    shift = np.zeros(len(label), dtype=int)
    for k, j in enumerate(after):
        shift[j + 1 :] += separator_width
        cut = (int(plain_boxes[j, 2]) + int(plain_boxes[j + 1, 0])) // 2 + k * separator_width
        # The gap: exactly separator_width white columns at the cut, halfway between the boxes.
        assert (image[:, cut : cut + separator_width] == 255).all()
        # Its width adds to the space between the two digits' boxes, nothing else changes.
        assert moved[j + 1, 0] - moved[j, 2] == plain_boxes[j + 1, 0] - plain_boxes[j, 2] + separator_width
    assert (moved[:, 0] - plain_boxes[:, 0]).tolist() == shift.tolist()
    assert (moved[:, 2] - plain_boxes[:, 2]).tolist() == shift.tolist()
    assert (moved[:, [1, 3]] == plain_boxes[:, [1, 3]]).all()
    # Outside the gaps the pixels are the digits-only image's, column for column.
    keep = np.ones(200, dtype=bool)
    for k, j in enumerate(after):
        cut = (int(plain_boxes[j, 2]) + int(plain_boxes[j + 1, 0])) // 2 + k * separator_width
        keep[cut : cut + separator_width] = False
    assert (image[:, keep] == plain_image).all()


def test_gaps_that_leave_no_room_for_the_digits_are_refused(make_generator):
    with pytest.raises(InvalidInputError, match="separator gap.*use a wider image"):
        compose(make_generator(), ["1-2-3"], SEED, 100)
