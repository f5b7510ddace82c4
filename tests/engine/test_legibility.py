"""Labels never lie: over each augmentation's whole strength range, digits stay recognisable.

The judge is a fair classifier: 1-nearest-neighbour on all 60,000 MNIST train digits, with
MNIST's own normalisation on both sides (the ink box scaled to fit 20 x 20, centred by its centre
of mass in 28 x 28, then a Gaussian blur of sigma 1), compared on 50 principal components (as
accurate as all 784 pixels here, and ten times faster). Raw-pixel 1-NN would be no fair judge: it
is not shift invariant (a 6 px shift scores 26% with it, 96% normalised). It reads 97% of the
clean MNIST test digits right; each augmentation alone must keep it at 90% at its maximum
strength and 95% at its default, on 2000 MNIST test digits (sampling noise: about +-0.5%).
"""

from __future__ import annotations

import numpy as np
import pytest

from digitseq_gui import Config, DigitSequence
from digitseq_gui.engine.augment import AUGMENTATIONS, DigitAugmenter
from digitseq_gui.engine.config import Augmentation

NAMES = [spec.name for spec in AUGMENTATIONS]
QUERIES = 2000
AT_MAXIMUM, AT_DEFAULT = 0.90, 0.95
SEED = 123


def normalise(images: np.ndarray) -> np.ndarray:
    """MNIST's preprocessing of each (28, 28) ink image, as (N, 784) float32 features."""
    from digitseq_gui.engine.imgaug_compat import cv2

    cv = cv2()
    out = np.zeros((len(images), 28, 28), np.float32)
    for i, image in enumerate(images):
        rows, columns = np.nonzero(image > 0.25 * image.max())
        if len(rows) == 0:
            continue  # no ink: an empty feature, which matches nothing well
        box = image[rows.min() : rows.max() + 1, columns.min() : columns.max() + 1].astype(np.float32)
        factor = 20.0 / max(box.shape)
        box = cv.resize(
            box,
            (max(1, round(box.shape[1] * factor)), max(1, round(box.shape[0] * factor))),
            interpolation=cv.INTER_AREA,
        )
        height, width = box.shape
        mass = box.sum()
        cy = (box.sum(axis=1) @ np.arange(height)) / mass if mass else (height - 1) / 2
        cx = (box.sum(axis=0) @ np.arange(width)) / mass if mass else (width - 1) / 2
        y0 = min(max(int(round(14 - cy)), 0), 28 - height)
        x0 = min(max(int(round(14 - cx)), 0), 28 - width)
        out[i, y0 : y0 + height, x0 : x0 + width] = box
        out[i] = cv.GaussianBlur(out[i], (0, 0), 1.0)
    return out.reshape(len(images), -1) / 255


