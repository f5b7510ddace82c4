"""Saving the image on screen: the file types offered and how a chosen name becomes a file."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..engine.imagefile import write_array, write_image

PNG_FILTER = "PNG image (*.png)"
JPEG_FILTER = "JPEG image (*.jpg *.jpeg)"
NPY_FILTER = "NumPy array, float32 (*.npy)"
FILTERS = ";;".join((PNG_FILTER, JPEG_FILTER, NPY_FILTER))
_SUFFIX_BY_FILTER = {PNG_FILTER: ".png", JPEG_FILTER: ".jpg", NPY_FILTER: ".npy"}
KNOWN_SUFFIXES = (".png", ".jpg", ".jpeg", ".npy")


def suggested_name(label: str) -> str:
    return f"seq_{label}.png"


def resolve_path(path: str, selected_filter: str) -> Path:
    """The path to write: the name's own extension if it has a known one, else the filter's."""
    chosen = Path(path)
    if chosen.suffix.lower() in KNOWN_SUFFIXES:
        return chosen
    return chosen.with_name(chosen.name + _SUFFIX_BY_FILTER.get(selected_filter, ".png"))


def save_image(image: np.ndarray, path: Path, info: dict[str, str] | None = None) -> Path:
    """Write ``image`` to ``path`` (type from the extension), atomically; a PNG carries ``info``
    (label, text, seed, settings: engine/imageinfo.py) in its text chunks.

    Overwriting is allowed: the save-as dialog has already asked the user about it.
    """
    if path.suffix.lower() == ".npy":
        return write_array(image, path, overwrite=True)
    return write_image(image, path, overwrite=True, info=info)


def image_info(result) -> dict[str, str]:
    """The text chunks of the first sample of a PreviewResult: its label, text, seed, settings and
    writers (as ``digitseq generate`` records them)."""
    from ..engine.generator import DigitSequence
    from ..engine.imageinfo import metadata

    sequence = result.sequence
    text = result.samples[0].text if result.start == 0 and result.samples else sequence.label
    writers = DigitSequence.writers_of(sequence)
    return metadata(sequence.label, sequence.seed, result.request.config.to_dict(), text, writers=writers)
