"""Presets: the numbers people write (issue 17 item 5), each valid by construction.

A preset is a small data structure: a maker of one valid text from a random generator, the texts
that show every shape it can make (what a layout check and npz padding need), and the settings it
lays over a configuration (``settings``, PRESET_SETTINGS by default: drawn separators and digits
that keep their shape; a writer setting goes in the same mapping). ``PresetSequences`` is a sequence source like a pattern: text i comes from (seed, i)
alone, in blocks of ``sequences.TEXT_BLOCK`` (the pattern's streams, seeding.sequence_texts_stream).

- ``zip``: 5 digits;
- ``amount``: 1 to 5 leading digits (no leading zero but ``0.xx``), thousands separated by ``,``,
  a decimal point and 2 decimals (``12,345.67``);
- ``date``: a real date between 1950-01-01 and 2049-12-31, half as ``DD/MM/YYYY``, half ISO
  ``YYYY-MM-DD``;
- ``time``: 24-hour ``H:MM`` with no leading zero before 10:00 (``0:05``, ``9:30``, ``23:59``);
- ``phone``: a Japanese mobile number ``0[789]0-####-####`` (the pattern of sequences.py);
- ``meter``: 6 digits with leading zeros (the reading's own length uniform in 1-6);
- ``house``: 1 to 4 digits, no leading zero.

Realistic variants (issue 18 item 7, REALISTIC_PRESETS) draw their base preset's values with its
settings and add a finishing (engine/finish.py: colour, ink, paper, capture), as data:

- ``amount-cheque``: an amount on a cheque: grey or blue ballpoint on the security pattern, a
  printed baseline and a printed mark beside it (a currency mark or "No."; never in the label),
  scanned (capture at its defaults);
- ``zip-boxes``: a ZIP code in a comb of boxes, one digit per box, blue ballpoint on a form;
- ``date-form``: a date on a ruled form line, black or blue ballpoint on grainy paper;
- ``meter-photo``: a meter reading photographed: shadow, a slant (perspective), defocus, motion
  and JPEG on tinted paper in boxes like the counter's windows.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from . import seeding
from .config import Config
from .errors import InvalidInputError
from .finish_config import default_sections
from .sequences import TEXT_BLOCK, SequenceSource, _shapes_of, _Texts, parse_pattern, split_text

PHONE_PATTERN = "0[789]0-####-####"
METER_DIGITS = 6
FIRST_DAY = datetime.date(1950, 1, 1)
LAST_DAY = datetime.date(2049, 12, 31)


def _zip(rng: np.random.Generator) -> str:
    return "".join(map(str, rng.integers(0, 10, 5).tolist()))


def _amount(rng: np.random.Generator) -> str:
    digits = int(rng.integers(1, 6))
    whole = int(rng.integers(0 if digits == 1 else 10 ** (digits - 1), 10**digits))
    return f"{whole:,}.{int(rng.integers(0, 100)):02d}"


def _date(rng: np.random.Generator) -> str:
    day = FIRST_DAY + datetime.timedelta(days=int(rng.integers(0, (LAST_DAY - FIRST_DAY).days + 1)))
    return day.strftime("%d/%m/%Y") if rng.integers(0, 2) else day.isoformat()


def _time(rng: np.random.Generator) -> str:
    minute = int(rng.integers(0, 24 * 60))
    return f"{minute // 60}:{minute % 60:02d}"


_PHONE = parse_pattern(PHONE_PATTERN)


def _phone(rng: np.random.Generator) -> str:
    return _PHONE.render("".join(c[int(rng.integers(0, len(c)))] for c in _PHONE.choices))


def _meter(rng: np.random.Generator) -> str:
    length = int(rng.integers(1, METER_DIGITS + 1))
    return f"{int(rng.integers(0, 10**length)):0{METER_DIGITS}d}"


def _house(rng: np.random.Generator) -> str:
    length = int(rng.integers(1, 5))
    return str(int(rng.integers(10 ** (length - 1), 10**length)))


# What every preset lays over the configuration by default: one place, so that a new setting
# (issue 17's one writer per number, "sampling": {"writer": "same"}) is one more entry here.
# keep-aspect: a written number is not stretched (a one-digit house number stretched to 200 px
# looked like no handwriting at all; a phone number squeezed to 200 px neither).
PRESET_SETTINGS = {
    "separators": {"style": "drawn"},
    "sampling": {"writer": "same"},  # a real number is written by one hand (docs/writers.md)
    "image": {"fit": "keep-aspect"},
}


@dataclass(frozen=True)
class Preset:
    """A kind of number: ``make`` draws one valid text; ``shapes_of`` are texts of every shape
    it can make; ``settings`` is laid over the configuration (a partial config document)."""

    name: str
    description: str
    make: Callable[[np.random.Generator], str]
    shapes_of: tuple[str, ...]
    settings: dict = field(default_factory=lambda: PRESET_SETTINGS)
    base: str = ""  # a realistic variant: the preset whose values it draws ("" for a base preset)

    def texts(self, count: int, seed: int) -> list[str]:
        """``count`` values of this preset for ``seed`` (the export's texts 0..count-1)."""
        return make_texts(self, count, seed)

    def config(self, config: Config | None = None) -> Config:
        """``config`` (the defaults when None) with this preset's settings laid over it."""
        document = (config or Config()).to_dict()
        _lay_over(document, self.settings)
        return Config.from_dict(document)


def _lay_over(document: dict, settings: dict) -> None:
    """``settings`` laid over ``document`` key by key, into nested mappings (capture.effects.jpeg
    changes that effect alone and keeps the others as they were)."""
    for key, value in settings.items():
        if isinstance(value, dict) and isinstance(document.get(key), dict):
            _lay_over(document[key], value)
        else:
            document[key] = value


BASE_PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("zip", "ZIP code, 5 digits", _zip, ("12345",)),
        Preset(
            "amount",
            "amount, 1-5 digits, thousands separators, 2 decimals",
            _amount,
            ("1.00", "12.00", "123.00", "1,234.00", "12,345.00"),
        ),
        Preset("date", "date, DD/MM/YYYY or YYYY-MM-DD", _date, ("01/02/2000", "2000-02-01")),
        Preset("time", "time, 24-hour H:MM", _time, ("9:05", "23:59")),
        Preset("phone", f"Japanese mobile number, {PHONE_PATTERN}", _phone, ("090-1234-5678",)),
        Preset("meter", f"meter reading, {METER_DIGITS} digits with leading zeros", _meter, ("000123",)),
        Preset("house", "house number, 1-4 digits", _house, ("1", "12", "123", "1234")),
    )
}