class NearestNeighbour:
    """1-NN on normalised MNIST train digits, projected on their principal components."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, components: int = 50):
        features = normalise(images)
        sample = features[np.random.default_rng(0).choice(len(features), 10_000, replace=False)]
        self.mean = sample.mean(axis=0)
        _, vectors = np.linalg.eigh(np.cov(sample - self.mean, rowvar=False))
        self.basis = vectors[:, ::-1][:, :components].astype(np.float32)
        self.train = (features - self.mean) @ self.basis
        self.train_norms = (self.train**2).sum(axis=1)
        self.labels = labels

    def classify(self, images: np.ndarray) -> np.ndarray:
        queries = (normalise(images) - self.mean) @ self.basis
        found = [
            (self.train_norms - 2 * chunk @ self.train.T).argmin(axis=1)
            for chunk in np.array_split(queries, max(1, len(queries) // 250))
        ]
        return self.labels[np.concatenate(found)]


@pytest.fixture(scope="session")
def judge(mnist_train) -> NearestNeighbour:
    return NearestNeighbour(np.asarray(mnist_train.images), np.asarray(mnist_train.labels))


@pytest.fixture(scope="session")
def test_digits(mnist_test) -> tuple[np.ndarray, np.ndarray]:
    rows = np.random.default_rng(0).choice(len(mnist_test.images), QUERIES, replace=False)
    return np.asarray(mnist_test.images)[rows], np.asarray(mnist_test.labels)[rows]


def augment(enabled: dict[str, float], ink: np.ndarray) -> np.ndarray:
    """Each digit through the pipeline; noise (a whole-image augmentation) on each digit's cell,
    the same per-pixel draw it makes on a composed image."""
    augmenter = DigitAugmenter(enabled)
    return augmenter.augment_images(augmenter.augment_digits(ink.copy(), SEED), SEED + 1)


def agreement(judge, test_digits, enabled: dict[str, float]) -> float:
    ink, labels = test_digits
    augmented = augment(enabled, ink)
    assert augmented.shape == ink.shape
    empty = np.flatnonzero(augmented.max(axis=(1, 2)) == 0)
    assert len(empty) == 0, f"{enabled}: {len(empty)} digits came out empty"
    return float(np.mean(judge.classify(augmented) == labels))


def test_the_judge_reads_clean_digits_and_rejects_illegible_ones(judge, test_digits):
    ink, labels = test_digits
    assert np.mean(judge.classify(ink) == labels) >= 0.96
    # Digits on their side are no longer what their label says: the judge must notice.
    assert np.mean(judge.classify(np.rot90(ink, axes=(1, 2))) == labels) < 0.5


@pytest.mark.parametrize("name", NAMES)
def test_each_augmentation_at_its_maximum_leaves_digits_legible(judge, test_digits, name):
    spec = next(s for s in AUGMENTATIONS if s.name == name)
    score = agreement(judge, test_digits, {name: spec.maximum})
    assert score >= AT_MAXIMUM, f"{name} at {spec.maximum}: the judge agrees with {score:.1%} of labels"


@pytest.mark.parametrize("name", NAMES)
def test_each_augmentation_at_its_default_leaves_digits_legible(judge, test_digits, name):
    spec = next(s for s in AUGMENTATIONS if s.name == name)
    score = agreement(judge, test_digits, {name: spec.default})
    assert score >= AT_DEFAULT, f"{name} at {spec.default}: the judge agrees with {score:.1%} of labels"


def test_the_default_transform_leaves_digits_legible(judge, test_digits):
    """``transform: true`` alone: the four classic augmentations together at their defaults."""
    classic = {spec.name: spec.default for spec in AUGMENTATIONS if spec.classic}
    assert len(classic) == 4
    score = agreement(judge, test_digits, classic)
    assert score >= AT_DEFAULT, f"the default transform: the judge agrees with {score:.1%} of labels"


def test_every_augmentation_together_at_defaults_leaves_digits_legible(judge, test_digits):
    score = agreement(judge, test_digits, {spec.name: spec.default for spec in AUGMENTATIONS})
    assert score >= AT_MAXIMUM, f"all together: the judge agrees with {score:.1%} of labels"


def at_maximum(name: str) -> Config:
    config = Config()
    config.image.transform = True
    for spec in AUGMENTATIONS:
        config.image.augmentations[spec.name] = Augmentation(spec.name == name, spec.maximum)
    return config


LAYOUTS = {  # name -> (spacing type, trim padding, sequences, spacing range, width)
    "variable": ("variable", False, ["0123456789", "5", "90210", "4444", "17"] * 26, (2, 8), 200),
    "variable-trimmed": ("variable", True, ["0123456789", "5", "90210", "4444", "17"] * 26, (0, 4), 150),
    "fixed": ("fixed", False, ["0123", "4567", "8901", "2345"] * 33, (4, 4), 4 * 28 + 3 * 4),
}


@pytest.mark.parametrize("name", [spec.name for spec in AUGMENTATIONS if not spec.whole_image])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_at_maximum_every_digit_keeps_its_ink_inside_its_box(mnist_test, name, layout):
    """Whole sequences (over two blocks of 64) through DigitSequence: not one ink pixel outside
    the union of the boxes the generator reports, and ink inside every box. (Noise, the one
    whole-image augmentation, greys the background on purpose.)"""
    spacing, trim, sequences, spacing_range, width = LAYOUTS[layout]
    config = at_maximum(name)
    config.spacing.type, config.image.trim_padding = spacing, trim
    batch = DigitSequence(config, dataset=mnist_test).generate_batch(
        sequences, spacing_range, width, seed=7, as_uint8=True
    )
    for image, boxes in zip(batch.images, batch.boxes):
        ink = image < 255
        inside = np.zeros_like(ink)
        for x0, y0, x1, y1 in boxes.tolist():
            assert ink[y0:y1, x0:x1].any(), f"{name}: a digit without ink in its box {x0, y0, x1, y1}"
            inside[y0:y1, x0:x1] = True
        assert not (ink & ~inside).any(), f"{name}: ink outside the boxes"
