"""The configurations whose output bytes are pinned, and how their hashes are computed.

``python tests/golden/golden_cases.py`` prints the hashes of the running stack as JSON; the
golden test compares them with ``hashes.json``. Refresh that file only for an intended change
of output, and say why in the commit.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

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
    rounding may change between versions: finished_opencv_configurations, pinned per version.)"""
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


def opencv_key() -> str:
    """The OpenCV version the augmented and finishing pins are kept under: "opencv MAJOR.MINOR"."""
    from digitseq_gui.engine.imgaug_compat import cv2

    major, minor = cv2().__version__.split(".")[:2]
    return f"opencv {major}.{minor}"


BACKGROUNDS_FOLDER = Path(__file__).parent / "backgrounds"  # made by make_backgrounds.py
CAPTURE_EFFECT_NAMES = ("perspective", "shadow", "defocus", "motion", "brightness", "contrast", "gamma")
CAPTURE_EFFECT_NAMES += ("noise", "jpeg")
REALISTIC_PRESETS = ("amount-cheque", "zip-boxes", "date-form", "meter-photo")
PRESET_CASE = "preset-"  # a case named preset-NAME is the realistic preset NAME's config and texts


def only_capture(effect: str) -> dict:
    """The capture section with ``effect`` alone on, at its default strength."""
    return {"enabled": True, "effects": {name: {"enabled": name == effect} for name in CAPTURE_EFFECT_NAMES}}


def finished_opencv_configurations() -> dict[str, dict]:
    """name -> config document of the finishing stage's cases that go through OpenCV's filters,
    warps and codecs (JPEG, perspective, defocus, motion blur, sensor noise, printed marks, a
    folder background's resize), so pinned per OpenCV version like the augmented cases: each
    alone at its default strength, the default realistic combination, and the four realistic
    presets (their documents are preset_config's, filled in here)."""
    from digitseq_gui.engine.finish_config import realistic_combination
    from digitseq_gui.engine.presets import preset_config

    rgb = {"color": "rgb"}
    cases = {f"finish-capture-{e}": {"image": rgb, "capture": only_capture(e)} for e in CAPTURE_EFFECT_NAMES}
    for numpy_effect in ("shadow", "brightness", "contrast", "gamma"):  # pinned in finished_configurations
        del cases[f"finish-capture-{numpy_effect}"]
    cases["finish-capture-jpeg-grey"] = {"capture": only_capture("jpeg")}
    # Wider than the digits need, so that most numbers leave room for a mark beside them.
    cases["finish-paper-printed"] = {"image": {**rgb, "width": 280}, "paper": {"printed": True}}
    cases["finish-paper-folder"] = {"image": rgb, "paper": {"background": str(BACKGROUNDS_FOLDER)}}
    cases["finish-realistic-defaults"] = realistic_combination()  # issue 18 item 8's combination
    for preset in REALISTIC_PRESETS:
        cases[PRESET_CASE + preset] = preset_config(preset).to_dict()
    return cases


def finished_outputs(name: str, document: dict) -> dict[str, np.ndarray]:
    """What engine.compose gives for one finishing configuration: images and boxes, and the
    printed marks (as a unicode array) with the boxes per image where paper.printed is on. A preset case composes four of
    its preset's texts; the others SEQUENCES["variable"]."""
    from digitseq_gui import DigitSequence
    from digitseq_gui.engine.compose import compose
    from digitseq_gui.engine.config import Config
    from digitseq_gui.engine.presets import preset_texts

    texts = preset_texts(name[len(PRESET_CASE) :], 4, SEED) if name.startswith(PRESET_CASE) else None
    composed = compose(DigitSequence(Config.from_dict(document)), texts or SEQUENCES["variable"], SEED, 0)
    outputs = {"images": composed.images, "boxes": np.concatenate(composed.boxes)}
    if document.get("paper", {}).get("printed"):
        outputs["printed"] = np.array(composed.printed, dtype="U8")
        # Boxes per image: where each image's digits end, so the tolerance can find its mark's columns.
        outputs["box_counts"] = np.array([len(b) for b in composed.boxes], dtype=np.int32)
    return outputs


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
