"""Capture: what a camera or scanner does to the finished image (the finishing stage, finish.py).

Whole-image effects, each off or on with one strength like the augmentations (augment.py); each
image draws its own amount uniformly in [0, strength]. They act in the order a capture happens:
the page's perspective, the light (shadow), the optics (defocus, motion blur), the exposure
(brightness, contrast, gamma), the sensor's noise, and last the JPEG encoder. A perspective change
moves the digit boxes with the pixels: each box becomes the bounding box of its moved corners,
so it still holds its digit's ink.
"""

from __future__ import annotations

import numpy as np

from .augment import AugmentationSpec

CAPTURE_EFFECTS: tuple[AugmentationSpec, ...] = (
    AugmentationSpec(
        "perspective",
        "Perspective",
        "Move each corner of the image by up to this fraction of its height, like a photo taken at a slant.",
        "×h",
        0.06,
        0.2,
        classic=True,
    ),
    AugmentationSpec(
        "shadow", "Shadow", "Darken one side of the image by up to this fraction, fading across it.", "", 0.3, 0.6,
        classic=True,
    ),
    AugmentationSpec("defocus", "Defocus", "Gaussian blur of up to this sigma, in pixels.", "px", 0.6, 1.5, classic=True),
    AugmentationSpec("motion", "Motion blur", "Smear along a random direction by up to this many pixels.", "px", 2, 5),
    AugmentationSpec(
        "brightness", "Brightness", "Brighten or darken by up to this fraction of full scale.", "", 0.08, 0.25,
        classic=True,
    ),
    AugmentationSpec(
        "contrast", "Contrast", "Raise or lower the contrast by up to this fraction.", "", 0.15, 0.5, classic=True
    ),
    AugmentationSpec(
        "gamma", "Gamma", "Change the gamma by up to this fraction either way.", "", 0.2, 0.6, classic=True
    ),
    AugmentationSpec(
        "noise", "Sensor noise", "Gaussian noise of up to this standard deviation (1 = full scale).", "", 0.03, 0.08,
        classic=True,
    ),
    AugmentationSpec(
        "jpeg",
        "JPEG",
        "Save as JPEG with a quality down to 100 minus this (compression blocks and ringing).",
        "",
        40,
        85,
        classic=True,
        integer=True,
    ),
)
CAPTURE_BY_NAME = {spec.name: spec for spec in CAPTURE_EFFECTS}


