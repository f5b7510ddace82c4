"""The finishing stage's settings: ``image.color``, ``ink``, ``paper`` and ``capture``.

Every default is today's image (grey, black ink at full darkness, white paper, no capture), and a
configuration at its defaults saves without these sections, so every existing configuration keeps
its bytes, PNG text chunks and manifests included.

    {"image": {"color": "rgb"},
     "ink": {"color": ["black", "blue"], "darkness": 0.9, "pressure": 0.2},
     "paper": {"background": "grain", "lines": "ruled", "printed": false},
     "capture": {"enabled": true, "effects": {"motion": {"enabled": true, "strength": 2}}}}
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .capture import CAPTURE_BY_NAME, CAPTURE_EFFECTS
from .errors import ConfigError, DigitSeqError
from .ink import MAX_PRESSURE, parse_ink_colour
from .paper import BACKGROUNDS, LINES, check_background_folder

COLORS = ("gray", "rgb")
MIN_DARKNESS = 0.3  # paler ink than this is no longer a fair picture of the label


def realistic_combination() -> dict:
    """The default realistic combination (docs/paper.md): RGB, black or blue ballpoint with a
    little pressure, grain paper with a ruled line, capture at its defaults. The one definition
    that the legibility test holds to 95%, the golden test pins and bench_paper.py measures; a
    fresh document each call, so a caller may add to it."""
    return {
        "image": {"color": "rgb"},
        "ink": {"color": ["black", "blue"], "pressure": 0.2},
        "paper": {"background": "grain", "lines": "ruled"},
        "capture": {"enabled": True},
    }


@dataclass
class InkConfig:
    color: str | list[str] = "black"  # a list: each image picks one at random
    darkness: float = 1.0
    pressure: float = 0.0  # how much the darkness may fall along the sequence (0: not at all)

    @property
    def colours(self) -> tuple[str, ...]:
        return (self.color,) if isinstance(self.color, str) else tuple(self.color)


@dataclass
class PaperConfig:
    background: str = "white"  # one of paper.BACKGROUNDS or a folder of images
    lines: str = "none"
    printed: bool = False  # a printed mark beside the number, never in the label


@dataclass
class CaptureEffect:
    enabled: bool
    strength: float


def default_capture_effects() -> dict[str, CaptureEffect]:
    return {spec.name: CaptureEffect(spec.classic, spec.default) for spec in CAPTURE_EFFECTS}


@dataclass
class CaptureConfig:
    enabled: bool = False
    effects: dict[str, CaptureEffect] = field(default_factory=default_capture_effects)

    def enabled_effects(self) -> dict[str, float]:
        """name -> strength of what is applied (nothing when capture is off)."""
        if not self.enabled:
            return {}
        return {n: e.strength for n, e in self.effects.items() if e.enabled and e.strength > 0}


def parse_ink(document: object) -> InkConfig:
    from .config import _mapping, _no_unknown_keys, _number

    ink = _mapping(document, "ink")
    _no_unknown_keys(ink, "ink.", ("color", "darkness", "pressure"))
    color = ink.get("color", "black")
    if isinstance(color, list) and color:
        for i, c in enumerate(color):
            _ink_colour(c, f"ink.color[{i}]")
    elif isinstance(color, str):
        _ink_colour(color, "ink.color")
    else:
        raise ConfigError(
            f"ink.color must be a colour name, #RRGGBB or a non-empty list of them, got {color!r}"
        )
    return InkConfig(
        list(color) if isinstance(color, list) else color,
        _number(ink, "darkness", "ink.darkness", 1.0, MIN_DARKNESS, 1.0),
        _number(ink, "pressure", "ink.pressure", 0.0, 0.0, MAX_PRESSURE),
    )


def _ink_colour(value: object, where: str) -> None:
    try:
        parse_ink_colour(value, where)
    except DigitSeqError as exc:
        raise ConfigError(str(exc)) from None


def parse_paper(document: object) -> PaperConfig:
    from .config import _bool, _choice, _mapping, _no_unknown_keys, _str

    paper = _mapping(document, "paper")
    _no_unknown_keys(paper, "paper.", ("background", "lines", "printed"))
    background = _str(paper, "background", "paper.background", "white")
    if background not in BACKGROUNDS:
        try:
            check_background_folder(background)
        except DigitSeqError as exc:
            raise ConfigError(str(exc)) from None
    return PaperConfig(
        background,
        _choice(paper, "lines", "paper.lines", "none", LINES),
        _bool(paper, "printed", "paper.printed", False),
    )


def parse_capture(document: object) -> CaptureConfig:
    from .config import _bool, _mapping, _no_unknown_keys, _strengths

    capture = _mapping(document, "capture")
    _no_unknown_keys(capture, "capture.", ("enabled", "effects"))
    effects = _strengths(
        capture.get("effects", {}), "capture.effects", CAPTURE_BY_NAME, CaptureEffect, "capture effect"
    )
    return CaptureConfig(_bool(capture, "enabled", "capture.enabled", False), effects)


def default_sections() -> dict:
    """The ink, paper and capture sections at their defaults, as config documents."""
    return {
        "ink": dict(InkConfig().__dict__),
        "paper": dict(PaperConfig().__dict__),
        "capture": {
            "enabled": False,
            "effects": {n: dict(e.__dict__) for n, e in default_capture_effects().items()},
        },
    }


def without_defaults(document: dict) -> dict:
    """A config document without the finishing sections that are at their defaults (so that a
    configuration that uses none of them saves, and is recorded, exactly as before)."""
    if document["image"].get("color") == "gray":
        del document["image"]["color"]
    for section, default in default_sections().items():
        if document.get(section) == default:
            del document[section]
    return document
