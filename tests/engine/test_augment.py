"""The transform step: each named augmentation, batched imgaug calls, seeds, the imgaug/cv2 shims."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from digitseq_gui import Config, ConfigError, DigitSequence, load_config
from digitseq_gui.engine.augment import AUGMENTATIONS, AUGMENTATIONS_BY_NAME, DigitAugmenter
from digitseq_gui.engine.config import Augmentation

NAMES = [spec.name for spec in AUGMENTATIONS]
SEQUENCES = ["0123", "4567", "8901", "2345"] * 8
WIDTH = 4 * 28 + 3 * 4  # fixed spacing, untrimmed: gaps of exactly 4 px, no resampling


def only(name: str | None, strength: float | None = None) -> Config:
    """Fixed spacing, transform on with just ``name`` enabled (None: transform off)."""
    config = Config()
    config.spacing.type = "fixed"
    config.image.transform = name is not None
    for spec in AUGMENTATIONS:
        config.image.augmentations[spec.name] = Augmentation(
            spec.name == name, spec.default if strength is None or spec.name != name else strength
        )
    return config


def run(mnist_test, config, seed=5, sequences=SEQUENCES):
    return DigitSequence(config, dataset=mnist_test).generate_batch(sequences, (4, 4), WIDTH, seed=seed)


def test_the_catalogue_has_more_than_the_seeds_four():
    assert len(AUGMENTATIONS) >= 8
    assert {"rotate", "shear", "scale", "blur"} <= set(NAMES)
    assert {"elastic", "stroke", "noise", "dropout", "crop"} <= set(NAMES)
    for spec in AUGMENTATIONS:
        assert 0 < spec.default <= spec.maximum


@pytest.mark.parametrize("name", NAMES)
def test_a_config_file_takes_strengths_up_to_the_maximum_and_no_more(tmp_path, name):
    """The legible ranges (tests/engine/test_legibility.py) bound config files too."""
    spec = AUGMENTATIONS_BY_NAME[name]
    path = tmp_path / "aug.json"
    path.write_text(f'{{"image": {{"augmentations": {{"{name}": {{"strength": {spec.maximum}}}}}}}}}')
    assert load_config(path).image.augmentations[name].strength == spec.maximum
    beyond = spec.maximum + 1 if spec.integer else round(spec.maximum * 1.1, 4)
    path.write_text(f'{{"image": {{"augmentations": {{"{name}": {{"strength": {beyond}}}}}}}}}')
    with pytest.raises(
        ConfigError, match=f"image.augmentations.{name}.strength must be between 0 and {spec.maximum:g}"
    ):
        load_config(path)


@pytest.mark.parametrize(
    "name, old_maximum",
    [
        ("rotate", 45),
        ("shear", 40),
        ("elastic", 20),
        ("blur", 3),
        ("dropout", 0.5),
        ("crop", 0.3),
        ("noise", 0.5),
    ],
)
def test_the_old_illegible_maxima_are_rejected(tmp_path, name, old_maximum):
    path = tmp_path / "aug.json"
    path.write_text(
        f'{{"image": {{"transform": true, "augmentations": {{"{name}": {{"strength": {old_maximum}}}}}}}}}'
    )
    with pytest.raises(
        ConfigError,
        match=f"image.augmentations.{name}.strength must be between 0 and "
        f"{AUGMENTATIONS_BY_NAME[name].maximum:g}",
    ):
        load_config(path)


@pytest.mark.parametrize("name", NAMES)
def test_each_augmentation_alone_changes_digits_stays_in_range_and_is_seeded(mnist_test, name):
    plain = run(mnist_test, only(None))
    augmented = run(mnist_test, only(name))
    # The same digit images are drawn; only the augmentation differs.
    assert all(np.array_equal(a, b) for a, b in zip(plain.source_indices, augmented.source_indices))
    images = augmented.images
    assert images.dtype == np.float32 and images.shape == plain.images.shape
    assert not np.isnan(images).any() and images.min() >= 0.0 and images.max() <= 1.0
    changed = np.mean([not np.array_equal(a, b) for a, b in zip(plain.images, images)])
    assert changed > 0.5, f"{name} changed only {changed:.0%} of the images"
    again = run(mnist_test, only(name))
    assert again.images.tobytes() == images.tobytes()
    other = run(mnist_test, only(name), seed=6)
    assert other.images.tobytes() != images.tobytes()
    if not AUGMENTATIONS_BY_NAME[name].whole_image:
        # per-digit augmentations keep the background white and the labels right
        assert (images[:, 0, :] == 1.0).mean() > 0.8
        for label, sources in zip(augmented.labels, augmented.source_indices):
            assert mnist_test.labels[sources].tolist() == [int(c) for c in label]


def test_noise_reaches_the_gaps_too(mnist_test):
    images = run(mnist_test, only("noise", 0.12)).images
    gap_columns = images[:, :, 28:32]  # the first 4 px gap: no ink before noise
    assert (gap_columns < 1.0).mean() > 0.1


def test_zero_strength_means_off(mnist_test):
    plain = run(mnist_test, only(None))
    zero = run(mnist_test, only("rotate", 0))
    assert zero.images.tobytes() == plain.images.tobytes()


def test_transform_true_alone_turns_on_the_seeds_four(mnist_test):
    config = Config()
    config.image.transform = True
    assert set(config.image.enabled_augmentations()) == {"rotate", "shear", "scale", "blur"}
    config.image.transform = False
    assert config.image.enabled_augmentations() == {}


def test_larger_strength_changes_more(mnist_test):
    plain = run(mnist_test, only(None)).images
    small = run(mnist_test, only("rotate", 3)).images
    large = run(mnist_test, only("rotate", 25)).images
    assert np.abs(large - plain).mean() > np.abs(small - plain).mean()


class CallCounter:
    """Wraps an augmenter's real ``augment`` method (still calling through) and records batch sizes."""

    def __init__(self, augmenter):
        self.sizes: list[int] = []
        real = augmenter.augment

        def counting(*args, **kwargs):
            self.sizes.append(len(kwargs.get("images", args[0] if args else [])))
            return real(*args, **kwargs)

        augmenter.augment = counting


