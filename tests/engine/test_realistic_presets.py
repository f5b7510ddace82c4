"""Realistic presets (issue 18 item 7): a base preset's values on paper, in ink, captured.

Each is checked on real pixels: valid texts, RGB images of the configured shape, every digit's
ink inside its (possibly moved) box and standing out of the paper, the judge of
test_finish_legibility reading the digits, and the same bytes for the same seed in any blocks."""

from __future__ import annotations

import numpy as np
import pytest
from test_finish_legibility import finished_digits
from test_legibility import judge  # noqa: F401  # the session fixture

from digitseq_gui import DigitSequence, SequenceDataset
from digitseq_gui.engine.compose import compose
from digitseq_gui.engine.config import Config
from digitseq_gui.engine.finish import finish
from digitseq_gui.engine.ink import LUMA
from digitseq_gui.engine.presets import (
    BASE_PRESETS,
    PRESETS,
    REALISTIC_PRESETS,
    preset_config,
    preset_source,
    preset_texts,
)

FINISHING = ("ink", "paper", "capture")
COUNT = 130  # three blocks, the last short
SEED = 5
MIN_CONTRAST = 24  # grey levels, as test_finish_legibility


def _finishing_of(name: str) -> dict:
    """The preset's finishing sections alone, as a config document."""
    settings = REALISTIC_PRESETS[name].settings
    return {"image": {"color": settings["image"]["color"]}, **{k: settings[k] for k in FINISHING}}


def _digits_config(name: str) -> Config:
    """The preset's config without its finishing: the digits it composes."""
    document = preset_config(name).to_dict()
    document["image"].pop("color", None)
    return Config.from_dict({k: v for k, v in document.items() if k not in FINISHING})


def _luma(images: np.ndarray) -> np.ndarray:
    return images[..., 0] * LUMA[0] + images[..., 1] * LUMA[1] + images[..., 2] * LUMA[2]


def test_the_realistic_presets_are_listed_after_the_base_ones_and_draw_their_base_values():
    assert list(PRESETS) == [*BASE_PRESETS, *REALISTIC_PRESETS]
    assert set(REALISTIC_PRESETS) >= {"amount-cheque", "zip-boxes", "meter-photo", "date-form"}
    for name, preset in REALISTIC_PRESETS.items():
        assert preset.base in BASE_PRESETS and not BASE_PRESETS[preset.base].base
        assert preset_texts(name, 200, 3) == preset_texts(preset.base, 200, 3)
        assert preset_source(name).shapes("drawn") == preset_source(preset.base).shapes("drawn")
        config = preset_config(name)
        base = preset_config(preset.base)
        assert config.image.color == "rgb" and config.capture.enabled
        assert (config.separators, config.sampling, config.image.fit) == (
            base.separators,
            base.sampling,
            base.image.fit,
        )


def test_each_realistic_preset_says_what_it_draws():
    cheque = preset_config("amount-cheque")
    assert (cheque.paper.background, cheque.paper.lines, cheque.paper.printed) == ("cheque", "ruled", True)
    boxes = preset_config("zip-boxes")
    assert boxes.paper.lines == "boxes" and boxes.ink.color == "blue"
    assert preset_config("date-form").paper.lines == "ruled"
    photo = preset_config("meter-photo").capture.enabled_effects()
    assert {"shadow", "perspective", "defocus", "jpeg"} <= set(photo)


def test_a_realistic_preset_replaces_the_finishing_but_keeps_the_other_settings():
    mine = Config.from_dict(
        {
            "image": {"width": 320, "height": 40},
            "ink": {"color": "pencil", "darkness": 0.5},
            "paper": {"background": "tinted", "lines": "grid"},
            "capture": {"enabled": True, "effects": {"motion": {"enabled": True, "strength": 5}}},
        }
    )
    config = preset_config("zip-boxes", mine)
    assert (config.image.width, config.image.height) == (320, 40)
    assert config == preset_config("zip-boxes", Config.from_dict({"image": {"width": 320, "height": 40}}))
    assert "motion" not in config.capture.enabled_effects()


