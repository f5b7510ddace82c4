"""Make the figures of docs/paper.md: the same four numbers, same seed, before and after each
paper, ink and capture setting, and four values of each realistic preset (python
tools/paper_figures.py; writes docs/images/paper-*.png and docs/images/preset-*.png)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from digitseq_gui import DigitSequence
from digitseq_gui.engine.compose import compose
from digitseq_gui.engine.config import Config
from digitseq_gui.engine.finish_config import realistic_combination
from digitseq_gui.engine.presets import REALISTIC_PRESETS, preset_config, preset_texts

TEXTS = ["0123", "90210", "4815162342"]
SETTINGS = {
    "plain": {},
    "ink-blue": {"image": {"color": "rgb"}, "ink": {"color": "blue", "pressure": 0.4}},
    "ink-pencil": {"image": {"color": "rgb"}, "ink": {"color": "pencil", "darkness": 0.8}},
    "tinted": {"image": {"color": "rgb"}, "paper": {"background": "tinted"}},
    "grain": {"image": {"color": "rgb"}, "paper": {"background": "grain"}},
    "ruled": {"image": {"color": "rgb"}, "ink": {"color": "blue"}, "paper": {"lines": "ruled"}},
    "grid": {"image": {"color": "rgb"}, "paper": {"lines": "grid"}},
    "boxes": {"image": {"color": "rgb"}, "ink": {"color": "blue"}, "paper": {"lines": "boxes"}},
    "cheque": {
        "image": {"color": "rgb"},
        "ink": {"color": "#303030", "darkness": 0.85},
        "paper": {"background": "cheque", "lines": "ruled", "printed": True},
    },
    "capture": {"image": {"color": "rgb"}, "capture": {"enabled": True}},
    "realistic": realistic_combination(),
}


def save_sheet(images: np.ndarray, path: Path) -> None:
    """The images one above the other, 3 px apart, at twice their size."""
    images = images if images.ndim == 4 else np.repeat(images[..., None], 3, -1)
    gap = np.full((3, images.shape[2], 3), 255, np.uint8)
    sheet = np.concatenate([part for image in images for part in (image, gap)][:-1])
    Image.fromarray(sheet).resize((sheet.shape[1] * 2, sheet.shape[0] * 2), Image.NEAREST).save(
        path, optimize=True
    )


def main() -> None:
    folder = Path(__file__).resolve().parent.parent / "docs" / "images"
    for name, document in SETTINGS.items():
        composed = compose(DigitSequence(Config.from_dict(document)), TEXTS, 7, separator_width=0)
        save_sheet(composed.images, folder / f"paper-{name}.png")
    for name in REALISTIC_PRESETS:  # the preset's first four values for seed 2 (three printed marks)
        texts = preset_texts(name, 4, 2)
        composed = compose(DigitSequence(preset_config(name)), texts, 2, 10, uniform_separators=False)
        save_sheet(composed.images, folder / f"preset-{name}.png")


if __name__ == "__main__":
    main()