@pytest.mark.parametrize("spacing_type", ["fixed", "variable"])
def test_one_imgaug_call_per_block(mnist_test, spacing_type):
    from digitseq_gui import BLOCK_SIZE

    config = only("rotate")
    config.spacing.type = spacing_type
    config.image.augmentations["noise"] = Augmentation(True, 0.05)
    config.image.augmentations["blur"] = Augmentation(True, 0.5)
    generator = DigitSequence(config, dataset=mnist_test)
    augmenter = generator._augmenter_for_config()
    per_digit, whole = (CallCounter(pipeline) for pipeline in augmenter._pipelines)
    count = 2 * BLOCK_SIZE + 10
    sequences = [SEQUENCES[i % 4] for i in range(count)]
    generator.generate_batch(sequences, (4, 4), WIDTH, seed=1)
    assert per_digit.sizes == [BLOCK_SIZE * 4, BLOCK_SIZE * 4, 10 * 4], (
        "one call per block, every digit in it"
    )
    assert whole.sizes == [BLOCK_SIZE, BLOCK_SIZE, 10]
    per_digit.sizes.clear()
    generator.generate("0123", (4, 4), WIDTH, seed=2)
    assert per_digit.sizes == [4]


def test_augmenter_is_reproducible_on_its_own(mnist_test):
    digits = np.asarray(mnist_test.images[:50])
    augmenter = DigitAugmenter({"rotate": 15, "elastic": 6, "stroke": 1})
    a = augmenter.augment_digits(digits.copy(), 42)
    b = augmenter.augment_digits(digits.copy(), 42)
    c = augmenter.augment_digits(digits.copy(), 43)
    assert a.dtype == np.uint8 and a.shape == digits.shape
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert not np.array_equal(a, digits)


def test_a_config_with_augmentations_loads_and_drives_the_generator(tmp_path, mnist_test):
    path = tmp_path / "aug.json"
    path.write_text(
        '{"image": {"transform": true, "augmentations": {"rotate": {"enabled": false},'
        ' "elastic": {"enabled": true, "strength": 8}}}}'
    )
    config = load_config(path)
    assert config.image.enabled_augmentations() == {"shear": 10, "scale": 0.1, "blur": 0.8, "elastic": 8}
    result = DigitSequence(config, dataset=mnist_test).generate("77", (2, 8), 80, seed=3)
    assert result.image.shape == (28, 80) and 0 <= result.image.min() and result.image.max() <= 1
    # the loaded augmentations act: the same digits and gaps without them give other pixels
    config.image.transform = False
    plain = DigitSequence(config, dataset=mnist_test).generate("77", (2, 8), 80, seed=3)
    assert plain.source_indices.tolist() == result.source_indices.tolist()
    assert not np.array_equal(plain.image, result.image)


