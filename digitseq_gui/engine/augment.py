"""Augmentation of handwritten digits through imgaug.

Each augmentation is named, off or on, with one strength in natural units (degrees, pixels, a
fraction). Shape changes act on each digit's own 28x28 cell, all digits of a batch in one
imgaug call; noise acts on the whole composed image, so the gaps get the same grain as the
digits. ``transform: true`` with no augmentation named turns on the four classic ones (rotation,
shear, scale, blur) that the earlier version's transform step used.

imgaug is imported only when a pipeline is built (it takes about a second).
"""

from __future__ import annotations

import copy
import threading
import warnings
from dataclasses import dataclass
from functools import cache

import numpy as np


@dataclass(frozen=True)
class AugmentationSpec:
    name: str
    label: str
    help: str
    unit: str
    default: float
    maximum: float
    classic: bool = False  # part of the default set when transform is on
    whole_image: bool = False  # applied to the composed image, not per digit
    integer: bool = False


AUGMENTATIONS: tuple[AugmentationSpec, ...] = (
    AugmentationSpec(
        "rotate",
        "Rotation",
        "Rotate each digit by up to this many degrees either way.",
        "°",
        10,
        25,
        classic=True,
    ),
    AugmentationSpec(
        "shear", "Shear", "Slant each digit by up to this many degrees either way.", "°", 10, 35, classic=True
    ),
    AugmentationSpec(
        "scale",
        "Scale",
        "Grow or shrink each digit by up to this fraction (0.1 = ±10%).",
        "×",
        0.1,
        0.5,
        classic=True,
    ),
    AugmentationSpec(
        "translate",
        "Shift",
        "Move each digit by up to this many pixels in its cell.",
        "px",
        2,
        6,
        integer=True,
    ),
    AugmentationSpec(
        "elastic", "Elastic distortion", "Warp strokes like an unsteady hand; larger is wobblier.", "", 6, 15
    ),
    AugmentationSpec(
        "stroke",
        "Stroke width",
        "Make strokes up to this many pixels thinner or thicker; thinning keeps most of the ink.",
        "px",
        1,
        3,
        integer=True,
    ),
    AugmentationSpec(
        "blur", "Blur", "Gaussian blur of up to this sigma, in pixels.", "px", 0.8, 2, classic=True
    ),
    AugmentationSpec(
        "dropout", "Dropout", "Remove up to this fraction of pixels, like a worn pen.", "", 0.1, 0.4
    ),
    AugmentationSpec(
        "crop",
        "Crop",
        "Cut up to this fraction from each side of a digit, then scale it back.",
        "",
        0.1,
        0.25,
    ),
    AugmentationSpec(
        "noise",
        "Noise",
        "Add Gaussian noise of up to this standard deviation (1 = full ink).",
        "",
        0.1,
        0.12,
        whole_image=True,
    ),
)
AUGMENTATIONS_BY_NAME = {spec.name: spec for spec in AUGMENTATIONS}


# Rotation, shear, scale and shift are one affine warp per digit. imgaug's own Affine spends
# about 0.3 ms per 28x28 digit building transformation objects in Python, twenty times the warp
# itself, so DigitAffine draws the parameters from imgaug's random state and builds every matrix
# of the batch with numpy.
_AFFINE = ("rotate", "shear", "scale", "translate")


def _affine(iaa, enabled: dict[str, float]):
    return DigitAffine(
        rotate=enabled.get("rotate", 0),
        shear=enabled.get("shear", 0),
        scale=enabled.get("scale", 0),
        translate=int(enabled.get("translate", 0)),
    )


def _augmenter(iaa, name: str, strength: float):
    s = float(strength)
    if name == "elastic":
        return iaa.ElasticTransformation(alpha=(0, s), sigma=3.0)
    if name == "stroke":
        return StrokeWidth(s)
    if name == "blur":
        return DigitBlur(s)
    if name == "dropout":
        return iaa.Dropout(p=(0, s))
    if name == "crop":
        return iaa.Crop(percent=(0, s), keep_size=True)
    if name == "noise":
        return iaa.AdditiveGaussianNoise(scale=(0, s * 255))
    raise KeyError(name)


