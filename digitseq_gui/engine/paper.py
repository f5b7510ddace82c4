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
from dataclasses import dataclass, field
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
_LINE_COLOURS = np.array(
    [(120, 140, 190), (150, 150, 150), (190, 120, 120), (90, 110, 170)], dtype=np.float32
)
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
        raise InvalidInputError(
            f"paper.background: cannot read the folder {folder}: {exc.strerror}", field="paper.background"
        ) from None
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


@dataclass
class Sheet:
    """A block's paper: a tint per image times a shade (grain, cheque), or a picture per image,
    and the printed layers on it (lines, marks), each a coverage and a colour per image."""

    tint: np.ndarray  # (n, 3) float32
    shade: np.ndarray | None = None  # (n, H, W) float32 multiplier of the tint; None: flat
    picture: np.ndarray | None = None  # (3, n, H, W) float32 planes (a folder's pictures)
    layers: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)  # (n, H, W), (n, 3)
    # Ruled lines, under every layer: (rows (n, k) int, strength (n,) float32, colour (n, 3)).
    rows: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)

    def part(self, start: int, stop: int) -> Sheet:
        """The sheet of images ``start:stop`` (views, not copies)."""
        return Sheet(
            self.tint[start:stop],
            None if self.shade is None else self.shade[start:stop],
            None if self.picture is None else self.picture[:, start:stop],
            [(coverage[start:stop], colour[start:stop]) for coverage, colour in self.layers],
            [
                (rows[start:stop], strength[start:stop], colour[start:stop])
                for rows, strength, colour in self.rows
            ],
        )


def _near(stream: np.random.Generator, tints: np.ndarray, n: int, jitter: float) -> np.ndarray:
    colours = tints[stream.integers(0, len(tints), size=n)]
    colours = colours + stream.uniform(-jitter, jitter, size=(n, 3)).astype(np.float32)
    return np.clip(colours, 0, 255).astype(np.float32)


def _upsample(coarse: np.ndarray, height: int, width: int) -> np.ndarray:
    """(h, w) -> (height, width) by bilinear interpolation, in plain arithmetic."""
    h, w = coarse.shape
    ys = np.linspace(0, h - 1, height, dtype=np.float32)
    xs = np.linspace(0, w - 1, width, dtype=np.float32)
    y0 = np.minimum(ys.astype(np.int64), h - 2)
    x0 = np.minimum(xs.astype(np.int64), w - 2)
    fy, fx = (ys - y0)[:, None], (xs - x0)[None, :]
    rows = coarse[:, x0] * (1 - fx) + coarse[:, x0 + 1] * fx
    return rows[y0] * (1 - fy) + rows[y0 + 1] * fy


_GRAIN_SEED = 0x6A1  # the paper texture is one fixed sheet; each image sees its own region of it
_GRAIN_BANKS: dict[tuple[int, int], np.ndarray] = {}


