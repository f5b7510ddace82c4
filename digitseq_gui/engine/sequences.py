"""What to generate: the sequences of a data set, from a list, a file, a length range or a pattern.

A sequence is a *text*: digits, possibly with separator characters between them
("090-1234-5678"). Its *label* is the digits alone, leading zeros kept ("09012345678"): one
label character per digit box. A separator becomes a blank gap of ``separator_width`` pixels in
the image (see export_worker.insert_separator_gaps: the digits are generated at the image width
minus the separator gaps, then blank columns are inserted between the two digits a separator
stands between, and the boxes after it move right).

Patterns: ``#`` is a random digit, ``[789]`` one random digit out of those listed, a digit is
itself, and one of SEPARATORS is a separator (it must stand between two digits). Example: the
Japanese mobile numbers ``0[789]0-####-####``.

Everything is drawn from ``numpy.random.default_rng(seed)``, so a seed gives the same list of
sequences on every machine. With ``unique=True`` no text repeats; asking for more unique
sequences than a source can make is an error raised before anything is drawn, never at random.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .digits import MAX_DIGITS, label_of, parse_digits
from .errors import InputTypeError, InvalidInputError

SEPARATORS = "-_./ ()"
MAX_RANDOM_LENGTH = 100
MAX_COUNT = 100_000_000
# Above this many possible sequences, unique draws use rejection (collisions are then rare).
_EXACT_UNIQUE_LIMIT = 2**62


@dataclass(frozen=True)
class Pattern:
    """A parsed pattern: per digit position the allowed digits, and where separators sit.

    ``choices[i]`` is a string of the digits position i may take ("0123456789" for ``#``, "7" for
    a literal 7). ``separators_after[i]`` is the separator text that follows digit i ("" if none).
    """

    text: str
    choices: tuple[str, ...]
    separators_after: tuple[str, ...]

    @property
    def capacity(self) -> int:
        """How many different sequences the pattern can make."""
        result = 1
        for choice in self.choices:
            result *= len(choice)
        return result

    def render(self, digits: str) -> str:
        return "".join(d + s for d, s in zip(digits, self.separators_after))


def parse_pattern(pattern: object) -> Pattern:
    """Parse ``0##-####-####``, ``0[789]0-####-####``...; errors say which character is wrong."""
    if not isinstance(pattern, str):
        raise InputTypeError(f"a pattern must be a string such as '0##-####-####', got {type(pattern).__name__}", field="pattern")
    text = pattern.strip()
    if not text:
        raise InvalidInputError("the pattern is empty; use # for a random digit, e.g. '0##-####-####'", field="pattern")
    choices: list[str] = []
    separators: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "#":
            choices.append("0123456789")
            separators.append("")
        elif char.isdigit() and char in "0123456789":
            choices.append(char)
            separators.append("")
        elif char == "[":
            end = text.find("]", i)
            if end < 0:
                raise InvalidInputError(f"pattern {text!r}: '[' at position {i + 1} is never closed; write e.g. [789]", field="pattern")
            body = text[i + 1: end]
            if not body or any(c not in "0123456789" for c in body):
                raise InvalidInputError(
                    f"pattern {text!r}: [{body}] at position {i + 1} must list digits 0-9, e.g. [789]", field="pattern")
            choices.append("".join(sorted(set(body))))
            separators.append("")
            i = end
        elif char in SEPARATORS:
            if not choices:
                raise InvalidInputError(
                    f"pattern {text!r} starts with the separator {char!r}; a separator must stand between two digits", field="pattern")
            separators[-1] += char
        else:
            raise InvalidInputError(
                f"pattern {text!r}: {char!r} at position {i + 1} is not allowed; use digits, # (random digit), "
                f"[789] (one of those digits) or a separator out of {SEPARATORS!r}", field="pattern")
        i += 1
    if separators[-1]:
        raise InvalidInputError(
            f"pattern {text!r} ends with the separator {separators[-1]!r}; a separator must stand between two digits", field="pattern")
    if len(choices) > MAX_DIGITS:
        raise InvalidInputError(f"pattern {text!r} has {len(choices)} digits; use at most {MAX_DIGITS}", field="pattern")
    return Pattern(text, tuple(choices), tuple(separators))


def parse_text(text: object, where: str = "sequence") -> Pattern:
    """An explicit sequence ("0213", "090-1234-5678"): a pattern of literal digits only."""
    if not isinstance(text, str):
        if isinstance(text, (list, tuple, np.ndarray)):
            try:
                text = label_of(parse_digits(text))  # ints 0-9 only, as generate() demands
            except (InvalidInputError, InputTypeError) as exc:
                raise type(exc)(f"{where}: {exc}", field="digits") from None
        else:
            raise InputTypeError(f"{where} must be a string of digits such as '0213', got {type(text).__name__}", field="digits")
    if "#" in text or "[" in text:
        raise InvalidInputError(f"{where} {text!r} is a pattern; give patterns with --pattern", field="digits")
    try:
        return parse_pattern(text)
    except InvalidInputError as exc:
        raise InvalidInputError(f"{where}: {exc}".replace("pattern ", "", 1), field="digits") from None


