"""Self-describing PNG files: label, text, seed and settings in standard PNG text chunks.

Every PNG DigitSeq writes carries, as tEXt chunks (iTXt for text outside Latin-1; long ones, the
settings, deflated as zTXt or compressed iTXt), readable by any PNG reader (Pillow:
``Image.open(path).text``):

    Software   "DigitSeq <version>" (what marks a file as DigitSeq's)
    label      the digits, leading zeros kept ("09012345678")
    text       the sequence as given, separators included ("090-1234-5678")
    seed       the seed that reproduces the image (of the call; the export's --seed for exports)
    index      an export's image number in its part (exports only)
    part       an export's part (train, val, test; exports with splits only)
    writer     the image's one writer id (sampling.writer = same; -1 for any), when known
    writers    each digit's writer id, comma-separated (-1 where the data set does not say)
    settings   the configuration as JSON (the config file's schema; without the augmentations
               when the transform is off, since none is applied)

OpenCV encodes PNGs about twice as fast as Pillow but cannot write text chunks, so they are
spliced into its bytes right after the IHDR chunk, as the PNG specification lays them out.
"""

from __future__ import annotations

import json
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InvalidInputError

SOFTWARE_PREFIX = "DigitSeq"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_IHDR_END = len(_PNG_SIGNATURE) + 4 + 4 + 13 + 4  # length, type, 13 bytes of header, CRC


def metadata(
    label: str,
    seed: int | None,
    settings: dict | None,
    text: str | None = None,
    index: int | None = None,
    writers: tuple[int, list[int]] | None = None,
) -> dict[str, str]:
    """The text chunks of one image, in the order they are written; ``writers`` is (the image's
    writer, its digits' writers)."""
    from ..version import __version__

    chunks = {
        "Software": f"{SOFTWARE_PREFIX} {__version__}",
        "label": label,
        "text": label if text is None else text,
    }
    if seed is not None:
        chunks["seed"] = str(int(seed))
    if index is not None:
        chunks["index"] = str(int(index))
    if writers is not None:
        chunks["writer"] = str(int(writers[0]))
        chunks["writers"] = ",".join(str(int(w)) for w in writers[1])
    if settings is not None:
        chunks["settings"] = json.dumps(effective_settings(settings), sort_keys=True, separators=(",", ":"))
    return chunks


def effective_settings(settings: dict) -> dict:
    """The settings that made the image: with the transform off no augmentation runs, so none
    is listed (a reader would take rotate, shear... "enabled" for applied). Loading them back
    gives the default augmentations, which change nothing while the transform is off."""
    image = settings.get("image")
    if not isinstance(image, dict) or image.get("transform", True) or "augmentations" not in image:
        return settings
    return dict(settings, image={k: v for k, v in image.items() if k != "augmentations"})


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return b"".join((_UINT32.pack(len(data)), body, _UINT32.pack(zlib.crc32(body))))


_UINT32 = struct.Struct(">I")


# Values longer than this (the settings JSON, ~650 bytes) are deflated: zTXt, or iTXt with its
# compression flag. In an export every image carries them, and they were a third of a PNG's bytes.
_COMPRESS_OVER = 200


def text_chunks(chunks: dict[str, str]) -> bytes:
    """``chunks`` as PNG text chunks: tEXt, or iTXt (UTF-8) for a value outside Latin-1, each
    compressed (zTXt, compressed iTXt) when long. Any PNG reader reads them (Pillow: ``.text``)."""
    return b"".join(text_chunk(key, value) for key, value in chunks.items())


def text_chunk(key: str, value: str) -> bytes:
    keyword = key.encode("latin-1")
    compress = len(value) > _COMPRESS_OVER
    try:
        data = value.encode("latin-1")
    except UnicodeEncodeError:  # iTXt: keyword, 0, compression flag, method 0, no language, no translation
        data = value.encode("utf-8")
        flag = b"\1" if compress else b"\0"
        return _chunk(
            b"iTXt", keyword + b"\0" + flag + b"\0\0\0" + (zlib.compress(data, 9) if compress else data)
        )
    if compress:  # zTXt: keyword, 0, method 0 (deflate), the deflated text
        return _chunk(b"zTXt", keyword + b"\0\0" + zlib.compress(data, 9))
    return _chunk(b"tEXt", keyword + b"\0" + data)


