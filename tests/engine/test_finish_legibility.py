"""Labels never lie after ink, paper and capture (issue 18, item 5).

The judge is test_legibility's (1-nearest-neighbour on the 60,000 MNIST train digits, MNIST's own
normalisation), shown what the finishing stage left of each digit's ink: the finished image
subtracted from the same finish of blank paper (the same seed, so the same paper, lines, marks,
light and geometry; without sensor noise and JPEG, which stay in the judge's view), in BT.601 luma, inside the digit's (possibly moved) box, scaled to
full contrast. So a printed line or pattern is not counted as a stroke; the question is whether
the stroke survives the ink's colour and darkness, the paper and the camera. The digits are MNIST
test digits (never seen by the judge), in sequences of 4-8 at the default layout.

Thresholds: each setting alone at its maximum >= 90% of digits read as labelled, each capture
effect alone at its default strength and the realistic default >= 95%; and no digit's ink
disappears into the paper: in every digit's box the ink stands at least MIN_CONTRAST grey levels
out of the blank paper somewhere.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_legibility import judge  # noqa: F401  # the session fixture

from digitseq_gui import DigitSequence
from digitseq_gui.engine.capture import CAPTURE_EFFECTS
from digitseq_gui.engine.compose import compose
from digitseq_gui.engine.config import Config
from digitseq_gui.engine.finish import finish
from digitseq_gui.engine.finish_config import realistic_combination
from digitseq_gui.engine.ink import LUMA

AT_MAXIMUM, AT_DEFAULT = 0.90, 0.95
MIN_CONTRAST = 24  # grey levels
SEED = 31
SEQUENCES = 320  # about 1,900 digits: sampling noise about +-0.5%


def _capture_alone(name: str, strength: float) -> dict:
    return {
        "capture": {
            "enabled": True,
            "effects": {
                s.name: {"enabled": s.name == name, "strength": strength if s.name == name else s.default}
                for s in CAPTURE_EFFECTS
            },
        }
    }


AT_MAX = {
    "ink darkness 0.3": {"ink": {"darkness": 0.3}},
    "ink pressure 0.5": {"ink": {"pressure": 0.5}},
    "ink pencil": {"image": {"color": "rgb"}, "ink": {"color": "pencil"}},
    "ink blue": {"image": {"color": "rgb"}, "ink": {"color": "blue"}},
    "paper tinted": {"paper": {"background": "tinted"}},
    "paper grain": {"paper": {"background": "grain"}},
    "paper cheque": {"paper": {"background": "cheque"}},
    "paper ruled": {"paper": {"lines": "ruled"}},
    "paper grid": {"paper": {"lines": "grid"}},
    "paper boxes": {"paper": {"lines": "boxes"}},
    "paper printed": {"paper": {"printed": True}},
    **{f"capture {s.name} {s.maximum}": _capture_alone(s.name, s.maximum) for s in CAPTURE_EFFECTS},
}
# The ink and paper settings have no strength of their own (darkness and pressure are at their
# plain defaults, 1 and 0): each capture effect alone at its default strength, held to 95%.
AT_DEFAULTS = {f"capture {s.name} {s.default}": _capture_alone(s.name, s.default) for s in CAPTURE_EFFECTS}
REALISTIC = realistic_combination()


def _luma(images: np.ndarray) -> np.ndarray:
    if images.ndim == 3:
        return images.astype(np.float32)
    return images[..., 0] * LUMA[0] + images[..., 1] * LUMA[1] + images[..., 2] * LUMA[2]


def finished_digits(document: dict, mnist_test) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """(each digit's ink as the judge sees it, its label, its contrast in grey levels)."""
    config = Config.from_dict(document)
    plain = Config.from_dict({})
    rng = np.random.default_rng(SEED)
    texts = ["".join(map(str, rng.integers(0, 10, rng.integers(4, 9)))) for _ in range(SEQUENCES)]
    digits = compose(DigitSequence(plain, dataset=mnist_test), texts, SEED, 0)
    made = finish(config, digits.images, digits.boxes, SEED, 0)
    # The blank paper without the sensor's noise and JPEG (the last two draws, so every other
    # draw is the same): those stay in what the judge sees.
    clean = Config.from_dict(document)
    for name in ("noise", "jpeg"):
        clean.capture.effects[name].enabled = False
    blank = finish(clean, np.full_like(digits.images, 255), digits.boxes, SEED, 0)
    ink = np.clip(_luma(blank.images) - _luma(made.images), 0, 255)
    crops, labels, contrast = [], [], []
    for image, boxes, label in zip(ink, made.boxes, digits.labels):
        for (x0, y0, x1, y1), digit in zip(boxes.tolist(), label):
            crop = image[y0:y1, x0:x1]
            contrast.append(float(crop.max()) if crop.size else 0.0)
            crops.append(crop * (255 / crop.max()) if crop.size and crop.max() > 0 else np.zeros((28, 28)))
            labels.append(int(digit))
    return crops, np.array(labels), np.array(contrast)


def _score(reader, document, mnist_test) -> tuple[float, float]:
    crops, labels, contrast = finished_digits(document, mnist_test)
    return float(np.mean(reader.classify(crops) == labels)), float(contrast.min())


def test_the_judge_reads_the_unfinished_digits(judge, mnist_test):  # noqa: F811
    score, contrast = _score(judge, {"image": {"color": "rgb"}}, mnist_test)
    assert score >= 0.95 and contrast >= 128


# Each setting alone: at its maximum held to AT_MAXIMUM, a capture effect at its default to AT_DEFAULT.
ALONE = {
    **{name: (document, AT_MAXIMUM) for name, document in AT_MAX.items()},
    **{name: (document, AT_DEFAULT) for name, document in AT_DEFAULTS.items()},
}


@pytest.mark.parametrize("name", list(ALONE))
def test_each_setting_alone_keeps_digits_legible(judge, mnist_test, name):  # noqa: F811
    document, threshold = ALONE[name]
    score, contrast = _score(judge, document, mnist_test)
    print(f"\n{name}: {score:.1%} read as labelled, weakest ink {contrast:.0f} levels")
    assert score >= threshold, f"{name}: the judge agrees with {score:.1%} of labels"
    assert contrast >= MIN_CONTRAST, f"{name}: a digit's ink stands only {contrast:.0f} levels out"


def test_the_realistic_default_keeps_digits_legible(judge, mnist_test):  # noqa: F811
    score, contrast = _score(judge, REALISTIC, mnist_test)
    print(f"\nrealistic default: {score:.1%} read as labelled, weakest ink {contrast:.0f} levels")
    assert score >= AT_DEFAULT, f"the realistic default: the judge agrees with {score:.1%} of labels"
    assert contrast >= MIN_CONTRAST
