"""Engine and export messages in the window's language.

The engine names settings as the API and the config file do ("image_width", "spacing.min") and
the export module gives command-line advice ("pass --overwrite"). The window shows the labels a
person sees on screen instead, and the check boxes to tick instead of flags. ``where(field,
message)`` says which control an error belongs to, so it can be shown right beside it.
"""

from __future__ import annotations

import re

from ..engine.augment import AUGMENTATIONS

# Where an error is shown: the engine's ``field`` -> a place in the settings panel.
PLACE_OF_FIELD = {
    "digits": "sequence",
    "pattern": "sequence",
    "length": "sequence",
    "separator_width": "separator",
    "image_width": "width",
    "spacing": "spacing_type",
    "spacing_range": "gap_range",
    "dataset": "dataset",
    "writer": "writer",
    "seed": "seed",
    "paper.background": "paper",
}
# ConfigError has field "config"; the key it names decides the place.
PLACE_OF_CONFIG_KEY = (
    ("spacing.min", "gap_range"),
    ("spacing.max", "gap_range"),
    ("spacing.type", "spacing_type"),
    ("spacing.subtype", "spacing_type"),
    ("image.width", "width"),
    ("image.height", "width"),
    ("image.fit", "width"),
    ("image.augmentations", "augmentation"),
    ("image.transform", "augmentation"),
    ("dataset", "dataset"),
    ("paper.", "paper"),
    ("ink.", "paper"),
    ("capture.", "paper"),
)

REPLACE_LABEL = "“Replace an existing export”"
RESUME_LABEL = "“Finish an interrupted export”"

_AUGMENTATION_LABELS = {spec.name: spec.label for spec in AUGMENTATIONS}

# (pattern, replacement), applied in order; the longer phrases first.
_REWRITES: tuple[tuple[str, object], ...] = (
    (r"spacing\.min/spacing\.max:\s*", ""),
    (r"\bimage_width\s*>=\s*(\d+)", r"an Image width of at least \1 px"),
    (r"\bimage_width\b|\bimage\.width\b", "Image width"),
    (r"\bimage\.height\b", "Image height"),
    (r"\bimage\.fit\b", "Proportions"),
    (r"\bspacing\.min\b|\bminimum spacing\b", "Minimum gap"),
    (r"\bspacing\.max\b|\bmaximum spacing\b", "Maximum gap"),
    (r"\b(Minimum gap|Maximum gap) (\d+)\b(?! ?px)", r"\1 (\2 px)"),
    (r"\bspacing_range\b", "the gap range (Minimum gap to Maximum gap)"),
    (r"\bthe spacing range\b", "the gap range"),
    (r"\bspacing\.subtype\b", "Gaps"),
    (r"use subtype 'between'", "choose Gaps: “Between digits”"),
    (r"fixed spacing with edge margins", "fixed spacing with gaps at both ends"),
    (r"\bspacing\.type\b", "Spacing type"),
    (r"\bimage\.transform\b", "Augment the digits"),
    (r"\bimage\.trim_padding\b|\btrim padding\b", "Trim blank columns"),
    (r"\bimage\.augmentations\.(\w+)(\.\w+)?", lambda m: _AUGMENTATION_LABELS.get(m.group(1), m.group(1))),
    (r"\bdataset\.source\b", "Data set source"),
    (r"\bdataset\.split\b", "Data set part"),
    (r"\bseparator_width\b|\bseparator width\b", "Separator gap"),
    (r"^pattern (['\"])", r"Sequence \1"),
    (r"\bgive patterns with --pattern\b", "patterns work here too"),
    (
        r"repeat the original command with --resume, or pass --overwrite to start again",
        f"finish it with its original settings, or tick {REPLACE_LABEL} to start again",
    ),
    (r"\bpass --overwrite to replace it\b", f"tick {REPLACE_LABEL} to replace it"),
    (r"\bor --resume to finish an interrupted export\b", f"or {RESUME_LABEL} to finish it"),
    (r"\bfinish it with --resume\b", f"finish it with {RESUME_LABEL}"),
    (r"--overwrite replaces only", f"{REPLACE_LABEL} replaces only"),
    (r"\buse --overwrite\b", f"tick {REPLACE_LABEL}"),
    (r"--overwrite\b", REPLACE_LABEL),
    (r"--resume\b", RESUME_LABEL),
    (r"--workers\b", "Worker processes"),
    (r"--count\b", "Images"),
    (r"--split\b", "Splits"),
    (r"--separator-width\b", "Separator gap"),
    (r"\bthe number of workers\b|\bworkers must\b", "Worker processes must"),
)


def window_error(exc: BaseException) -> str:
    """An error as the window shows it: its message, with an export folder error's advice
    (export/errors.ADVICE), in the window's words."""
    from ..export import with_advice

    return window_message(with_advice(exc))


def window_message(message: str) -> str:
    """``message`` with internal names and command-line flags replaced by what the window shows."""
    text = str(message).strip()
    for pattern, replacement in _REWRITES:
        text = re.sub(pattern, replacement, text)
    return text[:1].upper() + text[1:]


def place_of(field: str, message: str) -> str:
    """Where to show an error: a place name of the settings panel, or "" (only the banner)."""
    if field == "config" or not field:
        for key, place in PLACE_OF_CONFIG_KEY:
            if key in message:
                return place
        return ""
    return PLACE_OF_FIELD.get(field, "")