@pytest.mark.parametrize("name", list(REALISTIC_PRESETS))
def test_rgb_images_of_valid_texts_with_every_digit_in_its_box(name):
    config = preset_config(name)
    texts = preset_texts(name, COUNT, SEED)
    made = compose(DigitSequence(config), texts, SEED, 10, uniform_separators=False)
    assert made.labels == texts
    assert made.images.shape == (COUNT, config.image.height, config.image.width, 3)
    assert made.images.dtype == np.uint8
    if config.paper.printed:
        assert any(made.printed) and all(m == "" or m not in t for m, t in zip(made.printed, texts))

    # The ink is what the finishing leaves of it against the same finish of blank paper (the
    # sensor noise and JPEG off in both, so only the strokes differ).
    digits = compose(DigitSequence(_digits_config(name)), texts, SEED, 10, uniform_separators=False)
    assert np.array_equal(finish(config, digits.images, digits.boxes, SEED, 0).images, made.images)
    clean = preset_config(name)
    for effect in ("noise", "jpeg"):
        clean.capture.effects[effect].enabled = False
    inked = finish(clean, digits.images, digits.boxes, SEED, 0)
    blank = finish(clean, np.full_like(digits.images, 255), digits.boxes, SEED, 0)
    ink = _luma(blank.images) - _luma(inked.images)
    for image, boxes, text in zip(ink, inked.boxes, texts):
        assert len(boxes) == len(text)  # drawn separators: one box per character
        inside = np.zeros(image.shape, bool)
        for x0, y0, x1, y1 in boxes:
            assert 0 <= x0 < x1 <= image.shape[1] and 0 <= y0 < y1 <= image.shape[0]
            assert image[y0:y1, x0:x1].max() >= MIN_CONTRAST, f"{name} {text!r}: ink lost in the paper"
            inside[y0:y1, x0:x1] = True
        assert not (image >= 96)[~inside].any(), f"{name} {text!r}: ink outside every box"


@pytest.mark.parametrize("name", list(REALISTIC_PRESETS))
def test_the_same_bytes_for_the_same_seed_in_any_blocks(name):
    config = preset_config(name)
    texts = preset_texts(name, COUNT, SEED)

    def made(a: int, b: int, seed: int = SEED):
        return compose(DigitSequence(config), texts[a:b], seed, 10, first_index=a, uniform_separators=False)

    whole = made(0, COUNT)
    pieces = [made(a, b) for a, b in ((0, 64), (64, 128), (128, COUNT))]
    assert np.array_equal(whole.images, np.concatenate([p.images for p in pieces]))
    assert whole.printed == [m for p in pieces for m in p.printed]
    assert np.array_equal(whole.images, made(0, COUNT).images)
    assert not np.array_equal(whole.images, made(0, COUNT, SEED + 1).images)


@pytest.mark.parametrize("name", list(REALISTIC_PRESETS))
def test_the_data_set_of_a_realistic_preset(name):
    config = preset_config(name)
    data = SequenceDataset(70, sequences=preset_source(name), config=config, seed=SEED)
    item = data[66]
    assert item["image"].shape == (config.image.height, config.image.width, 3)
    assert item["label"] == item["text"] == preset_texts(name, 70, SEED)[66]
    floats = SequenceDataset(70, sequences=preset_source(name), config=config, seed=SEED, dtype="float32")
    assert np.allclose(floats[66]["image"] * 255, item["image"], atol=0.01)


@pytest.mark.parametrize("name", list(REALISTIC_PRESETS))
def test_a_realistic_presets_digits_stay_legible(judge, mnist_test, name):  # noqa: F811
    """The judge of test_finish_legibility on this preset's finishing: 95%, as the realistic
    default must (the meter photo, stronger than the defaults, 90%, as a setting at its maximum)."""
    crops, labels, contrast = finished_digits(_finishing_of(name), mnist_test)
    score = float(np.mean(judge.classify(crops) == labels))
    print(f"\n{name}: {score:.1%} read as labelled, weakest ink {contrast.min():.0f} levels")
    assert score >= (0.90 if name == "meter-photo" else 0.95), f"{name}: {score:.1%}"
    assert contrast.min() >= MIN_CONTRAST