def capture(
    effects: dict[str, float], images: np.ndarray, boxes: list[np.ndarray], stream: np.random.Generator
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Apply ``effects`` (name -> strength) to float32 (n, H, W[, 3]) images in [0, 255]; returns
    uint8 images and the boxes (moved by a perspective change). Draws per effect, in the order of
    CAPTURE_EFFECTS, only for the effects given."""
    from .imgaug_compat import cv2

    cv = cv2()
    n, height, width = images.shape[:3]
    colour = images.ndim == 4
    if "perspective" in effects:
        reach = effects["perspective"] * height
        moves = stream.uniform(-reach, reach, size=(n, 4, 2)).astype(np.float32)
        corners = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32)
        boxes = list(boxes)
        for i in range(n):
            matrix = cv.getPerspectiveTransform(corners, corners + moves[i])
            images[i] = _channels(
                cv.warpPerspective(
                    images[i], matrix, (width, height), flags=cv.INTER_LINEAR, borderMode=cv.BORDER_REPLICATE
                ),
                images[i].shape,
            )
            boxes[i] = _moved_boxes(boxes[i], matrix, width, height)
    if "shadow" in effects:
        depth = stream.uniform(0, effects["shadow"], size=n).astype(np.float32)
        angle = stream.uniform(0, 2 * np.pi, size=n)
        centre = stream.uniform(0.2, 0.8, size=n).astype(np.float32)
        # A ramp across the image along a random direction, from 0 to depth, in plain arithmetic.
        ys = np.linspace(0, 1, height, dtype=np.float32)[None, :, None] * np.float32(height / width)
        xs = np.linspace(0, 1, width, dtype=np.float32)[None, None, :]
        cos, sin = np.cos(angle).astype(np.float32), np.sin(angle).astype(np.float32)
        ramp = np.clip(xs * cos[:, None, None] + ys * sin[:, None, None] - (centre - 0.5)[:, None, None] + 0.5, 0, 1)
        shade = 1 - depth[:, None, None] * ramp
        images *= shade[..., None] if colour else shade
    if "defocus" in effects:
        sigmas = stream.uniform(0, effects["defocus"], size=n)
        for i in range(n):
            if sigmas[i] > 0.05:
                images[i] = _channels(cv.GaussianBlur(images[i], (0, 0), sigmas[i], borderType=cv.BORDER_REPLICATE), images[i].shape)
    if "motion" in effects:
        lengths = stream.uniform(0, effects["motion"], size=n)
        angles = stream.uniform(0, np.pi, size=n)
        for i in range(n):
            if lengths[i] >= 1:
                images[i] = _channels(cv.filter2D(images[i], -1, _motion_kernel(lengths[i], angles[i]), borderType=cv.BORDER_REPLICATE), images[i].shape)
    out = np.empty(images.shape, dtype=np.uint8)
    np.clip(np.rint(images), 0, 255, out=images)
    out[...] = images
    exposure = [e for e in ("brightness", "contrast", "gamma") if e in effects]
    if exposure:
        brightness = stream.uniform(-1, 1, size=n) * effects.get("brightness", 0)
        contrast = 1 + stream.uniform(-1, 1, size=n) * effects.get("contrast", 0)
        gamma = (1 + effects.get("gamma", 0)) ** stream.uniform(-1, 1, size=n)
        levels = np.arange(256, dtype=np.float64) / 255
        for i in range(n):
            curve = np.clip((levels - 0.5) * contrast[i] + 0.5 + brightness[i], 0, 1) ** gamma[i]
            table = np.clip(np.rint(curve * 255), 0, 255).astype(np.uint8)
            out[i] = table[out[i]]
    if "noise" in effects:
        sigma = (stream.uniform(0, effects["noise"], size=n) * 255).astype(np.float32)
        noise = stream.standard_normal((n, height, width), dtype=np.float32) * sigma[:, None, None]
        noisy = out.astype(np.float32) + (noise[..., None] if colour else noise)
        np.clip(np.rint(noisy), 0, 255, out=noisy)
        out[...] = noisy
    if "jpeg" in effects:
        qualities = 100 - stream.integers(0, int(effects["jpeg"]) + 1, size=n)
        for i in range(n):
            image = out[i][..., ::-1] if colour else out[i]  # OpenCV's colour images are BGR
            ok, data = cv.imencode(".jpg", np.ascontiguousarray(image), [cv.IMWRITE_JPEG_QUALITY, int(qualities[i])])
            decoded = cv.imdecode(data, cv.IMREAD_COLOR if colour else cv.IMREAD_GRAYSCALE)
            out[i] = decoded[..., ::-1] if colour else decoded
    return out, boxes


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


def _moved_boxes(boxes: np.ndarray, matrix: np.ndarray, width: int, height: int) -> np.ndarray:
    """Each box (max exclusive) as the bounding box of its four corners moved by ``matrix``."""
    if not len(boxes):
        return boxes
    x0, y0, x1, y1 = (boxes[:, k].astype(np.float64) for k in range(4))
    # Pixel centres of the outermost ink pixels, moved, then widened by a pixel for the bilinear spread.
    xs = np.stack([x0, x1 - 1, x1 - 1, x0], axis=1)
    ys = np.stack([y0, y0, y1 - 1, y1 - 1], axis=1)
    points = np.stack([xs, ys, np.ones_like(xs)], axis=-1) @ matrix.T
    px, py = points[..., 0] / points[..., 2], points[..., 1] / points[..., 2]
    moved = np.empty_like(boxes)
    moved[:, 0] = np.clip(np.floor(px.min(axis=1)), 0, width - 1)
    moved[:, 1] = np.clip(np.floor(py.min(axis=1)), 0, height - 1)
    moved[:, 2] = np.clip(np.floor(px.max(axis=1)) + 2, 1, width)
    moved[:, 3] = np.clip(np.floor(py.max(axis=1)) + 2, 1, height)
    # The warp replicates the border: ink that touches an edge is smeared out to that edge.
    moved[boxes[:, 0] <= 0, 0] = 0
    moved[boxes[:, 1] <= 0, 1] = 0
    moved[boxes[:, 2] >= width, 2] = width
    moved[boxes[:, 3] >= height, 3] = height
    return moved