_RGB = {"image": {"color": "rgb"}}
# name -> (base preset, description, finishing settings laid over the base preset's settings).
# Tuned by eye on exported images and the window (docs/paper.md, "Realistic presets").
REALISTIC_SETTINGS: dict[str, tuple[str, str, dict]] = {
    "amount-cheque": (
        "amount",
        "amount on a cheque: grey or blue ballpoint, security pattern, baseline, printed mark",
        {
            **_RGB,
            "ink": {"color": ["#3a3a3e", "#2b3a7a"], "darkness": 0.95, "pressure": 0.15},
            "paper": {"background": "cheque", "lines": "ruled", "printed": True},
            "capture": {"enabled": True},
        },
    ),
    "zip-boxes": (
        "zip",
        "ZIP code in comb boxes, one digit per box, blue ballpoint",
        {
            **_RGB,
            "ink": {"color": "blue", "pressure": 0.2},
            "paper": {"background": "grain", "lines": "boxes"},
            "capture": {"enabled": True},
        },
    ),
    "date-form": (
        "date",
        "date on a ruled form line, black or blue ballpoint",
        {
            **_RGB,
            "ink": {"color": ["black", "blue"], "pressure": 0.2},
            "paper": {"background": "grain", "lines": "ruled"},
            "capture": {"enabled": True},
        },
    ),
    "meter-photo": (
        "meter",
        "meter reading photographed: shadow, slant, defocus, JPEG",
        {
            **_RGB,
            "ink": {"color": "black"},
            "paper": {"background": "tinted", "lines": "boxes"},
            "capture": {
                "enabled": True,
                "effects": {
                    "shadow": {"enabled": True, "strength": 0.55},
                    "perspective": {"enabled": True, "strength": 0.12},
                    "defocus": {"enabled": True, "strength": 1.0},
                    "motion": {"enabled": True, "strength": 2},
                    "jpeg": {"enabled": True, "strength": 55},
                },
            },
        },
    ),
}


