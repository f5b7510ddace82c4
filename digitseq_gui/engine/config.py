"""The configuration: what to generate and how, as dataclasses with JSON load, validate, save.

The seed's files load unchanged::

    {"image": {"transform": false}, "spacing": {"type": "variable", "subtype": "between"},
     "output_format": "png"}

New options extend that schema, each with a default: ``image.width``, ``image.height`` (16-128,
default 28), ``image.fit`` ("stretch", the default, or "keep-aspect"), ``image.trim_padding``,
``image.augmentations`` (name -> {"enabled", "strength"}), ``spacing.min``/``spacing.max`` (down
to -8: touching digits) and
``dataset`` ({"source", "split"}), ``sampling.writer`` ("any", the default, or "same") and
``separators.style`` ("gap", the default, or "drawn": engine/symbols.py). ``sampling`` and
``separators`` are left out of ``to_dict`` while they hold their defaults. Unknown keys, wrong types
and bad values raise ConfigError
naming the key.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .augment import AUGMENTATIONS, AUGMENTATIONS_BY_NAME
from .durable import atomic_write_bytes
from .errors import ConfigError, DigitSeqError, InputTypeError
from .files import read_regular_file
from .finish_config import (
    COLORS,
    CaptureConfig,
    InkConfig,
    PaperConfig,
    parse_capture,
    parse_ink,
    parse_paper,
)
from .finish_config import without_defaults as _without_finishing_defaults
from .layout import MAX_IMAGE_WIDTH, SPACING_SUBTYPES, SPACING_TYPES, check_spacing_range, is_int
from .scaling import DEFAULT_HEIGHT, FITS, MAX_HEIGHT, MIN_HEIGHT
from .symbols import SEPARATOR_STYLES

OUTPUT_FORMATS = ("png", "jpeg", "jpg")
# A config is a few hundred bytes; anything much larger is the wrong file (or a hostile one).
MAX_CONFIG_BYTES = 1 << 20


@dataclass
class Augmentation:
    enabled: bool
    strength: float


def default_augmentations() -> dict[str, Augmentation]:
    return {spec.name: Augmentation(spec.classic, spec.default) for spec in AUGMENTATIONS}


@dataclass
class ImageConfig:
    transform: bool = False
    width: int = 200
    height: int = DEFAULT_HEIGHT
    fit: str = "stretch"
    trim_padding: bool = False
    augmentations: dict[str, Augmentation] = field(default_factory=default_augmentations)
    color: str = "gray"  # or "rgb": (H, W, 3) images (finish.py)

    def enabled_augmentations(self) -> dict[str, float]:
        """name -> strength of what the transform step applies (nothing when transform is off)."""
        if not self.transform:
            return {}
        return {n: a.strength for n, a in self.augmentations.items() if a.enabled and a.strength > 0}


@dataclass
class SpacingConfig:
    type: str = "variable"
    subtype: str = "between"
    min: int = 2
    max: int = 8


@dataclass
class DatasetConfig:
    source: str = "mnist"
    split: str = "train"


WRITER_MODES = ("any", "same")


@dataclass
class SamplingConfig:
    """How digits are drawn. ``writer``: ``any`` (each digit by any writer: the default) or
    ``same`` (all digits of a sequence by one writer; docs/writers.md)."""

    writer: str = "any"


@dataclass
class SeparatorsConfig:
    style: str = "gap"  # "gap": blank gaps left out of the label; "drawn": symbols.py


@dataclass
class Config:
    image: ImageConfig = field(default_factory=ImageConfig)
    spacing: SpacingConfig = field(default_factory=SpacingConfig)
    output_format: str = "png"
    dataset: DatasetConfig = field(default_factory=DatasetConfig)
    sampling: SamplingConfig = field(default_factory=SamplingConfig)
    separators: SeparatorsConfig = field(default_factory=SeparatorsConfig)
    # The finishing stage (finish.py): ink over paper, then capture effects. Off by default.
    ink: InkConfig = field(default_factory=InkConfig)
    paper: PaperConfig = field(default_factory=PaperConfig)
    capture: CaptureConfig = field(default_factory=CaptureConfig)

    @property
    def spacing_range(self) -> tuple[int, int]:
        return self.spacing.min, self.spacing.max

    def to_dict(self) -> dict:
        """The document (``from_dict`` reads it back). Sections added since the first schema
        (``sampling``, ``separators``, ``ink``, ``paper``, ``capture``, ``image.color``) are left
        out while they hold their defaults, so the settings recorded in PNG chunks, manifests and
        saved configs of every configuration older than them keep their bytes."""
        document = _without_finishing_defaults(asdict(self))
        if self.sampling == SamplingConfig():
            del document["sampling"]
        if self.separators == SeparatorsConfig():
            del document["separators"]
        return document

    @classmethod
    def from_dict(cls, document: object) -> Config:
        """Build and validate a Config; every problem names its key."""
        top = _mapping(document, "the configuration")
        _no_unknown_keys(
            top,
            "",
            (
                "image",
                "spacing",
                "output_format",
                "dataset",
                "sampling",
                "separators",
                "ink",
                "paper",
                "capture",
            ),
        )
        image = _mapping(top.get("image", {}), "image")
        _no_unknown_keys(
            image,
            "image.",
            ("transform", "width", "height", "fit", "trim_padding", "augmentations", "color"),
        )
        spacing = _mapping(top.get("spacing", {}), "spacing")
        _no_unknown_keys(spacing, "spacing.", ("type", "subtype", "min", "max"))
        dataset = _mapping(top.get("dataset", {}), "dataset")
        _no_unknown_keys(dataset, "dataset.", ("source", "split"))
        sampling = _mapping(top.get("sampling", {}), "sampling")
        _no_unknown_keys(sampling, "sampling.", ("writer",))
        separators = _mapping(top.get("separators", {}), "separators")
        _no_unknown_keys(separators, "separators.", ("style",))

        config = cls()
        config.image.transform = _bool(image, "transform", "image.transform", False)
        config.image.width = _int(image, "width", "image.width", 200, 1, MAX_IMAGE_WIDTH)
        config.image.height = _int(image, "height", "image.height", DEFAULT_HEIGHT, MIN_HEIGHT, MAX_HEIGHT)
        config.image.fit = _choice(image, "fit", "image.fit", "stretch", FITS)
        config.image.trim_padding = _bool(image, "trim_padding", "image.trim_padding", False)
        config.image.augmentations = _augmentations(image.get("augmentations", {}))
        config.spacing.type = _choice(spacing, "type", "spacing.type", "variable", SPACING_TYPES)
        config.spacing.subtype = _choice(spacing, "subtype", "spacing.subtype", "between", SPACING_SUBTYPES)
        # The lower bound (-8) is check_spacing_range's, whose message says why.
        config.spacing.min = _int(spacing, "min", "spacing.min", 2, -MAX_IMAGE_WIDTH, MAX_IMAGE_WIDTH)
        config.spacing.max = _int(spacing, "max", "spacing.max", 8, -MAX_IMAGE_WIDTH, MAX_IMAGE_WIDTH)
        try:
            check_spacing_range((config.spacing.min, config.spacing.max))
        except DigitSeqError as exc:
            raise ConfigError(f"spacing.min/spacing.max: {exc}") from None
        config.output_format = _choice(top, "output_format", "output_format", "png", OUTPUT_FORMATS)
        config.dataset.source = _str(dataset, "source", "dataset.source", "mnist")
        config.dataset.split = _choice(dataset, "split", "dataset.split", "train", ("train", "test"))
        config.sampling.writer = _choice(sampling, "writer", "sampling.writer", "any", WRITER_MODES)
        config.separators.style = _choice(separators, "style", "separators.style", "gap", SEPARATOR_STYLES)
        config.image.color = _choice(image, "color", "image.color", "gray", COLORS)
        config.ink = parse_ink(top.get("ink", {}))
        config.paper = parse_paper(top.get("paper", {}))
        config.capture = parse_capture(top.get("capture", {}))
        return config

    def validated(self) -> Config:
        """A validated copy (raises ConfigError): use after changing fields by hand."""
        return Config.from_dict(self.to_dict())


def load_config(path: str | Path) -> Config:
    """Read, parse and validate a JSON config file; any problem is a ConfigError naming the file."""
    path = _config_path(path)
    try:
        raw = read_regular_file(path, MAX_CONFIG_BYTES, "config file")
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except OSError as exc:
        raise ConfigError(
            str(exc.strerror or exc) if exc.filename else f"cannot read config file {path}: {exc}"
        ) from None
    try:
        document = parse_json(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8 JSON"
        ) from None
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    try:
        return Config.from_dict(document)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def parse_json(text: str) -> object:
    """``json.loads`` that refuses what the standard module lets through or fails on with a
    traceback: a key given twice (the later one would silently win), nesting too deep
    (RecursionError) and an integer of thousands of digits (ValueError from int's size limit).
    Every refusal is a ConfigError that says what to change. (NaN and Infinity parse, and the
    validation then names the key that holds them.)"""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise ConfigError("JSON nested too deeply; a DigitSeq config is at most a few levels deep") from None
    except ValueError as exc:  # int("1" * 5000): "Exceeds the limit (4300 digits) ..."
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(
            f"a number in the JSON is too long ({exc}); use a number of a sensible size"
        ) from None


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    document: dict = {}
    for key, value in pairs:
        if key in document:
            raise ConfigError(f"the key {key!r} appears twice in one JSON object; keep only one of them")
        document[key] = value
    return document


def _config_path(path: object) -> Path:
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    if not isinstance(path, str):
        raise InputTypeError(
            f"a config path must be a string or pathlib.Path, got {type(path).__name__}", field="config"
        )
    if not path or "\0" in path:
        raise ConfigError(f"{path!r} is not a usable config file path")
    return Path(path).expanduser()


def save_config(config: Config, path: str | Path) -> Path:
    """Write ``config`` as JSON (atomically); it loads back equal."""
    if not isinstance(config, Config):
        raise InputTypeError(f"save_config needs a Config, got {type(config).__name__}", field="config")
    path = _config_path(path)
    text = json.dumps(config.validated().to_dict(), indent=2) + "\n"
    return atomic_write_bytes(path, text.encode("utf-8"))


# -- validation helpers ------------------------------------------------------------------------


def _mapping(value: object, where: str) -> dict:
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a JSON object, got {type(value).__name__}")
    return value


def _no_unknown_keys(mapping: dict, prefix: str, known: tuple[str, ...]) -> None:
    for key in mapping:
        if key not in known:
            raise ConfigError(f"unknown key {prefix}{key}; known keys here: {', '.join(known)}")


def _bool(mapping: dict, key: str, where: str, default: bool) -> bool:
    value = mapping.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{where} must be true or false, got {value!r}")
    return value


def _int(mapping: dict, key: str, where: str, default: int, low: int, high: int) -> int:
    value = mapping.get(key, default)
    if not is_int(value):
        raise ConfigError(f"{where} must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise ConfigError(f"{where} must be between {low} and {high}, got {value}")
    return int(value)


def _str(mapping: dict, key: str, where: str, default: str) -> str:
    value = mapping.get(key, default)
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where} must be a non-empty string, got {value!r}")
    return value


def _choice(mapping: dict, key: str, where: str, default: str, choices: tuple[str, ...]) -> str:
    value = mapping.get(key, default)
    if value not in choices:
        raise ConfigError(f"{where} must be one of {', '.join(choices)}; got {value!r}")
    return value


def _number(mapping: dict, key: str, where: str, default: float, low: float, high: float) -> float:
    value = mapping.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{where} must be a number, got {value!r}")
    if not low <= value <= high:
        raise ConfigError(f"{where} must be between {low} and {high}, got {value}")
    return value


def _augmentations(document: object) -> dict[str, Augmentation]:
    return _strengths(document, "image.augmentations", AUGMENTATIONS_BY_NAME, Augmentation, "augmentation")


def _strengths(document: object, prefix: str, specs: dict, entry_type, what: str) -> dict:
    """name -> entry_type(enabled, strength) for a catalogue of AugmentationSpecs (augmentations,
    capture effects): every name, with the catalogue's defaults where the document says nothing."""
    mapping = _mapping(document, prefix)
    result = {spec.name: entry_type(spec.classic, spec.default) for spec in specs.values()}
    for name, entry in mapping.items():
        where = f"{prefix}.{name}"
        spec = specs.get(name)
        if spec is None:
            raise ConfigError(f"unknown {what} {where}; known: {', '.join(specs)}")
        entry = _mapping(entry, where)
        _no_unknown_keys(entry, where + ".", ("enabled", "strength"))
        enabled = _bool(entry, "enabled", where + ".enabled", spec.classic)
        strength = entry.get("strength", spec.default)
        if isinstance(strength, bool) or not isinstance(strength, (int, float)):
            raise ConfigError(f"{where}.strength must be a number, got {strength!r}")
        if not 0 <= strength <= spec.maximum:
            raise ConfigError(f"{where}.strength must be between 0 and {spec.maximum}, got {strength}")
        if spec.integer and strength != int(strength):
            raise ConfigError(f"{where}.strength must be a whole number of pixels, got {strength}")
        result[name] = entry_type(enabled, strength)
    return result