def split_text(text: str) -> tuple[str, tuple[str, ...]]:
    """The label (digits only) and the separators after each digit of a sequence text."""
    if isinstance(text, str) and text.isascii() and text.isdigit():  # the common case, 50x faster
        return text, ("",) * len(text)
    parsed = parse_text(text)
    return "".join(c[0] for c in parsed.choices), parsed.separators_after


# -- sources -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SequenceSource:
    """Where the sequences come from; ``describe()`` is what the manifest records.

    kind "explicit": ``texts`` in order (cycled when more are asked for);
    kind "random": lengths uniform in [min_length, max_length], digits uniform;
    kind "pattern": ``pattern``'s positions drawn uniformly from their choices.
    """

    kind: str
    texts: tuple[str, ...] = ()
    min_length: int = 0
    max_length: int = 0
    pattern: str = ""
    origin: str = ""  # e.g. the file the texts came from, for the manifest

    def describe(self) -> dict:
        if self.kind == "explicit":
            digest = hashlib.sha256("\n".join(self.texts).encode()).hexdigest()
            return {"kind": "explicit", "count": len(self.texts), "sha256": digest, "origin": self.origin}
        if self.kind == "random":
            return {"kind": "random", "min_length": self.min_length, "max_length": self.max_length}
        return {"kind": "pattern", "pattern": self.pattern}

    def shapes(self) -> set[tuple[int, int]]:
        """Every (digit count, separator count) this source can make, drawn or not: what a
        layout check must accept up front, so that no configuration fails at random."""
        if self.kind == "explicit":
            return {(len(label), sum(1 for s in seps if s)) for label, seps in map(split_text, self.texts)}
        if self.kind == "random":
            return {(n, 0) for n in range(self.min_length, self.max_length + 1)}
        parsed = parse_pattern(self.pattern)
        return {(len(parsed.choices), sum(1 for s in parsed.separators_after if s))}

    def lengths(self) -> set[int]:
        """Every digit count this source can make."""
        return {n for n, _ in self.shapes()}

    def capacity(self) -> int:
        if self.kind == "explicit":
            return len(set(self.texts))
        if self.kind == "random":
            return sum(10**n for n in range(self.min_length, self.max_length + 1))
        return parse_pattern(self.pattern).capacity


def explicit(sequences, origin: str = "") -> SequenceSource:
    """Sequences given one by one: strings ("0213", "090-1234-5678") or lists of ints."""
    if isinstance(sequences, (str, bytes)):
        raise InputTypeError("give a list of sequences, not a single string", field="digits")
    texts = []
    for number, item in enumerate(sequences, 1):
        pattern = parse_text(item, f"sequence {number}")
        texts.append(pattern.text)
    if not texts:
        raise InvalidInputError("the list of sequences is empty; give at least one", field="digits")
    return SequenceSource("explicit", texts=tuple(texts), origin=origin)


def from_file(path: str | Path) -> SequenceSource:
    """One sequence per line; blank lines and lines starting with '#' are skipped."""
    path = Path(path).expanduser()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise FileNotFoundError(f"sequences file {path} does not exist") from None
    except UnicodeDecodeError:
        raise InvalidInputError(f"sequences file {path} is not UTF-8 text", field="digits") from None
    texts = []
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        texts.append(parse_text(line, f"{path.name} line {number}").text)
    if not texts:
        raise InvalidInputError(f"sequences file {path} has no sequences; put one per line", field="digits")
    return SequenceSource("explicit", texts=tuple(texts), origin=str(path))


def random_lengths(min_length: int, max_length: int | None = None) -> SequenceSource:
    max_length = min_length if max_length is None else max_length
    for value in (min_length, max_length):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise InputTypeError(f"sequence lengths must be whole numbers, got {value!r}", field="length")
    if not 1 <= min_length <= max_length <= MAX_RANDOM_LENGTH:
        raise InvalidInputError(
            f"length range {min_length}-{max_length} is invalid; use 1 <= min <= max <= {MAX_RANDOM_LENGTH}", field="length")
    return SequenceSource("random", min_length=int(min_length), max_length=int(max_length))


def parse_length_range(text: str) -> SequenceSource:
    """'4-8' or '5' as a random-length source."""
    parts = str(text).split("-")
    try:
        values = [int(p) for p in parts]
    except ValueError:
        raise InvalidInputError(f"length {text!r} must be N or MIN-MAX, e.g. 4-8", field="length") from None
    if len(values) not in (1, 2):
        raise InvalidInputError(f"length {text!r} must be N or MIN-MAX, e.g. 4-8", field="length")
    return random_lengths(values[0], values[-1])


def pattern(text: str) -> SequenceSource:
    return SequenceSource("pattern", pattern=parse_pattern(text).text)