class DigitAugmenter:
    """The imgaug pipelines for one set of enabled augmentations (name -> strength)."""

    def __init__(self, enabled: dict[str, float]):
        from .imgaug_compat import augmenters

        iaa = augmenters()
        affine = {n: s for n, s in enabled.items() if n in _AFFINE}
        per_digit = [_affine(iaa, affine)] if affine else []
        # Catalogue order: the warp first, then what changes strokes, blurs or erases them.
        per_digit += [
            _augmenter(iaa, spec.name, enabled[spec.name])
            for spec in AUGMENTATIONS
            if spec.name in enabled and spec.name not in _AFFINE and not spec.whole_image
        ]
        whole = [
            _augmenter(iaa, spec.name, enabled[spec.name])
            for spec in AUGMENTATIONS
            if spec.name in enabled and spec.whole_image
        ]
        self._pipelines = (
            iaa.Sequential(per_digit) if per_digit else None,
            iaa.Sequential(whole) if whole else None,
        )
        self._own_thread = threading.get_ident()
        self._per_thread = threading.local()

    def _pipelines_of_this_thread(self) -> tuple:
        """imgaug pipelines hold their random state, and seeding one then running it is two
        steps: threads sharing one would draw from each other's seeds. The thread that built
        them uses them; every other thread gets its own copy (made once, about a millisecond)."""
        if threading.get_ident() == self._own_thread:
            return self._pipelines
        pipelines = getattr(self._per_thread, "pipelines", None)
        if pipelines is None:
            pipelines = self._per_thread.pipelines = copy.deepcopy(self._pipelines)
        return pipelines

    def augment_digits(self, digits: np.ndarray, seed: int, keep: np.ndarray | None = None) -> np.ndarray:
        """Augment a (K, 28, 28) uint8 ink stack in one call, reproducibly for ``seed``.

        ``keep``: ``digits`` are only the digits ``keep`` (a bool mask) marks of a larger stack;
        they come out exactly as that whole stack's call would make them (see _augment_kept)."""
        per_digit = self._pipelines[0] and self._pipelines_of_this_thread()[0]
        if per_digit is None or len(digits) == 0:
            return digits
        if keep is not None:
            return _augment_kept(_seeded(per_digit, seed), digits, keep)
        per_digit.seed_(seed)
        return per_digit(images=digits)

    def augment_images(self, images: np.ndarray, seed: int, keep: np.ndarray | None = None) -> np.ndarray:
        """Augment composed (B, 28, W) uint8 ink images in one call (noise); ``keep`` as for
        ``augment_digits``."""
        whole = self._pipelines[1] and self._pipelines_of_this_thread()[1]
        if whole is None or len(images) == 0:
            return images
        with warnings.catch_warnings():
            # (B, 28, W) is always B grey images; imgaug guesses "one colour image" when W is 1
            # or 3 and warns, although it then does the right thing.
            warnings.filterwarnings("ignore", message="You provided a numpy array of shape")
            if keep is not None:
                return _augment_kept(_seeded(whole, seed), images, keep)
            whole.seed_(seed)
            return whole(images=images)


_STAND_IN = np.zeros((0, 0, 1), dtype=np.uint8)  # an image that count-only augmenters leave alone


def _draws_by_count(augmenter) -> bool:
    """Whether ``augmenter``'s random draws depend only on how many images it is given. imgaug's
    Crop draws arrays of one value per image, as DigitSequence's own augmenters do; its elastic,
    dropout and noise augmenters draw each image's randomness from one stream in turn, as many
    values as the image has pixels, so what image j gets depends on the sizes before it."""
    from .imgaug_compat import augmenters

    return getattr(augmenter, "draws_by_count", False) or isinstance(augmenter, augmenters().CropAndPad)


def _real_images(batch) -> list[int] | range:
    """The rows of a batch that are images, not _augment_kept's empty stand-ins (it says which)."""
    kept = getattr(batch, "kept_rows", None)
    return range(len(batch.images)) if kept is None else kept