def _realistic(name: str, base: str, description: str, finishing: dict) -> Preset:
    preset = BASE_PRESETS[base]
    # Its ink, paper and capture sections whole (the defaults where it says nothing), so that the
    # preset looks the same whatever finishing the window or a --config file had before.
    settings = {**copy.deepcopy(preset.settings), **default_sections()}
    _lay_over(settings, copy.deepcopy(finishing))
    return Preset(name, description, preset.make, preset.shapes_of, settings, base)


REALISTIC_PRESETS: dict[str, Preset] = {
    name: _realistic(name, *entry) for name, entry in REALISTIC_SETTINGS.items()
}
PRESETS: dict[str, Preset] = {**BASE_PRESETS, **REALISTIC_PRESETS}


def preset_named(name: object) -> Preset:
    """The preset called ``name``, or an error that lists them."""
    preset = PRESETS.get(name) if isinstance(name, str) else None
    if preset is None:
        raise InvalidInputError(f"unknown preset {name!r}; use one of {', '.join(PRESETS)}", field="preset")
    return preset


def _block_texts(preset: Preset, seed: int, block: int, count: int) -> list[str]:
    rng = seeding.sequence_texts_stream(seed, block)
    return [preset.make(rng) for _ in range(count)]


def make_texts(preset: Preset, count: int, seed: int) -> list[str]:
    return PresetSequences(preset.name)._texts(count, seed, False).texts(0, count)


def preset_texts(name: str, count: int, seed: int = 0) -> list[str]:
    """``count`` values of preset ``name`` for ``seed``: the texts an export of it would draw."""
    return preset_named(name).texts(int(count), seeding.check_seed(seed))


def preset_config(name: str, config: Config | None = None) -> Config:
    """``config`` (the defaults when None) with preset ``name``'s settings (drawn separators)."""
    return preset_named(name).config(config)


# -- as a sequence source -----------------------------------------------------------------------


@dataclass(frozen=True)
class PresetSequences(SequenceSource):
    """The values of a preset, as a source for export and SequenceDataset."""

    name: str
    kind = "preset"

    @property
    def preset(self) -> Preset:
        return preset_named(self.name)

    def describe(self) -> dict:
        return {"kind": self.kind, "preset": self.name}

    def shapes(self, style: str = "gap") -> set[tuple[int, int]]:
        return _shapes_of(self.preset.shapes_of, style)

    def capacity(self) -> int:
        return 0  # unique draws are not offered for presets

    def words(self) -> str:
        return f"preset {self.name!r}"

    def uniform_separators(self, offset: int, n: int, style: str = "gap") -> bool:
        return len({k for _, k in self.shapes(style)}) <= 1

    def _texts(self, count: int, seed: int, unique: bool) -> _Texts:
        if unique:
            raise InvalidInputError(
                f"unique values are not offered for presets; leave out unique for preset {self.name!r}",
                field="count",
            )
        return _PresetTexts(self.preset, seed)


class _PresetTexts(_Texts):
    def __init__(self, preset: Preset, seed: int):
        self.preset, self.seed = preset, seed
        self._last: tuple[int, list[str]] = (-1, [])  # a data set reads a block 64 items at a time

    def shapes(self, style: str = "gap") -> set[tuple[int, int]]:
        return _shapes_of(self.preset.shapes_of, style)

    def longest(self) -> tuple[int, int]:
        examples = self.preset.shapes_of
        return max(len(split_text(t)[0]) for t in examples), max(map(len, examples))

    def texts(self, start: int, stop: int) -> list[str]:
        out: list[str] = []
        for block in range(start // TEXT_BLOCK, (stop - 1) // TEXT_BLOCK + 1):
            first = block * TEXT_BLOCK
            last = self._last
            if last[0] != block:
                last = self._last = (block, _block_texts(self.preset, self.seed, block, TEXT_BLOCK))
            texts = last[1]
            out += texts[max(start, first) - first : min(stop, first + TEXT_BLOCK) - first]
        return out


def preset_source(name: str) -> PresetSequences:
    """Preset ``name`` as a sequence source (checked)."""
    return PresetSequences(preset_named(name).name)


# The window's Sequence field names a preset as "preset:NAME": each sample is a fresh value.
PRESET_PREFIX = "preset:"


def preset_in_text(text: str) -> Preset | None:
    """The preset a sequence text names ("preset:date"), None for any other text."""
    text = text.strip()
    if not text.startswith(PRESET_PREFIX):
        return None
    return preset_named(text[len(PRESET_PREFIX) :].strip())
