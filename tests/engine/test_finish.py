"""The finishing stage (issue 18): colour, ink over paper, printed lines and marks, capture effects.

Every test looks at real pixels and boxes of engine.compose, the route every image takes."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from digitseq_gui import DigitSequence
from digitseq_gui.engine.capture import CAPTURE_EFFECTS
from digitseq_gui.engine.compose import compose
from digitseq_gui.engine.config import Config
from digitseq_gui.engine.errors import ConfigError
from digitseq_gui.engine.finish_config import realistic_combination
from digitseq_gui.engine.ink import NAMED_INKS

TEXTS = ["0123", "4567890", "12345678", "5", "90210"] * 26  # 130 images: three blocks, the last short
REALISTIC = realistic_combination()


def _generator(document: dict) -> DigitSequence:
    config = Config.from_dict(document)
    config.dataset.split = "test"
    return DigitSequence(config)


def _compose(document: dict, texts=TEXTS, seed=3, first_index=0):
    return compose(_generator(document), list(texts), seed, separator_width=0, first_index=first_index)


EVERY_SETTING = {
    "rgb": {"image": {"color": "rgb"}},
    "ink-blue-pressure": {
        "image": {"color": "rgb"},
        "ink": {"color": "blue", "darkness": 0.8, "pressure": 0.5},
    },
    "ink-list": {"image": {"color": "rgb"}, "ink": {"color": ["pencil", "#802020"]}},
    "tinted": {"paper": {"background": "tinted"}},
    "grain": {"image": {"color": "rgb"}, "paper": {"background": "grain"}},
    "cheque": {"image": {"color": "rgb"}, "paper": {"background": "cheque", "printed": True}},
    "ruled": {"paper": {"lines": "ruled"}},
    "grid": {"image": {"color": "rgb"}, "paper": {"lines": "grid"}},
    "boxes": {"image": {"color": "rgb"}, "paper": {"lines": "boxes"}},
    "realistic": REALISTIC,
    "realistic-gray": {k: v for k, v in REALISTIC.items() if k != "image"},
    **{
        f"capture-{spec.name}-max": {
            "capture": {
                "enabled": True,
                "effects": {
                    s.name: {"enabled": s.name == spec.name, "strength": s.maximum} for s in CAPTURE_EFFECTS
                },
            }
        }
        for spec in CAPTURE_EFFECTS
    },
}


def test_defaults_change_nothing_and_save_without_the_new_sections():
    config = Config()
    assert set(config.to_dict()) == {"image", "spacing", "output_format", "dataset"}
    assert "color" not in config.to_dict()["image"]
    plain = _compose({})
    batch = _generator({}).generate_batch([t for t in TEXTS], seed=3, as_uint8=True)
    assert plain.images.shape == (len(TEXTS), 28, 200) and np.array_equal(plain.images, batch.images)
    assert Config.from_dict(Config.from_dict(REALISTIC).to_dict()) == Config.from_dict(REALISTIC)


def test_rgb_alone_is_the_grey_image_in_three_channels():
    grey, rgb = _compose({}), _compose({"image": {"color": "rgb"}})
    assert rgb.images.shape == (len(TEXTS), 28, 200, 3) and rgb.images.dtype == np.uint8
    assert np.array_equal(rgb.images, np.repeat(grey.images[..., None], 3, axis=-1))


@pytest.mark.parametrize("name", list(EVERY_SETTING))
def test_same_bytes_however_the_images_are_cut_into_blocks(name):
    """A call of 130 images against calls of 64, 64 and 2 starting at image 64 and 128."""
    document = EVERY_SETTING[name]
    whole = _compose(document)
    pieces = [_compose(document, TEXTS[a:b], first_index=a) for a, b in ((0, 64), (64, 128), (128, 130))]
    assert np.array_equal(whole.images, np.concatenate([p.images for p in pieces]))
    assert all(np.array_equal(a, b) for a, b in zip(whole.boxes, [b for p in pieces for b in p.boxes]))
    assert whole.printed == [m for p in pieces for m in p.printed]
    assert whole.labels == [t for t in TEXTS]  # the label is the digits, whatever is printed
    again = _compose(document)
    assert np.array_equal(whole.images, again.images)
    assert not np.array_equal(whole.images, _compose(document, seed=4).images)


def test_ink_colour_is_the_named_colour_where_the_stroke_is_solid():
    composed = _compose({"image": {"color": "rgb"}, "ink": {"color": "blue"}})
    grey = _compose({})
    solid = grey.images == 0
    assert solid.any()
    assert np.array_equal(np.unique(composed.images[solid], axis=0), np.array([NAMED_INKS["blue"]], np.uint8))
    hexed = _compose({"image": {"color": "rgb"}, "ink": {"color": "#123456"}})
    assert (hexed.images[solid] == (0x12, 0x34, 0x56)).all()


def test_pale_strokes_show_the_paper_through():
    """Ink is composited over the paper: where a stroke is pale, the paper's grain varies the
    result; on blank paper the finished pixel is the paper itself."""
    grey = _compose({}).images
    grain = _compose({"image": {"color": "rgb"}, "paper": {"background": "grain"}}).images
    values = grain[..., 1].astype(int)
    for level in (200, 230):
        pale = grey == level
        assert pale.sum() > 20
        assert len(np.unique(values[pale])) > 3  # not one pasted value: the paper shows through
        blank = values[grey == 255]
        assert values[pale].mean() < blank.mean()  # but the ink still darkens it
    assert len(np.unique(values[grey == 255])) > 10  # the paper has grain


def test_pressure_varies_darkness_along_the_sequence():
    grey = _compose({}).images
    pressed = _compose({"ink": {"pressure": 0.5}}).images
    solid = grey == 0
    assert len(np.unique(pressed[solid])) > 10  # solid strokes are no longer all one level
    assert pressed[solid].max() <= 255 * 0.5 + 1  # never paler than the pressure allows


def test_ruled_line_lies_under_the_number_and_strokes_cross_it():
    composed = _compose({"paper": {"lines": "ruled"}})
    plain = _compose({})
    for image, base, boxes in zip(composed.images[:10], plain.images, composed.boxes):
        changed = np.nonzero((image != base).any(axis=1))[0]
        assert len(changed) >= 1
        row = changed[0]
        assert abs(row - np.median(boxes[:, 3])) <= 2  # at the digits' bottom
        blank = base[row] == 255
        assert (image[row][blank] < 200).mean() > 0.95  # a line across the blank paper
        assert (base[row] < 255).any() or (base[max(0, row - 1)] < 255).any()  # ink reaches it


def test_boxes_make_a_comb_with_one_digit_per_box():
    composed = _compose({"paper": {"lines": "boxes"}})
    plain = _compose({})
    for image, base, boxes in zip(composed.images[:15], plain.images, composed.boxes):
        lines = (image < 250) & (base == 255)
        walls = np.nonzero(lines.mean(axis=0) > 0.6)[0]  # columns mostly line: the box walls
        assert (walls <= boxes[0, 0]).any() and (walls >= boxes[-1, 2] - 1).any()
        for x1, nxt in zip(boxes[:-1, 2], boxes[1:, 0]):
            between = walls[(walls >= min(x1, nxt) - 1) & (walls <= max(x1, nxt) + 1)]
            assert len(between) == 1, "one wall between neighbouring digits"


def test_printed_marks_are_reported_and_never_in_the_label():
    composed = _compose({"paper": {"printed": True}})
    plain = _compose({})
    assert composed.labels == plain.labels == TEXTS
    assert any(composed.printed) and not all(composed.printed)
    for image, base, mark, boxes in zip(composed.images, plain.images, composed.printed, composed.boxes):
        outside = np.ones(image.shape, bool)
        for x0, _, x1, _ in boxes:
            outside[:, x0:x1] = False
        assert bool(((image != base) & outside).any()) == bool(mark)


def test_perspective_moves_the_boxes_with_the_ink():
    document = EVERY_SETTING["capture-perspective-max"]
    composed = _compose(document)
    plain = _compose({})
    moved = sum(not np.array_equal(a, b) for a, b in zip(composed.boxes, plain.boxes))
    assert moved > len(TEXTS) // 2
    for image, boxes in zip(composed.images, composed.boxes):
        inside = np.zeros(image.shape, bool)
        for x0, y0, x1, y1 in boxes:
            assert 0 <= x0 < x1 <= image.shape[1] and 0 <= y0 < y1 <= image.shape[0]
            inside[y0:y1, x0:x1] = True
        assert not (image < 128)[~inside].any(), "dark ink outside every box"


@pytest.mark.parametrize("spec", CAPTURE_EFFECTS, ids=lambda s: s.name)
def test_each_capture_effect_changes_the_image(spec):
    composed = _compose(EVERY_SETTING[f"capture-{spec.name}-max"], texts=TEXTS[:64])
    plain = _compose({}, texts=TEXTS[:64])
    assert composed.images.shape == plain.images.shape
    assert (composed.images != plain.images).any(axis=(1, 2)).mean() > 0.5


def test_a_defocus_too_small_to_change_a_pixel_is_skipped_safely():
    # capture.py skips a defocus of sigma <= IDENTITY_DEFOCUS because OpenCV's blur of a uint8
    # image gives it back unchanged there; were that ever not so, the skip would change bytes.
    from digitseq_gui.engine.capture import IDENTITY_DEFOCUS
    from digitseq_gui.engine.imgaug_compat import cv2

    cv = cv2()
    rng = np.random.default_rng(7)
    stripes = np.zeros((28, 64, 3), dtype=np.uint8)
    stripes[:, ::2] = 255  # the sharpest edges there are
    for image in (stripes, stripes[..., 0].copy(), rng.integers(0, 256, (28, 64, 3), dtype=np.uint8)):
        for sigma in np.linspace(0.05, IDENTITY_DEFOCUS, 9):
            blurred = cv.GaussianBlur(image, (0, 0), float(sigma), borderType=cv.BORDER_REPLICATE)
            assert np.array_equal(blurred, image), sigma
    # ... and a defocus above the threshold does blur: the skip leaves those alone.
    blurred = cv.GaussianBlur(stripes, (0, 0), 0.3, borderType=cv.BORDER_REPLICATE)
    assert not np.array_equal(blurred, stripes)


def test_jpeg_in_colour_keeps_the_colours():
    document = {
        "image": {"color": "rgb"},
        "ink": {"color": "blue"},
        "capture": {
            "enabled": True,
            "effects": {
                "jpeg": {"enabled": True, "strength": 30},
                **{s.name: {"enabled": False} for s in CAPTURE_EFFECTS if s.name != "jpeg"},
            },
        },
    }
    composed, clean = (
        _compose(document, TEXTS[:64]),
        _compose({k: v for k, v in document.items() if k != "capture"}, TEXTS[:64]),
    )
    solid = _compose({}, TEXTS[:64]).images == 0
    assert (
        np.abs(composed.images[solid].astype(int) - clean.images[solid]).mean() < 20
    )  # still blue, not BGR-swapped


def test_a_folder_of_backgrounds(tmp_path):
    colours = {"red.png": (200, 40, 40), "green.jpg": (40, 200, 40)}
    for name, colour in colours.items():
        Image.new("RGB", (300, 120), colour).save(tmp_path / name)
    composed = _compose({"image": {"color": "rgb"}, "paper": {"background": str(tmp_path)}}, TEXTS[:64])
    blank = _compose({}, TEXTS[:64]).images == 255
    corners = composed.images[:, 0, 0].astype(int)
    near = [np.abs(corners - c).sum(axis=1) < 30 for c in colours.values()]
    assert near[0].any() and near[1].any() and (near[0] | near[1]).all()
    assert blank.any()


def test_bad_backgrounds_and_settings_are_refused_clearly(tmp_path):
    with pytest.raises(ConfigError, match="holds no image"):
        Config.from_dict({"paper": {"background": str(tmp_path)}})
    with pytest.raises(ConfigError, match="neither a paper"):
        Config.from_dict({"paper": {"background": str(tmp_path / "missing")}})
    (tmp_path / "broken.png").write_bytes(b"not a png")
    generator = _generator({"paper": {"background": str(tmp_path)}})
    with pytest.raises(Exception, match="cannot read the background image .*broken.png"):
        compose(generator, ["12"], 1, 0)
    for document, words in (
        ({"image": {"color": "cmyk"}}, "image.color"),
        ({"ink": {"color": "red"}}, "ink.color"),
        ({"ink": {"color": []}}, "ink.color"),
        ({"ink": {"darkness": 0.1}}, "ink.darkness"),
        ({"ink": {"pressure": 0.9}}, "ink.pressure"),
        ({"paper": {"lines": "dots"}}, "paper.lines"),
        ({"paper": {"printed": "yes"}}, "paper.printed"),
        ({"capture": {"effects": {"jpeg": {"strength": 99}}}}, "capture.effects.jpeg.strength"),
        ({"capture": {"effects": {"sepia": {}}}}, "capture.effects.sepia"),
        ({"capture": {"on": True}}, "capture.on"),
    ):
        with pytest.raises(ConfigError, match=words.replace(".", r"\.").replace("[", r"\[")):
            Config.from_dict(document)
