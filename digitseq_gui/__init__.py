"""DigitSeq: images of digit sequences made of real handwritten MNIST digits.

>>> from digitseq_gui import generate_numbers_sequence
>>> image = generate_numbers_sequence([0, 1, 2, 3], (2, 8), 200)   # (28, 200) float32
"""

from __future__ import annotations

__version__ = "0.1.0"

from .dataset import SequenceDataset, SequenceStream, collate_ctc
from .engine.config import Config, load_config, save_config
from .engine.data.dataset import DigitDataset, load_dataset
from .engine.errors import (
    ConfigError,
    DatasetError,
    DigitSeqError,
    InputTypeError,
    InvalidInputError,
    LayoutError,
)
from .engine.generator import BLOCK_SIZE, DigitSequence, SequenceBatch, SequenceImage
from .engine.imageinfo import ImageInfo, read_image_info

_default_generator: DigitSequence | None = None


def default_generator() -> DigitSequence:
    """The generator behind the module-level function: created on first use, on embedded MNIST."""
    global _default_generator
    if _default_generator is None:
        _default_generator = DigitSequence()
    return _default_generator


def generate_numbers_sequence(digits, spacing_range, image_width):
    """The image of ``digits`` with gaps drawn from ``spacing_range``, ``image_width`` wide.

    A (28, image_width) float32 array, 1.0 white background, 0.0 black ink. ``digits`` may be a
    list, tuple, numpy array or a string such as "0123".
    """
    return default_generator().generate_numbers_sequence(digits, spacing_range, image_width)


__all__ = [
    "BLOCK_SIZE",
    "Config",
    "ConfigError",
    "DatasetError",
    "DigitDataset",
    "DigitSeqError",
    "DigitSequence",
    "ImageInfo",
    "InputTypeError",
    "InvalidInputError",
    "LayoutError",
    "SequenceBatch",
    "SequenceDataset",
    "SequenceImage",
    "SequenceStream",
    "__version__",
    "collate_ctc",
    "default_generator",
    "generate_numbers_sequence",
    "load_config",
    "load_dataset",
    "read_image_info",
    "save_config",
]