def with_text(png: bytes, chunks: dict[str, str] | bytes) -> bytes:
    """PNG bytes with ``chunks`` (a dict, or chunk bytes from ``text_chunks``) inserted after
    IHDR, where any encoder puts its first ancillary chunk."""
    if png[:8] != _PNG_SIGNATURE or png[12:16] != b"IHDR":
        raise ValueError("not PNG bytes with IHDR first")
    return png[:_IHDR_END] + (chunks if isinstance(chunks, bytes) else text_chunks(chunks)) + png[_IHDR_END:]


def export_chunks(seed: int, settings: dict, part: str = "") -> bytes:
    """The chunks every image of an export part shares (Software, seed, settings, part), encoded
    once per part; each image adds ``sample_chunks``."""
    chunks = metadata("", seed, settings)
    del chunks["label"], chunks["text"]
    if part:
        chunks["part"] = part
    return text_chunks(chunks)


def sample_chunks(label: str, text: str, index: int) -> bytes:
    """The chunks of one exported image: label, text, index."""
    # Digits and separators: short ASCII, so three plain tEXt chunks, made in one join.
    if text.isascii() and label.isascii() and max(len(text), len(label)) <= _COMPRESS_OVER:
        return b"".join(
            (
                _chunk(b"tEXt", b"label\0" + label.encode()),
                _chunk(b"tEXt", b"text\0" + text.encode()),
                _chunk(b"tEXt", b"index\0%d" % index),
            )
        )
    return text_chunk("label", label) + text_chunk("text", text) + text_chunk("index", str(int(index)))


@dataclass(frozen=True)
class ImageInfo:
    """What a DigitSeq PNG says about itself."""

    label: str
    text: str
    seed: int | None
    settings: dict = field(default_factory=dict)
    index: int | None = None
    software: str = ""
    part: str = ""
    writer: int | None = None  # None: the file does not say
    writers: tuple[int, ...] | None = None


def read_image_info(path: str | Path) -> ImageInfo:
    """The label, text, seed and settings a DigitSeq PNG carries. A missing file is
    FileNotFoundError; a file that is not a PNG, or a PNG DigitSeq did not write, is
    InvalidInputError saying so."""
    from PIL import Image, UnidentifiedImageError

    path = Path(path).expanduser()
    if not path.is_file():
        if not path.exists():
            raise FileNotFoundError(f"{path} does not exist")
        raise InvalidInputError(f"{path} is not a file; give a PNG written by DigitSeq")
    chunks: dict[str, str]  # Pillow's PNG text chunks
    try:
        with Image.open(path) as image:
            kind, chunks = image.format, dict(getattr(image, "text", {}) or {})
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InvalidInputError(f"{path} is not a PNG image (nor any image Pillow can read)") from None
    if kind != "PNG":
        raise InvalidInputError(
            f"{path} is a {kind} image, not a PNG; only DigitSeq's PNGs carry their label and seed"
        )
    software = chunks.get("Software", "")
    if not software.startswith(SOFTWARE_PREFIX) or "label" not in chunks:
        raise InvalidInputError(
            f"{path} is a PNG but not one written by DigitSeq (it has no DigitSeq text chunks)"
        )
    try:
        seed = int(chunks["seed"]) if "seed" in chunks else None
        index = int(chunks["index"]) if "index" in chunks else None
        settings = json.loads(chunks["settings"]) if "settings" in chunks else {}
        writer = int(chunks["writer"]) if "writer" in chunks else None
        writers = tuple(int(w) for w in chunks["writers"].split(",")) if "writers" in chunks else None
    except ValueError:
        raise InvalidInputError(
            f"{path}: its DigitSeq text chunks are damaged (seed, index, settings or writers unreadable)"
        ) from None
    return ImageInfo(
        chunks["label"],
        chunks.get("text", chunks["label"]),
        seed,
        settings,
        index,
        software,
        chunks.get("part", ""),
        writer,
        writers,
    )
