"""Capture: what a camera or scanner does to the finished image (the finishing stage, finish.py).

Whole-image effects, each off or on with one strength like the augmentations (augment.py); each
image draws its own amount uniformly in [0, strength]. They act in the order a capture happens:
the light on the page (shadow, which finish.py folds into the compositing), the page's
perspective, the optics (defocus, motion blur), the exposure
(brightness, contrast, gamma), the sensor's noise, and last the JPEG encoder. A perspective change
moves the digit boxes with the pixels: each box becomes the bounding box of its moved corners,
so it still holds its digit's ink.
"""

from __future__ import annotations

import numpy as np

from .augment import AugmentationSpec

CAPTURE_EFFECTS: tuple[AugmentationSpec, ...] = (
    AugmentationSpec(
        "shadow",
        "Shadow",
        "Darken one side of the image by up to this fraction, fading across it.",
        "",
        0.3,
        0.6,
        classic=True,
    ),
    AugmentationSpec(
        "perspective",
        "Perspective",
        "Move each corner of the image by up to this fraction of its height, like a photo taken at a slant.",
        "×h",
        0.06,
        0.2,
    ),
    AugmentationSpec(
        "defocus", "Defocus", "Gaussian blur of up to this sigma, in pixels.", "px", 0.6, 1.5, classic=True
    ),
    AugmentationSpec(
        "motion", "Motion blur", "Smear along a random direction by up to this many pixels.", "px", 2, 5
    ),
    AugmentationSpec(
        "brightness",
        "Brightness",
        "Brighten or darken by up to this fraction of full scale.",
        "",
        0.08,
        0.25,
        classic=True,
    ),
    AugmentationSpec(
        "contrast",
        "Contrast",
        "Raise or lower the contrast by up to this fraction.",
        "",
        0.15,
        0.5,
        classic=True,
    ),
    AugmentationSpec(
        "gamma", "Gamma", "Change the gamma by up to this fraction either way.", "", 0.2, 0.6, classic=True
    ),
    AugmentationSpec(
        "noise",
        "Sensor noise",
        "Gaussian noise of up to this standard deviation (1 = full scale).",
        "",
        0.03,
        0.08,
        classic=True,
    ),
    AugmentationSpec(
        "jpeg",
        "JPEG",
        "Save as JPEG at a quality of 95 or lower in steps of 10, no lower than 95 minus this (compression blocks and ringing).",
        "",
        35,
        85,
        classic=True,
        integer=True,
    ),
)
CAPTURE_BY_NAME = {spec.name: spec for spec in CAPTURE_EFFECTS}

# OpenCV blurs uint8 images with a bit-exact kernel of 8 fractional bits: below a sigma of 0.284
# the side taps round to zero and the blur gives the image back unchanged, so such images are
# skipped (a third of them at the default strength; tests/engine/test_finish.py checks the margin).
IDENTITY_DEFOCUS = 0.25


def draw_light(effects: dict[str, float], stream: np.random.Generator, n: int, height: int, width: int):
    """The shadow: (n, H, W) float32 light falling on the page (1 = full), or None. It is drawn
    first and lights paper and ink alike (ink.composite), before the camera sees the page."""
    if "shadow" not in effects:
        return None
    depth = stream.uniform(0, effects["shadow"], size=n).astype(np.float32)
    angle = stream.uniform(0, 2 * np.pi, size=n)
    centre = stream.uniform(-0.3, 0.3, size=n).astype(np.float32)
    # A ramp from 0 to 1 across a band of the image, along a random direction, then 1 - depth * ramp.
    ys = (np.arange(height, dtype=np.float32) / np.float32(width))[None, :, None]
    xs = (np.arange(width, dtype=np.float32) / np.float32(width))[None, None, :]
    cos, sin = np.cos(angle).astype(np.float32), np.sin(angle).astype(np.float32)
    ramp = xs * cos[:, None, None] + ys * sin[:, None, None]
    middle = np.float32(0.5) * (cos + sin * np.float32(height / width)) + centre
    ramp -= middle[:, None, None] - np.float32(0.5)
    np.clip(ramp, 0, 1, out=ramp)
    ramp *= -depth[:, None, None]
    ramp += 1
    return ramp


