"""The configurations whose output bytes are pinned, and how their hashes are computed.

``python tests/golden/golden_cases.py`` prints the hashes of the running stack as JSON; the
golden test compares them with ``hashes.json``. Refresh that file only for an intended change
of output, and say why in the commit.
"""

from __future__ import annotations

import hashlib
import json
import sys

import numpy as np

SEED = 20261130
SEQUENCES = {"variable": ["0123", "9876543210", "5", "4444"], "fixed": ["0123", "9876", "5555", "4040"]}
# Fixed spacing fills the width exactly: 4 digits (112 px) and 3 (between) or 5 (edge) gaps of
# 2-8 px; these widths leave a remainder, so gaps differ by one pixel.
WIDTHS = {
    ("variable", "between"): 200,
    ("variable", "edge"): 200,
    ("fixed", "between"): 131,
    ("fixed", "edge"): 143,
}


def configurations() -> dict[str, dict]:
    """name -> config document: the seed's eight (transform x type x subtype), plus trim padding,
    height, fit and negative spacing, and every augmentation alone at its default strength."""
    from digitseq_gui.engine.augment import AUGMENTATIONS

    cases = {}
    for transform in (False, True):
        for spacing_type in ("variable", "fixed"):
            for subtype in ("between", "edge"):
                name = f"{'transform' if transform else 'plain'}-{spacing_type}-{subtype}"
                cases[name] = {
                    "image": {"transform": transform, "width": WIDTHS[spacing_type, subtype]},
                    "spacing": {"type": spacing_type, "subtype": subtype, "min": 2, "max": 8},
                }
    cases["plain-variable-trimmed"] = {"image": {"trim_padding": True}, "spacing": {"min": 0, "max": 4}}
    # image.height, image.fit and negative spacing (issue 11): plain, so the same on every stack.
    cases["plain-stretch-height32"] = {"image": {"height": 32}}
    cases["plain-keep-aspect-height64"] = {"image": {"height": 64, "fit": "keep-aspect", "width": 300}}
    cases["plain-keep-aspect-fixed-height20"] = {
        "image": {"height": 20, "fit": "keep-aspect", "width": 150},
        "spacing": {"type": "fixed", "min": 2, "max": 8},
    }
    cases["plain-overlap-trimmed"] = {"image": {"trim_padding": True}, "spacing": {"min": -6, "max": -2}}
    cases["plain-overlap-fixed-keep-aspect-height32"] = {
        "image": {"height": 32, "fit": "keep-aspect"},
        "spacing": {"type": "fixed", "min": -8, "max": 0},
    }
    for spec in AUGMENTATIONS:
        augmentations = {
            other.name: {"enabled": other.name == spec.name, "strength": other.default}
            for other in AUGMENTATIONS
        }
        cases[f"only-{spec.name}"] = {"image": {"transform": True, "augmentations": augmentations}}
    return cases


def finished_configurations() -> dict[str, dict]:
    """name -> config document of the finishing stage (issue 18): colour, each ink, each paper and
    the capture effects that are plain arithmetic or exact table look-ups, on the plain default
    digits, so the same bytes on every stack. (JPEG, perspective, defocus, motion blur, sensor
    noise, folder backgrounds and printed marks go through OpenCV's filters and codecs, whose
    rounding may change between versions; the reproducibility tests hold them.)"""
    cases = {
        "finish-rgb": {"image": {"color": "rgb"}},
        "finish-ink-blue-pressure": {"image": {"color": "rgb"}, "ink": {"color": "blue", "pressure": 0.4}},
        "finish-ink-list-darkness": {
            "image": {"color": "rgb"},
            "ink": {"color": ["pencil", "#7a1f1f"], "darkness": 0.7},
        },
        "finish-paper-tinted-grey": {"paper": {"background": "tinted"}},
        "finish-paper-grain-ruled": {
            "image": {"color": "rgb"},
            "paper": {"background": "grain", "lines": "ruled"},
        },
        "finish-paper-cheque": {"image": {"color": "rgb"}, "paper": {"background": "cheque"}},
        "finish-paper-grid": {"image": {"color": "rgb"}, "paper": {"lines": "grid"}},
        "finish-paper-boxes": {
            "image": {"color": "rgb"},
            "ink": {"color": "blue"},
            "paper": {"lines": "boxes"},
        },
    }
    numpy_effects = ("shadow", "brightness", "contrast", "gamma")  # arithmetic and exact look-ups
    cases["finish-capture-numpy-effects"] = {
        "image": {"color": "rgb"},
        "paper": {"background": "grain"},
        "capture": {
            "enabled": True,
            "effects": {
                name: {"enabled": name in numpy_effects}
                for name in (
                    "perspective",
                    "shadow",
                    "defocus",
                    "motion",
                    "brightness",
                    "contrast",
                    "gamma",
                    "noise",
                    "jpeg",
                )
            },
        },
    }
    return cases


def finished_outputs(name: str, document: dict) -> dict[str, np.ndarray]:
    """What engine.compose gives for one finishing configuration: images and boxes."""
    from digitseq_gui import DigitSequence
    from digitseq_gui.engine.compose import compose
    from digitseq_gui.engine.config import Config

    composed = compose(DigitSequence(Config.from_dict(document)), SEQUENCES["variable"], SEED, 0)
    return {"images": composed.images, "boxes": np.concatenate(composed.boxes)}


def is_augmented(name: str) -> bool:
    return name.startswith(("transform-", "only-"))


def digest(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()[:16]


def case_outputs(name: str, document: dict) -> dict[str, np.ndarray]:
    """What one configuration gives: a batch as uint8 with its boxes and source rows, and one
    float32 call (``single``)."""
    from digitseq_gui import DigitSequence
    from digitseq_gui.engine.config import Config

    generator = DigitSequence(Config.from_dict(document))
    sequences = SEQUENCES[document.get("spacing", {}).get("type", "variable")]
    batch = generator.generate_batch(sequences, seed=SEED, as_uint8=True)
    single = generator.generate(sequences[0], seed=SEED)
    return {
        "batch": batch.images,
        "boxes": np.concatenate(batch.boxes),
        "sources": np.concatenate(batch.source_indices),
        "single": single.image,
    }


def hashes_of(outputs: dict[str, np.ndarray]) -> dict[str, str]:
    return {key: digest(array) for key, array in outputs.items()}


def case_hashes(name: str, document: dict) -> dict[str, str]:
    """Hashes of one configuration's outputs (``case_outputs``)."""
    return hashes_of(case_outputs(name, document))


def all_hashes() -> dict[str, dict[str, str]]:
    return {name: case_hashes(name, document) for name, document in configurations().items()}


if __name__ == "__main__":
    json.dump(all_hashes(), sys.stdout, indent=1, sort_keys=True)
    print()