def _grain_bank(height: int, width: int) -> np.ndarray:
    """A sheet of paper texture (brightness factor around 1: soft blotches and fine fibres), made
    once per process from a fixed seed, about eight images tall and one and a half wide."""
    key = (height, width)
    bank = _GRAIN_BANKS.get(key)
    if bank is None:
        rows, cols = height * 8, width + width // 2 + 8
        texture = np.random.Generator(np.random.Philox(_GRAIN_SEED))
        coarse = texture.standard_normal((max(2, rows // 6), max(2, cols // 6)), dtype=np.float32)
        fine = texture.standard_normal((rows, cols), dtype=np.float32)
        bank = 1 + np.float32(0.018) * _upsample(coarse, rows, cols) + np.float32(0.012) * fine
        if len(_GRAIN_BANKS) > 8:
            _GRAIN_BANKS.clear()
        _GRAIN_BANKS[key] = bank
    return bank


def _grain(stream: np.random.Generator, n: int, height: int, width: int) -> Sheet:
    """Off-white paper whose brightness varies in soft blotches and in fine fibres: a random
    region of the texture sheet per image, either way round."""
    tint = _near(stream, _TINTS[:2], n, 3)
    bank = _grain_bank(height, width)
    ys = stream.integers(0, bank.shape[0] - height + 1, size=n)
    xs = stream.integers(0, bank.shape[1] - width + 1, size=n)
    flips = stream.integers(0, 2, size=n)
    shade = np.empty((n, height, width), dtype=np.float32)
    for i in range(n):
        region = bank[ys[i] : ys[i] + height, xs[i] : xs[i] + width]
        shade[i] = region[:, ::-1] if flips[i] else region
    return Sheet(tint, shade)


def _cheque(stream: np.random.Generator, n: int, height: int, width: int) -> Sheet:
    """Two families of fine wavy lines crossing at an angle, darker than the pale tint."""
    tint = _near(stream, _CHEQUE_TINTS, n, 4)
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
    return Sheet(tint, 1 - depth * line)


def _from_folder(
    stream: np.random.Generator, pictures: list[np.ndarray], n: int, height: int, width: int
) -> Sheet:
    """A random region of a random picture, of the image's shape, scaled to it."""
    from .imgaug_compat import cv2

    cv = cv2()
    out = np.empty((n, height, width, 3), dtype=np.uint8)
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
    planes = np.ascontiguousarray(np.moveaxis(out, -1, 0), dtype=np.float32)
    return Sheet(np.full((n, 3), 255, dtype=np.float32), picture=planes)


def draw_background(background: str, stream: np.random.Generator, n: int, height: int, width: int) -> Sheet:
    if background == "white":
        return Sheet(np.full((n, 3), 255, dtype=np.float32))
    if background == "tinted":
        return Sheet(_near(stream, _TINTS, n, 4))
    if background == "grain":
        return _grain(stream, n, height, width)
    if background == "cheque":
        return _cheque(stream, n, height, width)
    return _from_folder(stream, folder_images(background), n, height, width)


# -- printed lines -----------------------------------------------------------------------------


def _typical_bottoms(boxes: list[np.ndarray], default: int) -> np.ndarray:
    """Each image's middle digit bottom (the upper median of its boxes' y_max), in one sort."""
    counts = np.array([len(b) for b in boxes])
    bottoms = np.full(len(boxes), default, dtype=np.int64)
    if counts.sum():
        image = np.repeat(np.arange(len(boxes)), counts)
        y1 = np.concatenate([b[:, 3] for b in boxes])
        ordered = y1[np.lexsort((y1, image))]
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        has = counts > 0
        bottoms[has] = ordered[(starts + counts // 2)[has]]
    return bottoms


def draw_lines(
    lines: str, sheet: Sheet, stream: np.random.Generator, boxes: list[np.ndarray], height: int, width: int
) -> None:
    """Lines printed on the paper, where a form puts them for these digit boxes: a layer of the sheet."""
    if lines == "none":
        return
    n = len(boxes)
    colours = _LINE_COLOURS[stream.integers(0, len(_LINE_COLOURS), size=n)]
    strength = stream.uniform(0.55, 0.9, size=n).astype(np.float32)
    jitter = stream.integers(-1, 2, size=(n, 2))
    thick = 2 if height >= 56 else 1
    if lines == "ruled":
        # Under the number: at the digits' typical bottom, so descending strokes cross it.
        bottoms = _typical_bottoms(boxes, height - 4)
        rows = np.clip(bottoms - 1 + jitter[:, 0], 0, height - thick)
        sheet.rows.append((rows[:, None] + np.arange(thick)[None, :], strength, colours))
        return
    coverage = np.zeros((n, height, width), dtype=np.float32)
    if lines == "grid":
        period = max(4, round(height / 2.5))
        ys = (np.arange(height)[None, :] + jitter[:, :1] + period) % period < thick
        xs = (np.arange(width)[None, :] + jitter[:, 1:] + period) % period < thick
        coverage[...] = ys[:, :, None] | xs[:, None, :]
        coverage *= (strength * np.float32(0.6))[:, None, None]
    else:  # boxes: a comb, one box per digit, walls halfway between neighbouring digits
        for i, b in enumerate(boxes):
            if not len(b):
                continue
            top = int(np.clip(b[:, 1].min() - 2, 0, height - thick))
            low = int(np.clip(b[:, 3].max() + 1, 0, height - thick))
            walls = [b[0, 0] - 2, *((b[1:, 0] + b[:-1, 2]) // 2), b[-1, 2] + 1]
            walls = [int(np.clip(x, 0, width - thick)) for x in walls]
            for y in (top, low):
                coverage[i, y : y + thick, walls[0] : walls[-1] + thick] = strength[i]
            for x in walls:
                coverage[i, top : low + thick, x : x + thick] = strength[i]
    sheet.layers.append((coverage, colours))


# -- printed characters ------------------------------------------------------------------------

_GLYPHS: dict[tuple[str, int], np.ndarray] = {}


def _glyph(text: str, height: int) -> np.ndarray:
    """The printed ``text`` as a (h, w) float32 coverage mask for an image ``height`` tall
    (OpenCV's Hershey font, drawn without anti-aliasing). Its metrics change between OpenCV
    releases (the "$" is 10, 8 and 9 px wide on 4.11, 5.0 and 5.1), so these pixels are pinned per
    OpenCV version (tests/golden) and an export says so in its manifest (finish.opencv_dependent)."""
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


def draw_printed(
    sheet: Sheet, stream: np.random.Generator, boxes: list[np.ndarray], height: int, width: int
) -> list[str]:
    """A printed mark beside each number where there is room (left of it, else right of it): a
    layer of the sheet, under the handwriting. Returns what each image got ("" where nothing fitted)."""
    n = len(boxes)
    marks = stream.integers(0, len(PRINTED_MARKS), size=n)
    colours = _PRINT_COLOURS[stream.integers(0, len(_PRINT_COLOURS), size=n)]
    coverage = np.zeros((n, height, width), dtype=np.float32)
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
        region = coverage[i, y : y + gh, x : x + gw]
        region[...] = glyph[: region.shape[0], : region.shape[1]]
        printed.append(text)
    sheet.layers.append((coverage, colours))
    return printed
