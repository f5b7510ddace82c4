"""Paper: what the digits are written on (the finishing stage, finish.py).

A paper is a background and, optionally, printed lines, drawn for a whole block at once as
(n, H, W, 3) float32 sRGB in [0, 255]:

- backgrounds: ``white`` (today's), ``tinted`` (one pale colour), ``grain`` (paper fibres: fine
  noise over soft blotches), ``cheque`` (a fine security pattern of crossing wavy lines on a pale
  tint), or a folder of the user's own images (a random region of one, scaled to the image);
- lines: ``ruled`` (a line under the number, where a form puts it, so strokes cross it),
  ``grid`` (squared paper) or ``boxes`` (a comb of boxes, one digit per box, following the
  digits' boxes);
- ``printed``: a few printed characters (a currency mark, "No.") beside the number where the
  layout leaves room. They are NOT part of the label; finish.Finished.printed says what was printed.

The procedural patterns are integer arithmetic and table look-ups: the same bytes on every
machine (no transcendental function is evaluated per pixel).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

from .errors import InvalidInputError

BACKGROUNDS = ("white", "tinted", "grain", "cheque")
LINES = ("none", "ruled", "grid", "boxes")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff")
MAX_FOLDER_IMAGES = 256  # backgrounds kept in memory per folder
_MAX_SIDE = 640  # larger backgrounds are scaled down once, when loaded

# Pale papers: cream, light grey, pale blue, pale green, pale pink, manila.
_TINTS = np.array(
    [(250, 245, 228), (241, 241, 237), (234, 241, 250), (236, 246, 235), (250, 238, 238), (242, 231, 202)],
    dtype=np.float32,
)
# Cheque stock: pale green, blue, pink, yellow, lilac.
_CHEQUE_TINTS = np.array(
    [(226, 240, 226), (226, 234, 246), (246, 230, 234), (246, 242, 218), (236, 230, 246)], dtype=np.float32
)
_LINE_COLOURS = np.array([(120, 140, 190), (150, 150, 150), (190, 120, 120), (90, 110, 170)], dtype=np.float32)
PRINTED_MARKS = ("$", "No.", "#", "EUR", "USD", "Rs", "$", "*")
_PRINT_COLOURS = np.array([(30, 30, 30), (20, 40, 90), (60, 60, 60)], dtype=np.float32)

# sin(2 pi k / _PHASES), in 1/10000 units: patterns look their phase up here.
_PHASES = 1024
_SINE = np.round(np.sin(2 * np.pi * np.arange(_PHASES) / _PHASES) * 10000).astype(np.int32)


def check_background_folder(path: str, where: str = "paper.background") -> Path:
    """A folder of background images, or a clear error (missing, not a folder, no image in it)."""
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise InvalidInputError(
            f"{where}: {path!r} is neither a paper ({', '.join(BACKGROUNDS)}) nor a folder of images",
            field=where,
        )
    if not _image_files(folder):
        raise InvalidInputError(
            f"{where}: the folder {path} holds no image ({', '.join(IMAGE_SUFFIXES)}); "
            "put background pictures in it or choose another paper",
            field=where,
        )
    return folder


def _image_files(folder: Path) -> list[Path]:
    try:
        names = sorted(os.listdir(folder))
    except OSError as exc:
        raise InvalidInputError(f"paper.background: cannot read the folder {folder}: {exc.strerror}", field="paper.background") from None
    files = [folder / n for n in names if n.lower().endswith(IMAGE_SUFFIXES) and (folder / n).is_file()]
    return files[:MAX_FOLDER_IMAGES]


_FOLDERS: dict[tuple, list[np.ndarray]] = {}
_FOLDERS_LOCK = threading.Lock()


def folder_images(path: str) -> list[np.ndarray]:
    """The folder's images as (h, w, 3) uint8 RGB (sorted by name, loaded once per process; a
    changed folder is read again). An unreadable image is a clear error naming it."""
    from PIL import Image, UnidentifiedImageError

    folder = check_background_folder(path)
    files = _image_files(folder)
    key = tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files)
    with _FOLDERS_LOCK:
        if key in _FOLDERS:
            return _FOLDERS[key]
    images = []
    for file in files:
        try:
            with Image.open(file) as image:
                image = image.convert("RGB")
                if max(image.size) > _MAX_SIDE:
                    scale = _MAX_SIDE / max(image.size)
                    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
                    image = image.resize(size, Image.Resampling.BOX)
                images.append(np.asarray(image, dtype=np.uint8))
        except (OSError, UnidentifiedImageError, ValueError) as exc:
            raise InvalidInputError(
                f"paper.background: cannot read the background image {file} ({exc}); "
                "remove it from the folder or replace it",
                field="paper.background",
            ) from None
    with _FOLDERS_LOCK:
        if len(_FOLDERS) > 4:
            _FOLDERS.clear()
        _FOLDERS[key] = images
    return images


# -- backgrounds -------------------------------------------------------------------------------


def _near(stream: np.random.Generator, tints: np.ndarray, n: int, jitter: float) -> np.ndarray:
    colours = tints[stream.integers(0, len(tints), size=n)]
    colours = colours + stream.uniform(-jitter, jitter, size=(n, 3)).astype(np.float32)
    return np.clip(colours, 0, 255).astype(np.float32)


def _upsample(coarse: np.ndarray, height: int, width: int) -> np.ndarray:
    """(n, h, w) -> (n, height, width) by bilinear interpolation, in plain arithmetic."""
    _, h, w = coarse.shape
    ys = np.linspace(0, h - 1, height, dtype=np.float32)
    xs = np.linspace(0, w - 1, width, dtype=np.float32)
    y0 = np.minimum(ys.astype(np.int64), h - 2)
    x0 = np.minimum(xs.astype(np.int64), w - 2)
    fy, fx = (ys - y0)[:, None], (xs - x0)[None, :]
    top = coarse[:, y0][:, :, x0] * (1 - fx) + coarse[:, y0][:, :, x0 + 1] * fx
    bottom = coarse[:, y0 + 1][:, :, x0] * (1 - fx) + coarse[:, y0 + 1][:, :, x0 + 1] * fx
    return top * (1 - fy) + bottom * fy


def _grain(stream: np.random.Generator, n: int, height: int, width: int) -> np.ndarray:
    """Off-white paper whose brightness varies in soft blotches and in fine fibres."""
    base = _near(stream, _TINTS[:2], n, 3)
    coarse = stream.standard_normal((n, max(2, height // 6), max(2, width // 6)), dtype=np.float32)
    fine = stream.standard_normal((n, height, width), dtype=np.float32)
    shade = 1 + np.float32(0.018) * _upsample(coarse, height, width) + np.float32(0.012) * fine
    return base[:, None, None, :] * shade[..., None]


def _cheque(stream: np.random.Generator, n: int, height: int, width: int) -> np.ndarray:
    """Two families of fine wavy lines crossing at an angle, darker than the pale tint."""
    base = _near(stream, _CHEQUE_TINTS, n, 4)
    ys = np.arange(height, dtype=np.int64)[None, :, None]
    xs = np.arange(width, dtype=np.int64)[None, None, :]
    line = np.zeros((n, height, width), dtype=np.float32)
    for _family in range(2):
        # Phase step per pixel in 1/_PHASES cycles: periods of 3-7 px, slanted either way.
        step_x = stream.integers(_PHASES // 7, _PHASES // 3, size=n)[:, None, None]
        step_y = (stream.integers(_PHASES // 9, _PHASES // 4, size=n) * stream.choice([-1, 1], size=n))[
            :, None, None
        ]
        offset = stream.integers(0, _PHASES, size=n)[:, None, None]
        wave_step = stream.integers(_PHASES // 60, _PHASES // 25, size=n)[:, None, None]
        wave_depth = stream.integers(_PHASES // 4, _PHASES // 2, size=n)[:, None, None]
        wobble = _SINE[(xs * wave_step) % _PHASES] * wave_depth // 10000
        crest = _SINE[(xs * step_x + ys * step_y + offset + wobble) % _PHASES]
        line = np.maximum(line, np.clip((crest - 6500) / np.float32(3500), 0, 1).astype(np.float32))
    depth = stream.uniform(0.10, 0.22, size=n).astype(np.float32)[:, None, None]
    return base[:, None, None, :] * (1 - depth * line)[..., None]


def _from_folder(
    stream: np.random.Generator, pictures: list[np.ndarray], n: int, height: int, width: int
) -> np.ndarray:
    """A random region of a random picture, of the image's shape, scaled to it."""
    from .imgaug_compat import cv2

    cv = cv2()
    out = np.empty((n, height, width, 3), dtype=np.float32)
    picks = stream.integers(0, len(pictures), size=n)
    where = stream.random((n, 3))
    for i in range(n):
        picture = pictures[picks[i]]
        ph, pw = picture.shape[:2]
        # The region's height: from a quarter of the picture to all of it that the aspect allows.
        full = min(ph, pw * height / width)
        region_h = max(1.0, full * (0.25 + 0.75 * where[i, 0]))
        region_w = region_h * width / height
        x = int((pw - region_w) * where[i, 1])
        y = int((ph - region_h) * where[i, 2])
        crop = picture[y : y + max(1, round(region_h)), x : x + max(1, round(region_w))]
        out[i] = cv.resize(np.ascontiguousarray(crop), (width, height), interpolation=cv.INTER_AREA)
    return out