def _seeded(pipeline, seed: int):
    """``pipeline.seed_(seed)``, the same random states in a third of the time (it is paid per
    block, and a shuffled read renders one image of each block): imgaug 0.4.0's seeding of a
    Sequential of leaf augmenters, step by step, without its copies of each generator: child k
    gets an SFC64 generator from the first spawn of SeedSequence(s_k), where s_k is the second
    of two int32 seeds drawn in turn from one made from SeedSequence(seed) (imgaug.random:
    _derive_generators_np117_). A test holds the children's states equal to seed_'s; the
    whole-block route keeps calling seed_ itself."""
    from imgaug import random as iarandom

    if any(augmenter.get_children_lists() for augmenter in pipeline):
        pipeline.seed_(seed)  # nested pipelines: imgaug's own recursion
        return pipeline
    # seed_ also gives the Sequential a generator of its own; it draws from it only to shuffle
    # its children (random_order), which DigitAugmenter's pipelines never do, so it is left be.
    parent = np.random.Generator(np.random.SFC64(np.random.SeedSequence(seed)))
    for augmenter in pipeline:
        drawn = parent.integers(iarandom.SEED_MIN_VALUE, iarandom.SEED_MAX_VALUE, dtype="int32", size=(2,))[
            -1
        ]
        sequence = np.random.SeedSequence(drawn).spawn(1)[0]
        augmenter.random_state = iarandom.RNG(np.random.Generator(np.random.SFC64(sequence)))
    return pipeline


