"""DigitSeq: images of digit sequences made of real handwritten MNIST digits.

>>> from digitseq_gui import generate_numbers_sequence
>>> image = generate_numbers_sequence([0, 1, 2, 3], (2, 8), 200)   # (28, 200) float32

The public names load on first use (PEP 562): a worker process that imports
``digitseq_gui.engine.seeding`` runs this file first, and should not pay for the data set, torch
support and the generator it does not use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .version import __version__

# name -> the module that defines it (relative to this package)
_LAZY = {
    "SequenceDataset": ".dataset",
    "SequenceStream": ".dataset",
    "collate_ctc": ".dataset",
    "Config": ".engine.config",
    "load_config": ".engine.config",
    "save_config": ".engine.config",
    "DigitDataset": ".engine.data.dataset",
    "load_dataset": ".engine.data.dataset",
    "ConfigError": ".engine.errors",
    "DatasetError": ".engine.errors",
    "DigitSeqError": ".engine.errors",
    "InputTypeError": ".engine.errors",
    "InvalidInputError": ".engine.errors",
    "LayoutError": ".engine.errors",
    "BLOCK_SIZE": ".engine.generator",
    "DigitSequence": ".engine.generator",
    "SequenceBatch": ".engine.generator",
    "SequenceImage": ".engine.generator",
    "ImageInfo": ".engine.imageinfo",
    "read_image_info": ".engine.imageinfo",
}

if TYPE_CHECKING:  # what type checkers and editors see; at run time __getattr__ loads these
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


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later lookups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


_default_generator: DigitSequence | None = None


def default_generator() -> DigitSequence:
    """The generator behind the module-level function: created on first use, on embedded MNIST."""
    global _default_generator
    if _default_generator is None:
        from .engine.generator import DigitSequence

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
