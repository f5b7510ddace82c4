"""Drawn symbols (separators.style = "drawn"): labels, boxes, placement, reproducibility, the judge."""

from __future__ import annotations

import numpy as np
import pytest
from symbol_judge import ink_outside_boxes, scores

from digitseq_gui import DigitSequence
from digitseq_gui.engine.compose import compose
from digitseq_gui.engine.config import Config
from digitseq_gui.engine.errors import ConfigError, InvalidInputError
from digitseq_gui.engine.symbols import DRAWN_SYMBOLS, characters_of, label_and_gaps

DRAWN = {"separators": {"style": "drawn"}}
TEXTS = ["090-1234-5678", "1,234.56", "12/05/2024", "9:05", "4(03)5+6", "12 34.5"]


def generator(**image) -> DigitSequence:
    return DigitSequence(Config.from_dict(dict(DRAWN, image=image)))


def test_the_style_is_a_config_setting_off_by_default_and_checked():
    assert Config().separators.style == "gap"
    assert "separators" not in Config().to_dict()  # older configs keep their records' bytes
    assert Config.from_dict(DRAWN).to_dict()["separators"] == {"style": "drawn"}
    with pytest.raises(ConfigError, match="separators.style must be one of gap, drawn"):
        Config.from_dict({"separators": {"style": "inked"}})


def test_labels_keep_the_drawn_symbols_and_spaces_stay_gaps():
    assert characters_of("03 (1234)5") == ("03(1234)5", [1])
    assert label_and_gaps("12 34.5", "drawn") == ("1234.5", [1])
    assert label_and_gaps("12 34.5", "gap") == ("12345", [1, 3])
    assert label_and_gaps("1,234.56", "drawn") == ("1,234.56", [])
    composed = compose(generator(), TEXTS, 3, 10, uniform_separators=False)
    assert composed.labels == ["090-1234-5678", "1,234.56", "12/05/2024", "9:05", "4(03)5+6", "1234.5"]
    for label, boxes, sources in zip(composed.labels, composed.boxes, composed.sources):
        assert len(boxes) == len(label) == len(sources)  # one box per character
        assert [s == -1 for s in sources.tolist()] == [not c.isdigit() for c in label]  # no data row


def test_gap_style_is_todays_route_and_a_text_with_symbols_in_gap_style_still_makes_gaps():
    plain = DigitSequence(Config())
    composed = compose(plain, ["12:34"], 5, 10)
    assert composed.labels == ["1234"] and len(composed.boxes[0]) == 4


def test_symbols_sit_where_a_person_writes_them():
    """Dot and comma at the baseline (the comma reaching below the dot), hyphen and plus at
    mid-height, parentheses and slash about the digits' height."""
    g = generator()
    texts = [f"12{s}34" for s in DRAWN_SYMBOLS] * 8
    composed = compose(g, texts, 11, 10)
    rows: dict[str, list] = {s: [] for s in DRAWN_SYMBOLS}
    for label, boxes in zip(composed.labels, composed.boxes):
        digits = boxes[[1, 3]]
        top, base = digits[:, 1].mean(), digits[:, 3].mean()
        rows[label[2]].append(((boxes[2, 1] - top) / (base - top), (boxes[2, 3] - top) / (base - top)))
    mean = {
        s: np.mean(v, axis=0) for s, v in rows.items()
    }  # (top, bottom) as fractions of the digits' height
    assert mean["."][0] > 0.6 and abs(mean["."][1] - 1) < 0.15
    assert mean[","][0] > 0.55 and mean[","][1] > mean["."][1]
    for s in "-+":
        assert 0.2 < np.mean(mean[s]) < 0.8
    assert mean["-"][1] - mean["-"][0] < 0.35
    for s in "()/":
        assert mean[s][0] < 0.15 and mean[s][1] > 0.85
    assert mean[":"][0] < 0.5 and mean[":"][1] > 0.85


def test_the_stroke_follows_the_neighbouring_digits():
    """Thin digits give thin symbols: the pen is measured from the neighbours."""
    from digitseq_gui.engine.symbols import Pen, draw, measure

    thin, thick = Pen(4, 24, 1.6, 250), Pen(4, 24, 4.5, 250)
    for s in DRAWN_SYMBOLS:
        assert (draw(s, thin, 0.3, (28, 28)) > 96).sum() < (draw(s, thick, 0.3, (28, 28)) > 96).sum()
        assert measure(draw(s, thick, 0.3, (28, 28))) is not None
    faint = draw("-", Pen(4, 24, 3, 120), 0.3, (28, 28))
    assert faint.max() <= 120  # as dark as the neighbours, never darker


@pytest.mark.parametrize("image", [{}, {"trim_padding": True}, {"transform": True}])
def test_bytes_do_not_depend_on_how_a_run_is_cut(image):
    g = generator(**image)
    texts = ["12:34", "5-6", "7.89", "1/2"] * 40  # 160 images: three blocks
    whole = compose(g, texts, 9, 10)
    parts = [compose(g, texts[i : i + 64], 9, 10, first_index=i) for i in (0, 64, 128)]
    np.testing.assert_array_equal(whole.images, np.concatenate([p.images for p in parts]))
    assert [b.tolist() for b in whole.boxes] == [b.tolist() for p in parts for b in p.boxes]
    again = compose(generator(**image), texts, 9, 10)
    np.testing.assert_array_equal(whole.images, again.images)


def test_generate_and_generate_batch_accept_symbols_and_agree():
    g = generator()
    one = g.generate("12:34", seed=4)
    batch = g.generate_batch(["12:34"], seed=4)
    np.testing.assert_array_equal(one.image, batch.images[0])
    assert one.label == "12:34" and one.boxes.tolist() == batch.boxes[0].tolist()
    # a space stays a blank gap: the batch takes the engine's one route, as an export does
    spaced = g.generate_batch(["12 34", "5:6 7"], seed=1, as_uint8=True)
    composed = compose(g, ["12 34", "5:6 7"], 1, 10)  # one gap each: one group
    assert spaced.labels == ["1234", "5:67"] == composed.labels
    np.testing.assert_array_equal(spaced.images, composed.images)
    with pytest.raises(InvalidInputError, match="has no digit, only separators"):
        g.generate("-.-", seed=1)


def test_every_symbols_ink_stays_inside_the_boxes():
    composed = compose(generator(), [f"12{s}34" for s in DRAWN_SYMBOLS] * 16, 2, 10)
    assert sum(ink_outside_boxes(i, b) for i, b in zip(composed.images, composed.boxes)) == 0


def test_every_symbol_is_recognisable():
    """The judge (symbol_judge.py: rules a person would give, blind to the drawing code) reads
    each symbol of 100 images per symbol; figures are in docs/symbols.md."""
    plain = scores({}, count=800)
    assert min(plain.values()) >= 0.9, plain
    augmented = scores({"image": {"transform": True}}, count=800)
    assert min(v for s, v in augmented.items() if s != ",") >= 0.9, augmented
    assert augmented[","] >= 0.6, augmented  # a rotated, shrunk comma often reads as a dot