# -- drawing -----------------------------------------------------------------------------------


def make_sequences(source: SequenceSource, count: int, seed: int, unique: bool = False) -> list[str]:
    """``count`` sequence texts from ``source``, the same for the same seed everywhere."""
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)):
        raise InputTypeError(f"count must be a whole number, got {count!r}", field="count")
    if not 1 <= count <= MAX_COUNT:
        raise InvalidInputError(f"count must be between 1 and {MAX_COUNT}, got {count}", field="count")
    count = int(count)
    if unique and source.kind != "explicit":  # explicit lists name the repeated line instead
        capacity = source.capacity()
        if count > capacity:
            raise InvalidInputError(
                f"cannot make {count} unique sequences: {_source_words(source)} can make only {capacity}; "
                "ask for fewer, allow repeats, or use longer sequences", field="count")
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0x5E0,)))
    if source.kind == "explicit":
        return _explicit(source.texts, count, unique)
    if source.kind == "random":
        return _random(rng, source.min_length, source.max_length, count, unique)
    parsed = parse_pattern(source.pattern)
    return [parsed.render(d) for d in _draw_positions(rng, parsed.choices, count, unique)]


def _source_words(source: SequenceSource) -> str:
    if source.kind == "explicit":
        return "the list of given sequences"
    if source.kind == "random":
        return f"lengths {source.min_length}-{source.max_length}"
    return f"pattern {source.pattern!r}"


def _explicit(texts: tuple[str, ...], count: int, unique: bool) -> list[str]:
    if unique:
        seen: dict[str, int] = {}
        for number, text in enumerate(texts[:count], 1):
            if text in seen:
                raise InvalidInputError(
                    f"sequence {number} ({text!r}) repeats sequence {seen[text]}; remove repeats or allow them", field="digits")
            seen[text] = number
        if count > len(texts):
            raise InvalidInputError(
                f"cannot make {count} unique sequences from a list of {len(texts)}; ask for at most {len(texts)}", field="count")
    return [texts[i % len(texts)] for i in range(count)]


def _random(rng: np.random.Generator, low: int, high: int, count: int, unique: bool) -> list[str]:
    lengths = np.arange(low, high + 1)
    if not unique:
        drawn = rng.integers(low, high + 1, size=count)
        digits = rng.integers(0, 10, size=(count, high)).astype(np.uint8) + ord("0")
        rows = digits.view(f"S{high}").ravel()
        return [rows[i][: drawn[i]].decode() for i in range(count)]
    # Unique: share the count evenly over the lengths, moving what a short length cannot hold
    # (10 sequences of length 1...) to the longer ones; then draw each length without repeats
    # and shuffle. Deterministic, and it fails only when count exceeds the total (checked above).
    per_length = np.full(len(lengths), count // len(lengths))
    per_length[len(lengths) - count % len(lengths):] += 1
    for i, n in enumerate(lengths[:-1]):
        excess = per_length[i] - 10**int(n)
        if excess > 0:
            per_length[i] -= excess
            per_length[i + 1] += excess
    texts: list[str] = []
    for n, wanted in zip(lengths, per_length):
        texts.extend("".join(d) for d in _draw_positions(rng, ("0123456789",) * int(n), int(wanted), True))
    order = rng.permutation(len(texts))
    return [texts[i] for i in order]


def _draw_positions(rng: np.random.Generator, choices: tuple[str, ...], count: int, unique: bool) -> list[str]:
    """``count`` digit strings, position i drawn uniformly from ``choices[i]``."""
    if count == 0:
        return []
    sizes = [len(c) for c in choices]
    table = np.full((len(choices), 10), ord("0"), dtype=np.uint8)
    for i, choice in enumerate(choices):
        table[i, : len(choice)] = np.frombuffer(choice.encode(), dtype=np.uint8)
    capacity = 1
    for s in sizes:
        capacity *= s
    if not unique:
        picks = (rng.random((count, len(choices))) * np.asarray(sizes)).astype(np.int64)
    elif capacity <= _EXACT_UNIQUE_LIMIT:
        # Exact sampling without replacement over the numbered sequences, then mixed-radix digits.
        numbers = rng.choice(capacity, size=count, replace=False, shuffle=True) if capacity > 1 else np.zeros(1, np.int64)
        picks = np.empty((count, len(choices)), dtype=np.int64)
        for i in range(len(choices) - 1, -1, -1):
            picks[:, i] = numbers % sizes[i]
            numbers = numbers // sizes[i]
    else:
        seen: set[bytes] = set()
        rows = []
        while len(rows) < count:
            row = (rng.random(len(choices)) * np.asarray(sizes)).astype(np.int64)
            key = row.tobytes()
            if key not in seen:
                seen.add(key)
                rows.append(row)
        picks = np.asarray(rows)
    chars = table[np.arange(len(choices)), picks]
    strings = np.ascontiguousarray(chars).view(f"S{len(choices)}").ravel()
    return [s.decode() for s in strings]