def draw_background(
    background: str, stream: np.random.Generator, n: int, height: int, width: int
) -> np.ndarray:
    if background == "white":
        return np.full((n, height, width, 3), 255, dtype=np.float32)
    if background == "tinted":
        tint = _near(stream, _TINTS, n, 4)
        return np.broadcast_to(tint[:, None, None, :], (n, height, width, 3)).copy()
    if background == "grain":
        return _grain(stream, n, height, width)
    if background == "cheque":
        return _cheque(stream, n, height, width)
    return _from_folder(stream, folder_images(background), n, height, width)


# -- printed lines -----------------------------------------------------------------------------


def _blend(paper: np.ndarray, i: int, ys, xs, colour: np.ndarray, strength: float) -> None:
    region = paper[i, ys, xs]
    region += np.float32(strength) * (colour - region)
    paper[i, ys, xs] = region


def draw_lines(
    lines: str, paper: np.ndarray, stream: np.random.Generator, boxes: list[np.ndarray]
) -> None:
    """Lines printed on the paper (in place), where a form puts them for these digit boxes."""
    if lines == "none":
        return
    n, height, width = paper.shape[:3]
    colours = _LINE_COLOURS[stream.integers(0, len(_LINE_COLOURS), size=n)]
    strength = stream.uniform(0.55, 0.9, size=n)
    jitter = stream.integers(-1, 2, size=(n, 2))
    thick = 2 if height >= 56 else 1
    for i in range(n):
        b = boxes[i]
        if lines == "ruled":
            # Under the number: at the digits' typical bottom, so descending strokes cross it.
            bottom = int(np.median(b[:, 3])) if len(b) else height - 4
            y = int(np.clip(bottom - 1 + jitter[i, 0], 0, height - thick))
            _blend(paper, i, slice(y, y + thick), slice(None), colours[i], strength[i])
        elif lines == "grid":
            period = max(4, round(height / 2.5))
            ys = (np.arange(height) + jitter[i, 0] + period) % period < thick
            xs = (np.arange(width) + jitter[i, 1] + period) % period < thick
            mask = ys[:, None] | xs[None, :]
            _blend(paper, i, mask, slice(None), colours[i], strength[i] * 0.6)
        else:  # boxes: a comb, one box per digit, walls halfway between neighbouring digits
            if not len(b):
                continue
            top = int(np.clip(b[:, 1].min() - 2, 0, height - thick))
            low = int(np.clip(b[:, 3].max() + 1, 0, height - thick))
            walls = [b[0, 0] - 2, *((b[1:, 0] + b[:-1, 2]) // 2), b[-1, 2] + 1]
            walls = [int(np.clip(x, 0, width - thick)) for x in walls]
            for y in (top, low):
                _blend(paper, i, slice(y, y + thick), slice(walls[0], walls[-1] + thick), colours[i], strength[i])
            for x in walls:
                _blend(paper, i, slice(top, low + thick), slice(x, x + thick), colours[i], strength[i])


# -- printed characters ------------------------------------------------------------------------

_GLYPHS: dict[tuple[str, int], np.ndarray] = {}


def _glyph(text: str, height: int) -> np.ndarray:
    """The printed ``text`` as a (h, w) float32 coverage mask for an image ``height`` tall
    (OpenCV's Hershey font, drawn without anti-aliasing: integer raster, the same everywhere)."""
    key = (text, height)
    if key not in _GLYPHS:
        from .imgaug_compat import cv2

        cv = cv2()
        scale = height / 28 * 0.45
        thickness = max(1, round(height / 28))
        (w, h), base = cv.getTextSize(text, cv.FONT_HERSHEY_SIMPLEX, scale, thickness)
        mask = np.zeros((h + base + 2, w + 2), dtype=np.uint8)
        cv.putText(mask, text, (1, h + 1), cv.FONT_HERSHEY_SIMPLEX, scale, 255, thickness, cv.LINE_8)
        _GLYPHS[key] = mask.astype(np.float32) / 255
    return _GLYPHS[key]


def draw_printed(paper: np.ndarray, stream: np.random.Generator, boxes: list[np.ndarray]) -> list[str]:
    """A printed mark beside each number where there is room (left of it, else right of it):
    in place, under the handwriting. Returns what each image got ("" where nothing fitted)."""
    n, height, width = paper.shape[:3]
    marks = stream.integers(0, len(PRINTED_MARKS), size=n)
    colours = _PRINT_COLOURS[stream.integers(0, len(_PRINT_COLOURS), size=n)]
    printed = []
    for i in range(n):
        text = PRINTED_MARKS[marks[i]]
        glyph = _glyph(text, height)
        gh, gw = glyph.shape
        b = boxes[i]
        left = int(b[:, 0].min()) if len(b) else width
        right = int(b[:, 2].max()) if len(b) else 0
        if left >= gw + 1:
            x = left - gw - 1
        elif width - right >= gw + 1:
            x = right + 1
        else:
            printed.append("")
            continue
        bottom = int(np.median(b[:, 3])) if len(b) else height
        y = int(np.clip(bottom - gh + 2, 0, height - gh)) if gh <= height else 0
        region = paper[i, y : y + gh, x : x + gw]
        cover = glyph[: region.shape[0], : region.shape[1], None]
        region += cover * (colours[i] - region)
        printed.append(text)
    return printed