def _augment_kept(pipeline, kept: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """What the seeded ``pipeline`` makes of ``kept`` (the images ``keep`` marks) when it augments
    all ``len(keep)`` images, without augmenting the others. Its augmenters run one after the
    other, each with its own random state and on a batch already normalised to (H, W, 1), as
    the Sequential runs them; each is given as many images as the whole call, the others as
    stand-ins: empty for an augmenter whose draws depend only on the count (it skips them, so
    they cost nothing), zeros of the real size for the others (their draws depend on the
    sizes, so those stand-ins cost what the real images cost)."""
    from imgaug.augmentables.batches import _BatchInAugmentation

    where = np.flatnonzero(keep).tolist()
    images = list(np.array(kept)[..., None])  # a copy: augmenters change their batch in place
    for augmenter in pipeline:
        if _draws_by_count(augmenter):
            batch: list | np.ndarray = [_STAND_IN] * len(keep)
        else:
            batch = np.zeros((len(keep), *kept.shape[1:], 1), dtype=kept.dtype)
        for i, image in zip(where, images):
            batch[i] = image
        batch_in = _BatchInAugmentation(images=batch)
        batch_in.kept_rows = where  # for the count-only augmenters: the rows that are not stand-ins
        out = augmenter.augment_batch_(batch_in, parents=[pipeline]).images
        images = [out[i] for i in where]
    return np.stack(images).reshape(kept.shape) if images else kept[:0]


@cache
def _stroke_width_class():
    """imgaug has no morphology augmenter; this one thickens or thins strokes (engine/stroke.py)."""
    from .imgaug_compat import augmenters
    from .stroke import change_stroke_width

    meta = augmenters().meta

    class _StrokeWidth(meta.Augmenter):  # type: ignore[name-defined]  # imgaug's, loaded at run time
        """Each digit's strokes change width by a fraction of a pixel or more, drawn uniformly from
        [-max_pixels, max_pixels] with imgaug's random state (so seeding works as elsewhere);
        thinning never takes most of a digit's ink. Grey images of one size, (H, W) or (H, W, 1)."""

        def __init__(self, max_pixels: float):
            super().__init__()
            self.max_pixels = float(max_pixels)

        draws_by_count = True  # see _draws_by_count

        def _augment_batch_(self, batch, random_state, parents, hooks):
            if batch.images is None or len(batch.images) == 0:
                return batch
            change = random_state.uniform(-self.max_pixels, self.max_pixels, size=len(batch.images))
            real = _real_images(batch)
            if not real:
                return batch
            shape = batch.images[real[0]].shape
            stack = np.stack([batch.images[i].reshape(shape[:2]) for i in real])
            for i, image in zip(real, change_stroke_width(stack, change[real])):
                batch.images[i] = image.reshape(shape)
            return batch

        def get_parameters(self):
            return [self.max_pixels]

    return _StrokeWidth


def StrokeWidth(max_pixels: float):  # noqa: N802 - reads like the imgaug augmenter it builds
    return _stroke_width_class()(max_pixels)


@cache
def _digit_affine_class():
    from .imgaug_compat import augmenters, cv2

    meta = augmenters().meta
    cv = cv2()

    class _DigitAffine(meta.Augmenter):  # type: ignore[name-defined]  # imgaug's, loaded at run time
        """Rotate, shear, scale (about the cell's centre) and shift each image, bilinearly.

        Parameters are drawn uniformly from [-rotate, rotate] degrees, [-shear, shear] degrees,
        [1 - scale, 1 + scale] and whole pixels in [-translate, translate], from the random state
        imgaug hands over, so seeding works as for any imgaug augmenter."""

        def __init__(self, rotate: float, shear: float, scale: float, translate: int):
            super().__init__()
            self.rotate, self.shear, self.scale, self.translate = (
                float(rotate),
                float(shear),
                float(scale),
                int(translate),
            )

        draws_by_count = True  # see _draws_by_count

        def _augment_batch_(self, batch, random_state, parents, hooks):
            if batch.images is None or len(batch.images) == 0:
                return batch
            n = len(batch.images)
            angle = np.deg2rad(random_state.uniform(-self.rotate, self.rotate, size=n))
            shear = np.tan(np.deg2rad(random_state.uniform(-self.shear, self.shear, size=n)))
            zoom = random_state.uniform(1 - self.scale, 1 + self.scale, size=n)
            shift = random_state.integers(-self.translate, self.translate + 1, size=(n, 2))
            cos, sin = np.cos(angle) * zoom, np.sin(angle) * zoom
            # Linear part: rotation x scale, then a horizontal shear (slant); the centre stays put.
            linear = np.empty((n, 2, 2))
            linear[:, 0, 0], linear[:, 0, 1] = cos, -sin + cos * shear
            linear[:, 1, 0], linear[:, 1, 1] = sin, cos + sin * shear
            for i in _real_images(batch):
                image = batch.images[i]
                height, width = image.shape[:2]
                centre = np.array([(width - 1) / 2, (height - 1) / 2])
                matrix = np.hstack([linear[i], (centre + shift[i] - linear[i] @ centre)[:, None]])
                warped = cv.warpAffine(
                    image,
                    matrix,
                    (width, height),
                    flags=cv.INTER_LINEAR,
                    borderMode=cv.BORDER_CONSTANT,
                    borderValue=0,
                )
                batch.images[i] = warped.reshape(image.shape)  # OpenCV drops a trailing channel axis
            return batch

        def get_parameters(self):
            return [self.rotate, self.shear, self.scale, self.translate]

    return _DigitAffine


def DigitAffine(rotate: float = 0, shear: float = 0, scale: float = 0, translate: int = 0):  # noqa: N802
    return _digit_affine_class()(rotate, shear, scale, translate)


@cache
def _digit_blur_class():
    """imgaug's GaussianBlur, same samples and same OpenCV call, without its per-image checks.

    For 28x28 digits imgaug's ``blur_gaussian_`` spends most of its time checking dtypes, ten
    times the blur itself; the sigmas are drawn by the same parameter object from the same random
    state, and each digit goes through the same ``cv2.GaussianBlur`` call, so the bytes match."""
    from .imgaug_compat import augmenters, cv2

    iaa = augmenters()
    from imgaug import parameters as iap
    from imgaug.augmenters.blur import _compute_gaussian_blur_ksize

    cv = cv2()

    class _DigitBlur(iaa.meta.Augmenter):  # type: ignore[name-defined]  # imgaug's, loaded at run time
        draws_by_count = True  # see _draws_by_count; empty images are skipped

        def __init__(self, max_sigma: float):
            super().__init__()
            self.sigma = iap.handle_continuous_param(
                (0, max_sigma), "sigma", value_range=(0, None), tuple_to_uniform=True, list_to_choice=True
            )
            self.eps = 1e-3  # GaussianBlur's default

        def _augment_batch_(self, batch, random_state, parents, hooks):
            if batch.images is None:
                return batch
            images = batch.images
            sigmas = self.sigma.draw_samples((len(images),), random_state=random_state)
            for i in _real_images(batch):
                image, sigma = images[i], sigmas[i]
                if sigma <= self.eps:
                    continue
                ksize = _compute_gaussian_blur_ksize(sigma)
                ksize = ksize + 1 if ksize % 2 == 0 else ksize
                if ksize > 0:
                    blurred = cv.GaussianBlur(
                        np.ascontiguousarray(image),
                        (ksize, ksize),
                        sigmaX=sigma,
                        sigmaY=sigma,
                        borderType=cv.BORDER_REFLECT_101,
                    )
                    image[...] = blurred.reshape(image.shape)  # OpenCV drops a trailing channel axis
            return batch

        def get_parameters(self):
            return [self.sigma, self.eps]

    return _DigitBlur


def DigitBlur(max_sigma: float):  # noqa: N802 - reads like the imgaug augmenter it stands for
    return _digit_blur_class()(max_sigma)