# ---------------------------------------------------------------------------------------------
# imgaug_compat: numpy aliases and the OpenCV Qt plugin path, in a fresh interpreter


def _fresh_python(code: str, env_value: str | None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("QT_QPA_PLATFORM_PLUGIN_PATH", None)
    env.pop("QT_QPA_FONTDIR", None)
    if env_value is not None:
        env["QT_QPA_PLATFORM_PLUGIN_PATH"] = env_value
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True, timeout=120
    )


CHECK_PLUGIN_PATH = """
    import os, sys
    from digitseq_gui.engine.imgaug_compat import augmenters, cv2
    assert "cv2" not in sys.modules, "cv2 was imported before the shim: this check would prove nothing"
    iaa = augmenters()
    iaa.Sequential([iaa.Affine(rotate=(-5, 5)), iaa.SomeOf(1, [iaa.GaussianBlur(1.0)])])(images=__import__("numpy").zeros((2, 28, 28), "uint8"))
    cv2().resize
    print(repr(os.environ.get("QT_QPA_PLATFORM_PLUGIN_PATH")))
    print(repr(os.environ.get("QT_QPA_FONTDIR")))
"""


def test_importing_imgaug_keeps_an_unset_qt_plugin_path_unset():
    done = _fresh_python(CHECK_PLUGIN_PATH, None)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["None", "None"]  # neither the plugin path nor cv2's font folder


def test_importing_imgaug_keeps_a_set_qt_plugin_path():
    done = _fresh_python(CHECK_PLUGIN_PATH, "/my/own/plugins")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == repr("/my/own/plugins")


def test_a_plain_cv2_import_does_set_the_variable():
    """The trap is real here: without the shim, cv2 points Qt at its own plugins."""
    done = _fresh_python("import os, cv2; print(repr(os.environ.get('QT_QPA_PLATFORM_PLUGIN_PATH')))", None)
    assert done.returncode == 0, done.stderr
    if done.stdout.strip() == "None":
        pytest.skip("this OpenCV build does not set QT_QPA_PLATFORM_PLUGIN_PATH")
    assert "cv2" in done.stdout