def capture(
    effects: dict[str, float], images: np.ndarray, boxes: list[np.ndarray], stream: np.random.Generator
) -> list[np.ndarray]:
    """Apply ``effects`` (name -> strength; the shadow is draw_light's) to uint8 (n, H, W[, 3])
    images, in place; returns the boxes (moved by a perspective change). Draws per
    effect, in the order of CAPTURE_EFFECTS, only for the effects given."""
    from .imgaug_compat import cv2

    cv = cv2()
    if not images.flags.c_contiguous:  # the effects write through views and reshapes of it
        raise ValueError("capture works in place on a C-contiguous array of images")
    n, height, width = images.shape[:3]
    colour = images.ndim == 4
    if "perspective" in effects:
        reach = effects["perspective"] * height
        moves = stream.uniform(-reach, reach, size=(n, 4, 2)).astype(np.float32)
        corners = np.array(
            [[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32
        )
        matrices = np.empty((n, 3, 3))
        for i in range(n):
            matrices[i] = cv.getPerspectiveTransform(corners, corners + moves[i])
            images[i] = _channels(
                cv.warpPerspective(
                    images[i],
                    matrices[i],
                    (width, height),
                    flags=cv.INTER_LINEAR,
                    borderMode=cv.BORDER_REPLICATE,
                ),
                images[i].shape,
            )
        boxes = _moved_boxes(boxes, matrices, width, height)
    if "defocus" in effects:
        sigmas = np.asarray(stream.uniform(0, effects["defocus"], size=n))
        for i in np.nonzero(sigmas > IDENTITY_DEFOCUS)[0].tolist():  # in place (dst is the image)
            cv.GaussianBlur(images[i], (0, 0), sigmas[i], dst=images[i], borderType=cv.BORDER_REPLICATE)
    if "motion" in effects:
        lengths = np.asarray(stream.uniform(0, effects["motion"], size=n))
        angles = np.asarray(stream.uniform(0, np.pi, size=n))
        for i in np.nonzero(lengths >= 1)[0].tolist():
            kernel = _motion_kernel(lengths[i], angles[i])
            images[i] = _channels(
                cv.filter2D(images[i], -1, kernel, borderType=cv.BORDER_REPLICATE), images[i].shape
            )
    if any(e in effects for e in ("brightness", "contrast", "gamma")):
        brightness = stream.uniform(-1, 1, size=(n, 1)) * effects.get("brightness", 0)
        contrast = 1 + stream.uniform(-1, 1, size=(n, 1)) * effects.get("contrast", 0)
        gamma = (1 + effects.get("gamma", 0)) ** stream.uniform(-1, 1, size=(n, 1))
        # One table per image for all three: exact look-ups, whatever the machine.
        levels = np.arange(256, dtype=np.float64)[None, :] / 255
        curves = np.clip((levels - 0.5) * contrast + 0.5 + brightness, 0, 1) ** gamma
        tables = np.clip(np.rint(curves * 255), 0, 255).astype(np.uint8)
        flat = images.reshape(n, height, -1)
        for i in range(n):
            cv.LUT(flat[i], tables[i], dst=flat[i])
    if "noise" in effects:
        sigma = np.asarray(stream.uniform(0, effects["noise"], size=n)) * 255
        bank = _noise_bank(height, width * (3 if colour else 1))
        rows = stream.integers(0, bank.shape[0] - height + 1, size=n)
        flat = images.reshape(n, height, -1)
        for i in range(n):
            region = bank[rows[i] : rows[i] + height]
            cv.addWeighted(flat[i], 1.0, region, float(sigma[i]), 0.0, dst=flat[i], dtype=cv.CV_8U)
    if "jpeg" in effects:
        _jpeg(images, stream, int(effects["jpeg"]), colour, cv)
    return list(boxes)


_NOISE_SEED = 0x5E45  # sensor noise: one fixed sheet of normals; each image takes its own rows
_NOISE_BANKS: dict[tuple[int, int], np.ndarray] = {}


def _noise_bank(height: int, columns: int) -> np.ndarray:
    key = (height, columns)
    if key not in _NOISE_BANKS:
        rows = max(2 * height, min(64 * height, (1 << 22) // columns))
        if len(_NOISE_BANKS) > 8:
            _NOISE_BANKS.clear()
        _NOISE_BANKS[key] = np.random.Generator(np.random.Philox(_NOISE_SEED)).standard_normal(
            (rows, columns), dtype=np.float32
        )
    return _NOISE_BANKS[key]


_JPEG_STEP = 10  # qualities come in steps of 10, so images of one quality are encoded together


def _jpeg(images: np.ndarray, stream: np.random.Generator, strength: int, colour: bool, cv) -> None:
    """JPEG compression in place: each image's quality is drawn in [95 - strength, 95] (in steps
    of _JPEG_STEP); the images of a block that share a quality are encoded as one tall picture
    (far cheaper than one call each), each padded to whole 16-row blocks so that no compression
    block holds two images."""
    n, height = images.shape[:2]
    qualities = np.asarray(
        95 - _JPEG_STEP * stream.integers(0, strength // _JPEG_STEP + 1, size=n), dtype=np.int64
    )
    order = np.argsort(qualities, kind="stable")
    padded_height = -(-height // 16) * 16
    tiles = np.empty((n, padded_height, *images.shape[2:]), dtype=np.uint8)
    # Colour: OpenCV's colour images are BGR; each image is turned round straight into its tile
    # and back into its place (one pass each way instead of a gather, a copy and a conversion).
    if colour:
        for j, i in enumerate(order.tolist()):
            cv.cvtColor(images[i], cv.COLOR_RGB2BGR, dst=tiles[j, :height])
    else:
        tiles[:, :height] = images[order]
    tiles[:, height:] = tiles[:, height - 1 : height]
    sorted_qualities = qualities[order]
    edges = [0, *(np.flatnonzero(np.diff(sorted_qualities)) + 1).tolist(), n]
    for first, stop in zip(edges[:-1], edges[1:]):
        tall = tiles[first:stop].reshape(-1, *images.shape[2:])
        ok, data = cv.imencode(".jpg", tall, [cv.IMWRITE_JPEG_QUALITY, int(sorted_qualities[first])])
        decoded = cv.imdecode(data, cv.IMREAD_COLOR if colour else cv.IMREAD_GRAYSCALE)
        decoded = decoded.reshape(stop - first, padded_height, *images.shape[2:])[:, :height]
        if colour:
            for j, i in enumerate(order[first:stop].tolist()):
                cv.cvtColor(decoded[j], cv.COLOR_BGR2RGB, dst=images[i])
        else:
            images[order[first:stop]] = decoded


def _channels(result: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    return result.reshape(shape)  # OpenCV drops a trailing channel axis of one


def _motion_kernel(length: float, angle: float) -> np.ndarray:
    """A line of ``length`` pixels through the centre at ``angle``, summing to one."""
    size = int(np.ceil(length)) | 1
    kernel = np.zeros((size, size), dtype=np.float32)
    centre = size // 2
    for t in np.linspace(-(length - 1) / 2, (length - 1) / 2, max(2, int(round(length)) * 2)):
        x, y = int(round(centre + t * np.cos(angle))), int(round(centre + t * np.sin(angle)))
        kernel[y, x] = 1
    return kernel / kernel.sum()


def _moved_boxes(boxes: list[np.ndarray], matrices: np.ndarray, width: int, height: int) -> list[np.ndarray]:
    """Each box (max exclusive) as the bounding box of its four corners moved by its image's matrix."""
    counts = [len(b) for b in boxes]
    if not sum(counts):
        return list(boxes)
    every = np.concatenate(boxes)
    matrix = np.repeat(matrices, counts, axis=0)  # (boxes, 3, 3)
    x0, y0, x1, y1 = (every[:, k].astype(np.float64) for k in range(4))
    # The centres of the outermost ink pixels, moved, then widened by a pixel for the bilinear spread.
    xs = np.stack([x0, x1 - 1, x1 - 1, x0], axis=1)
    ys = np.stack([y0, y0, y1 - 1, y1 - 1], axis=1)
    mx = matrix[:, None, 0, 0] * xs + matrix[:, None, 0, 1] * ys + matrix[:, None, 0, 2]
    my = matrix[:, None, 1, 0] * xs + matrix[:, None, 1, 1] * ys + matrix[:, None, 1, 2]
    mw = matrix[:, None, 2, 0] * xs + matrix[:, None, 2, 1] * ys + matrix[:, None, 2, 2]
    px, py = mx / mw, my / mw
    moved = np.empty_like(every)
    moved[:, 0] = np.clip(np.floor(px.min(axis=1)), 0, width - 1)
    moved[:, 1] = np.clip(np.floor(py.min(axis=1)), 0, height - 1)
    moved[:, 2] = np.clip(np.floor(px.max(axis=1)) + 2, 1, width)
    moved[:, 3] = np.clip(np.floor(py.max(axis=1)) + 2, 1, height)
    # The warp replicates the border: ink that touches an edge is smeared out to that edge.
    moved[every[:, 0] <= 0, 0] = 0
    moved[every[:, 1] <= 0, 1] = 0
    moved[every[:, 2] >= width, 2] = width
    moved[every[:, 3] >= height, 3] = height
    return np.split(moved, np.cumsum(counts)[:-1])
