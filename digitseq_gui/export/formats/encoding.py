"""Encoding images for the formats that store image files (png, jsonl, lmdb, webdataset).

``--compression`` chooses the deflate effort, the ceiling of every compressed export:
``default`` is what the engine's encoder does (OpenCV, level 3 with the run-length strategy:
mostly white strips come out small and fast), ``fast`` level 1 with the same strategy, ``none``
stored (level 0). JPEG goes through the engine's encoder and ignores it.
"""

from __future__ import annotations

import numpy as np

from ...engine.imagefile import to_bgr
from ...engine.imageinfo import sample_chunks, with_text

PNG_LEVELS = {"fast": 1, "default": 3, "none": 0}


def encode_image(image: np.ndarray, image_format: str, compression: str, info: bytes = b"") -> bytes:
    """``info``: PNG text chunks (engine/imageinfo.py) spliced in after IHDR; a JPEG has none."""
    if image_format != "png":
        from ...engine.imagefile import encode

        return encode(image, image_format)
    from ...engine.imgaug_compat import cv2

    cv = cv2()
    ok, data = cv.imencode(
        ".png",
        to_bgr(image),
        [
            cv.IMWRITE_PNG_COMPRESSION,
            PNG_LEVELS[compression],
            cv.IMWRITE_PNG_STRATEGY,
            cv.IMWRITE_PNG_STRATEGY_RLE,
        ],
    )
    if not ok:
        raise OSError("could not encode the image as png")
    return with_text(data.tobytes(), info) if info else data.tobytes()


def image_info(ctx, rendered, i: int) -> bytes:
    """The text chunks of image ``i`` of a chunk: the part's shared ones, then label, text, index."""
    if not ctx.png_info or ctx.image_format != "png":
        return b""
    return ctx.png_info + sample_chunks(rendered.labels[i], rendered.texts[i], rendered.start + i)