def test_generating_with_transform_keeps_the_variable_unset():
    done = _fresh_python(
        """
        import os
        from digitseq_gui import Config, DigitSequence
        config = Config(); config.image.transform = True
        DigitSequence(config, dataset=__import__("digitseq_gui").load_dataset("mnist", "test"), seed=0).generate("12", (2, 8), 80)
        print(repr(os.environ.get("QT_QPA_PLATFORM_PLUGIN_PATH")))
    """,
        None,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "None"


def test_core_never_imports_qt():
    done = _fresh_python(
        """
        import sys
        import digitseq_gui
        from digitseq_gui import Config, DigitSequence, load_dataset
        config = Config(); config.image.transform = True
        DigitSequence(config, dataset=load_dataset("mnist", "test"), seed=0).generate("12", (2, 8), 80)
        print(sorted(m for m in sys.modules if m.startswith(("PyQt5", "PySide"))))
    """,
        None,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def _centre_of_mass(images: np.ndarray) -> np.ndarray:
    ys, xs = np.mgrid[0:28, 0:28]
    mass = images.astype(np.float64).sum(axis=(1, 2))
    return np.stack([(images * xs).sum(axis=(1, 2)) / mass, (images * ys).sum(axis=(1, 2)) / mass], axis=1)


def test_digit_affine_at_zero_strength_is_the_identity(mnist_test):
    from digitseq_gui.engine.augment import DigitAffine

    digits = np.ascontiguousarray(mnist_test.images[:40])
    assert np.array_equal(DigitAffine()(images=digits.copy()), digits)


@pytest.mark.parametrize("kwargs", [{"rotate": 30}, {"shear": 30}])
def test_digit_affine_turns_digits_about_the_centre_of_their_cell(mnist_test, kwargs):
    from digitseq_gui.engine.augment import DigitAffine

    digits = np.ascontiguousarray(mnist_test.images[:40])
    augmenter = DigitAffine(**kwargs)
    augmenter.seed_(5)
    warped = augmenter(images=digits.copy())
    assert np.mean(np.any(warped != digits, axis=(1, 2))) > 0.9  # nearly every digit changed
    # MNIST digits are centred by their centre of mass near the cell's centre, and a rotation or
    # slant about that centre keeps it there (a pixel or so of resampling aside).
    assert np.abs(_centre_of_mass(warped) - _centre_of_mass(digits)).max() < 1.5


def test_digit_affine_scale_changes_the_size_of_the_ink(mnist_test):
    from digitseq_gui.engine.augment import DigitAffine

    digits = np.ascontiguousarray(mnist_test.images[:200])
    augmenter = DigitAffine(scale=0.4)
    augmenter.seed_(2)
    scaled = augmenter(images=digits.copy())
    ratio = (scaled > 0).sum(axis=(1, 2)) / (digits > 0).sum(axis=(1, 2))
    assert ratio.min() < 0.8 and ratio.max() > 1.2  # both smaller and larger digits drawn


# ---------------------------------------------------------------------------------------------
# Stroke width: fractional, and thinning never erases a digit


def test_stroke_width_thickens_and_thins_by_fractions_and_never_takes_most_of_the_ink(mnist_test):
    from digitseq_gui.engine.stroke import KEEP_INK

    digits = np.ascontiguousarray(mnist_test.images[:1000])
    augmenter = DigitAugmenter({"stroke": 3})
    out = augmenter.augment_digits(digits.copy(), 8)
    ratio = out.reshape(len(out), -1).sum(axis=1) / digits.reshape(len(digits), -1).sum(axis=1)
    assert ratio.min() >= KEEP_INK - 0.01  # uint8 rounding aside
    assert (ratio < 0.8).mean() > 0.2 and (ratio > 1.5).mean() > 0.2  # thinner and thicker digits
    assert len(np.unique(np.round(ratio, 3))) > 500  # a continuum of widths, not three steps
    assert np.array_equal(augmenter.augment_digits(digits.copy(), 8), out)


def test_stroke_width_change_is_continuous_and_zero_is_the_identity(mnist_test):
    from digitseq_gui.engine.stroke import change_stroke_width

    digits = np.ascontiguousarray(mnist_test.images[:50])
    assert np.array_equal(change_stroke_width(digits, np.zeros(50)), digits)
    ink = [change_stroke_width(digits, np.full(50, c)).sum(dtype=np.int64) for c in (-1, -0.5, 0, 0.5, 1, 2)]
    assert ink == sorted(ink) and len(set(ink)) == len(ink)  # more width, more ink, step by step
    # A stroke one pixel wide thinned by a whole pixel would vanish: the guard keeps it.
    line = np.zeros((1, 28, 28), np.uint8)
    line[0, 4:24, 14] = 255
    thinned = change_stroke_width(line, np.array([-3.0]))
    assert thinned.sum() >= 0.6 * line.sum() and thinned.max() > 0


@pytest.mark.parametrize("strength", [0.3, 0.8, 3.0])
def test_digit_blur_gives_the_bytes_of_imgaugs_gaussian_blur(mnist_test, strength):
    """DigitBlur skips imgaug's per-image checks; its samples and OpenCV calls are GaussianBlur's."""
    from digitseq_gui.engine.augment import DigitBlur
    from digitseq_gui.engine.imgaug_compat import augmenters

    iaa = augmenters()
    digits = np.ascontiguousarray(mnist_test.images[:300])
    ours, theirs = (
        iaa.Sequential([DigitBlur(strength)]),
        iaa.Sequential([iaa.GaussianBlur(sigma=(0, strength))]),
    )
    ours.seed_(11)
    theirs.seed_(11)
    blurred = ours(images=digits.copy())
    assert np.array_equal(blurred, theirs(images=digits.copy()))
    if strength >= 0.8:  # below that most sigmas give a kernel of one pixel: nothing to blur
        assert np.mean(np.any(blurred != digits, axis=(1, 2))) > 0.5
