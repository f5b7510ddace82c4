"""Encoding images for the formats that store image files (png, jsonl, lmdb, webdataset).

``--compression`` chooses the deflate effort, the ceiling of every compressed export:
``default`` is the engine's encoder (OpenCV, level 3 with the run-length strategy: mostly white
strips come out small and fast), ``fast`` level 1 with the same strategy, ``none`` stored
(level 0). JPEG ignores it.
"""
from __future__ import annotations

import numpy as np

PNG_LEVELS = {"fast": 1, "default": 3, "none": 0}


def encode_image(image: np.ndarray, image_format: str, compression: str) -> bytes:
    from ...engine.imagefile import encode
    from ...engine.imgaug_compat import cv2

    if image_format not in ("png",) or compression == "default":
        return encode(image, image_format)
    cv = cv2()
    ok, data = cv.imencode(".png", image, [cv.IMWRITE_PNG_COMPRESSION, PNG_LEVELS[compression],
                                           cv.IMWRITE_PNG_STRATEGY, cv.IMWRITE_PNG_STRATEGY_RLE])
    if not ok:
        raise OSError("could not encode the image as png")
    return data.tobytes()
