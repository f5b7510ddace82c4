"""What to generate: the sequences of a data set, from a list, a file, a length range or a pattern.

A sequence is a *text*: digits, possibly with separator characters between them, before the
first and after the last ("090-1234-5678", "(03)1234-5678", "12.50-"). Its *label* is the digits
alone, leading zeros kept ("09012345678"): one label character per digit box. A separator
becomes a blank gap of ``separator_width`` pixels in the image (see render.insert_separator_gaps:
the digits are generated at the image width minus the separator gaps, then blank columns are
inserted between the two digits a separator stands between, or at the image's edge for a run
before the first or after the last digit, and the boxes after it move right).

A text's separators are its *runs*: n + 1 slots for n digits, run 0 before the first digit and
run i + 1 after digit i ("" where there is none; see split_text).

Patterns: ``#`` is a random digit, ``[789]`` one random digit out of those listed, a digit is
itself, and one of SEPARATORS is a separator (anywhere, as long as the pattern has a digit).
Example: the Japanese mobile numbers ``0[789]0-####-####``.

Drawing streams (``SequenceTexts``): text i is computed from (seed, i) alone, in blocks of
TEXT_BLOCK texts, so any range of a 10^8-image data set costs only its own length in time and
memory, and text i does not depend on how many texts are asked for (without ``unique``). Block b
draws from ``default_rng(SeedSequence(seed, spawn_key=(0x5E0, b)))``.

``unique=True`` without storing what was drawn: a keyed pseudo-random permutation (a small
Feistel network, cycle-walked into range) maps index i to the i-th sequence number of the
source, so no two indices share a text. For random lengths the count is shared evenly over the
lengths (a short length that cannot hold its share passes the rest on), a second permutation
shuffles the lengths' order. Sources of more than 2^62 sequences permute only the last
positions (at least 2^58 sequences, far above MAX_COUNT) and draw the leading ones freely:
still never a repeat. Asking for more unique sequences than a source can make is an error
raised before anything is drawn, never at random.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import seeding
from .digits import MAX_DIGITS, label_of, parse_digits
from .errors import InputTypeError, InvalidInputError
from .files import read_regular_file
from .symbols import shape_of

MAX_SEQUENCES_FILE_BYTES = 256 * 2**20  # about 20 million phone numbers

SEPARATORS = "-_./ ()" + ",:+"  # the last three since drawn symbols (symbols.py)
# The blank gap a separator becomes, in pixels: the default and the most the engine accepts (the
# CLI, the window and SequenceDataset all read these).
DEFAULT_SEPARATOR_WIDTH = 10
MAX_SEPARATOR_WIDTH = 10_000
MAX_RANDOM_LENGTH = 100
MAX_COUNT = 100_000_000
# Above this many possible sequences, unique draws use rejection (collisions are then rare).


@dataclass(frozen=True)
class Pattern:
    """A parsed pattern: per digit position the allowed digits, and where separators sit.

    ``choices[i]`` is a string of the digits position i may take ("0123456789" for ``#``, "7" for
    a literal 7). ``separators_after[i]`` is the separator text that follows digit i ("" if none),
    ``leading`` the one before the first digit ("(" of "(03)1234").
    """

    text: str
    choices: tuple[str, ...]
    separators_after: tuple[str, ...]
    leading: str = ""

    @property
    def runs(self) -> tuple[str, ...]:
        """The separator runs, n + 1 for n digits: before the first digit, then after each."""
        return (self.leading, *self.separators_after)

    @property
    def capacity(self) -> int:
        """How many different sequences the pattern can make."""
        result = 1
        for choice in self.choices:
            result *= len(choice)
        return result

    def render(self, digits: str) -> str:
        return self.leading + "".join(d + s for d, s in zip(digits, self.separators_after))


def parse_pattern(pattern: object) -> Pattern:
    """Parse ``0##-####-####``, ``0[789]0-####-####``...; errors say which character is wrong."""
    if not isinstance(pattern, str):
        raise InputTypeError(
            f"a pattern must be a string such as '0##-####-####', got {type(pattern).__name__}",
            field="pattern",
        )
    text = pattern.strip()
    if not text:
        raise InvalidInputError(
            "the pattern is empty; use # for a random digit, e.g. '0##-####-####'", field="pattern"
        )
    choices: list[str] = []
    separators: list[str] = []
    leading = ""
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
                raise InvalidInputError(
                    f"pattern {text!r}: '[' at position {i + 1} is never closed; write e.g. [789]",
                    field="pattern",
                )
            body = text[i + 1 : end]
            if not body or any(c not in "0123456789" for c in body):
                raise InvalidInputError(
                    f"pattern {text!r}: [{body}] at position {i + 1} must list digits 0-9, e.g. [789]",
                    field="pattern",
                )
            choices.append("".join(sorted(set(body))))
            separators.append("")
            i = end
        elif char in SEPARATORS:
            if choices:
                separators[-1] += char
            else:  # before the first digit: "(" of "(03)1234", "+" of "+81"
                leading += char
        else:
            raise InvalidInputError(
                f"pattern {text!r}: {char!r} at position {i + 1} is not allowed; use digits, # (random digit), "
                f"[789] (one of those digits) or a separator out of {SEPARATORS!r}",
                field="pattern",
            )
        i += 1
    if not choices:
        raise InvalidInputError(
            f"pattern {text!r} has no digit, only separators; a number needs at least one digit",
            field="pattern",
        )
    if len(choices) > MAX_DIGITS:
        raise InvalidInputError(
            f"pattern {text!r} has {len(choices)} digits; use at most {MAX_DIGITS}", field="pattern"
        )
    return Pattern(text, tuple(choices), tuple(separators), leading)


def parse_text(text: object, where: str = "sequence") -> Pattern:
    """An explicit sequence ("0213", "090-1234-5678"): a pattern of literal digits only."""
    if not isinstance(text, str):
        if isinstance(text, (list, tuple, np.ndarray)):
            try:
                text = label_of(parse_digits(text))  # ints 0-9 only, as generate() demands
            except (InvalidInputError, InputTypeError) as exc:
                raise type(exc)(f"{where}: {exc}", field="digits") from None
        else:
            raise InputTypeError(
                f"{where} must be a string of digits such as '0213', got {type(text).__name__}",
                field="digits",
            )
    if "#" in text or "[" in text:
        raise InvalidInputError(
            f"{where} {text!r} is a pattern; give patterns with --pattern", field="digits"
        )
    try:
        return parse_pattern(text)
    except InvalidInputError as exc:
        raise InvalidInputError(f"{where}: {exc}".replace("pattern ", "", 1), field="digits") from None


def split_text(text: str) -> tuple[str, tuple[str, ...]]:
    """The label (digits only) and the separator runs of a sequence text: n + 1 for n digits,
    run 0 before the first digit and run i + 1 after digit i ("(03)1-": "031", ("(", "", ")", "-"))."""
    if isinstance(text, str) and text.isascii() and text.isdigit():  # the common case, 50x faster
        return text, ("",) * (len(text) + 1)
    parsed = parse_text(text)
    return "".join(c[0] for c in parsed.choices), parsed.runs


def separator_count(text: str) -> int:
    """How many separator gaps a sequence text has (``090-1234-5678``: 2)."""
    return sum(1 for s in split_text(text)[1] if s)


# -- sources -----------------------------------------------------------------------------------


class SequenceSource:
    """Where the sequences come from: one subclass per kind (a list, random lengths, a pattern),
    each with the behaviour its kind needs, so callers ask the source instead of switching on
    its kind. ``describe()`` is what the manifest records."""

    kind = ""  # the manifest's name for the kind

    def describe(self) -> dict:
        raise NotImplementedError

    def shapes(self, style: str = "gap") -> set[tuple[int, int]]:
        """Every (digit count, separator count) this source can make, drawn or not: what a
        layout check must accept up front, so that no configuration fails at random. With
        ``style`` "drawn": (characters, blank gaps), drawn symbols counted as characters."""
        raise NotImplementedError

    def lengths(self) -> set[int]:
        """Every digit count this source can make."""
        return {n for n, _ in self.shapes()}

    def capacity(self) -> int:
        """How many different sequences the source can make."""
        raise NotImplementedError

    def words(self) -> str:
        """The source in an error message."""
        raise NotImplementedError

    def default_count(self) -> int | None:
        """How many images when no count is given (None: a count must be given)."""
        return None

    def has_separators(self) -> bool:
        """Whether a text of the source can have a separator (the window offers a gap only then)."""
        return any(k for _, k in self.shapes())

    def uniform_separators(self, offset: int, n: int, style: str = "gap") -> bool:
        """Whether texts [offset, offset + n) of a stream all have as many separator gaps."""
        return True  # random lengths have none, a pattern always its own

    def fresh_texts(self, seed: int, n: int) -> list[str]:
        """``n`` texts drawn afresh from ``seed`` (the training stream's blocks)."""
        return make_sequences(self, n, seed)

    def _texts(self, count: int, seed: int, unique: bool) -> _Texts:
        """The texts of a data set of ``count`` (SequenceTexts' per-kind part)."""
        raise NotImplementedError


@dataclass(frozen=True)
class ExplicitSequences(SequenceSource):
    """``texts`` in order (cycled when more are asked for)."""

    texts: tuple[str, ...]
    origin: str = ""  # e.g. the file the texts came from, for the manifest
    kind = "explicit"

    def describe(self) -> dict:
        digest = hashlib.sha256("\n".join(self.texts).encode()).hexdigest()
        return {"kind": self.kind, "count": len(self.texts), "sha256": digest, "origin": self.origin}

    def shapes(self, style: str = "gap") -> set[tuple[int, int]]:
        return _shapes_of(self.texts, style)

    def capacity(self) -> int:
        return len(set(self.texts))

    def words(self) -> str:
        return "the list of given sequences"

    def default_count(self) -> int | None:
        return len(self.texts)

    def uniform_separators(self, offset: int, n: int, style: str = "gap") -> bool:
        texts = self.texts
        window = texts if n >= len(texts) else [texts[(offset + i) % len(texts)] for i in range(n)]
        return len({k for _, k in _shapes_of(set(window), style)}) <= 1

    def fresh_texts(self, seed: int, n: int) -> list[str]:
        # uniform picks from the list, not its first n lines
        picks = np.random.default_rng(seed).integers(0, len(self.texts), n)
        return [self.texts[i] for i in picks]

    def _texts(self, count: int, seed: int, unique: bool) -> _Texts:
        if unique:  # names the repeated line rather than a capacity
            _check_explicit_unique(self.texts, count)
        return _ListTexts(self.texts, count)


@dataclass(frozen=True)
class RandomLengths(SequenceSource):
    """Lengths uniform in [min_length, max_length], digits uniform."""

    min_length: int
    max_length: int
    kind = "random"

    def describe(self) -> dict:
        return {"kind": self.kind, "min_length": self.min_length, "max_length": self.max_length}

    def shapes(self, style: str = "gap") -> set[tuple[int, int]]:
        return {(n, 0) for n in range(self.min_length, self.max_length + 1)}

    def capacity(self) -> int:
        return sum(10**n for n in range(self.min_length, self.max_length + 1))

    def words(self) -> str:
        return f"lengths {self.min_length}-{self.max_length}"

    def has_separators(self) -> bool:
        return False

    def _texts(self, count: int, seed: int, unique: bool) -> _Texts:
        _check_capacity(self, count, unique)
        return _RandomTexts(self, count, seed, unique)


@dataclass(frozen=True)
class PatternSequences(SequenceSource):
    """``pattern``'s positions drawn uniformly from their choices."""

    pattern: str
    kind = "pattern"

    def describe(self) -> dict:
        return {"kind": self.kind, "pattern": self.pattern}

    def shapes(self, style: str = "gap") -> set[tuple[int, int]]:
        parsed = parse_pattern(self.pattern)
        return {shape_of(len(parsed.choices), parsed.runs, style)}

    def capacity(self) -> int:
        return parse_pattern(self.pattern).capacity

    def words(self) -> str:
        return f"pattern {self.pattern!r}"

    def _texts(self, count: int, seed: int, unique: bool) -> _Texts:
        _check_capacity(self, count, unique)
        return _PatternTexts(self, count, seed, unique)


def _shapes_of(texts, style: str = "gap") -> set[tuple[int, int]]:
    return {shape_of(len(label), seps, style) for label, seps in map(split_text, texts)}


def _check_capacity(source: SequenceSource, count: int, unique: bool) -> None:
    if unique and count > source.capacity():
        raise InvalidInputError(
            f"cannot make {count} unique sequences: {source.words()} can make only {source.capacity()}; "
            "ask for fewer, allow repeats, or use longer sequences",
            field="count",
        )


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
    return ExplicitSequences(tuple(texts), origin)


def from_file(path: str | Path) -> SequenceSource:
    """One sequence per line; blank lines and lines starting with '#' are skipped."""
    path = Path(path).expanduser()
    try:
        # A regular file only (a FIFO would block for ever, /dev/zero never end), of bounded size:
        # the texts are held in memory.
        lines = (
            read_regular_file(path, MAX_SEQUENCES_FILE_BYTES, "sequences file").decode("utf-8").splitlines()
        )
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
    return ExplicitSequences(tuple(texts), str(path))


def random_lengths(min_length: int, max_length: int | None = None) -> SequenceSource:
    max_length = min_length if max_length is None else max_length
    for value in (min_length, max_length):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise InputTypeError(f"sequence lengths must be whole numbers, got {value!r}", field="length")
    if not 1 <= min_length <= max_length <= MAX_RANDOM_LENGTH:
        raise InvalidInputError(
            f"length range {min_length}-{max_length} is invalid; use 1 <= min <= max <= {MAX_RANDOM_LENGTH}",
            field="length",
        )
    return RandomLengths(int(min_length), int(max_length))


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
    return PatternSequences(parse_pattern(text).text)


# -- drawing -----------------------------------------------------------------------------------

TEXT_BLOCK = seeding.SEQUENCE_TEXTS_BLOCK
_PERMUTATION_LIMIT = 2**62
SEQUENCE_RULE = (
    f"text i from (seed, i): blocks of {TEXT_BLOCK} drawn from "
    f"SeedSequence(seed, (0x{seeding.SEQUENCE_TEXTS_TAG:X}, block)); "
    "unique: a keyed Feistel permutation of the sequence numbers"
)


def make_sequences(source: SequenceSource, count: int, seed: int, unique: bool = False) -> list[str]:
    """``count`` sequence texts from ``source``, the same for the same seed everywhere (all at once:
    use ``SequenceTexts`` for a range of a large data set)."""
    return SequenceTexts(source, count, seed, unique).texts(0, count)


class SequenceTexts:
    """The texts of a data set, computable by range: ``texts(start, stop)`` costs stop - start.

    Checks the request (count, uniqueness) when made, so a stream that exists always works.
    """

    def __init__(self, source: SequenceSource, count: int, seed: int, unique: bool = False):
        if isinstance(count, bool) or not isinstance(count, (int, np.integer)):
            raise InputTypeError(f"count must be a whole number, got {count!r}", field="count")
        if not 1 <= count <= MAX_COUNT:
            raise InvalidInputError(f"count must be between 1 and {MAX_COUNT}, got {count}", field="count")
        self.source, self.count, self.seed, self.unique = source, int(count), int(seed), bool(unique)
        self._kind = source._texts(self.count, self.seed, self.unique)

    def __len__(self) -> int:
        return self.count

    def shapes(self, style: str = "gap") -> set[tuple[int, int]]:
        """Every (digits, separator gaps) a text of the stream can have: what a layout check needs."""
        return self._kind.shapes(style)

    def longest(self) -> tuple[int, int]:
        """(longest label, longest text) any text of the stream can have (npz pads to these)."""
        return self._kind.longest()

    def texts(self, start: int, stop: int) -> list[str]:
        start, stop = max(0, int(start)), min(self.count, int(stop))
        if start >= stop:
            return []
        return self._kind.texts(start, stop)


class _Texts:
    """A kind's part of SequenceTexts."""

    def shapes(self, style: str = "gap") -> set[tuple[int, int]]:
        raise NotImplementedError

    def longest(self) -> tuple[int, int]:
        raise NotImplementedError

    def texts(self, start: int, stop: int) -> list[str]:
        raise NotImplementedError


class _ListTexts(_Texts):
    """A list's texts in order, cycled."""

    def __init__(self, texts: tuple[str, ...], count: int):
        self.all, self.used = texts, texts[:count]

    def shapes(self, style: str = "gap") -> set[tuple[int, int]]:
        return _shapes_of(self.used, style)

    def longest(self) -> tuple[int, int]:
        return max(len(split_text(t)[0]) for t in self.used), max(map(len, self.used))

    def texts(self, start: int, stop: int) -> list[str]:
        return [self.all[i % len(self.all)] for i in range(start, stop)]


class _DrawnTexts(_Texts):
    """Texts drawn in blocks of TEXT_BLOCK, block b from (seed, b) alone.

    Drawn blocks are kept, up to KEPT_BYTES, as UTF-8 in fixed-width byte arrays (8 bytes a text
    of 8 digits, where a Python string takes about 60): a block costs about 1 ms (random lengths)
    to 5 ms (patterns) to draw, and a reader of 64 texts at a time, in order or shuffled, would
    otherwise draw the same block up to 64 times over. 64 MB holds some 8 million short texts."""

    KEPT_BYTES = 64 << 20

    def __init__(self, source: SequenceSource, count: int, seed: int, unique: bool):
        self.source, self.count, self.seed, self.unique = source, count, seed, unique
        self._kept: dict[int, np.ndarray] = {}
        self._kept_bytes = 0
        self._kept_lock = threading.Lock()

    def __getstate__(self):  # a copy in another process starts with nothing kept
        return dict(self.__dict__, _kept={}, _kept_bytes=0, _kept_lock=None)

    def __setstate__(self, state):
        self.__dict__.update(state, _kept_lock=threading.Lock())

    def _kept_block(self, block: int) -> np.ndarray:
        texts = self._kept.get(block)
        if texts is None:
            # Texts are digits and a pattern's separators: never a NUL, which the array would drop.
            texts = np.array([t.encode() for t in self._block(block)], dtype=np.bytes_)
            with self._kept_lock:
                while self._kept and self._kept_bytes + texts.nbytes > self.KEPT_BYTES:
                    self._kept_bytes -= self._kept.pop(next(iter(self._kept))).nbytes  # the oldest drawn
                self._kept[block] = texts
                self._kept_bytes += texts.nbytes
        return texts

    def shapes(self, style: str = "gap") -> set[tuple[int, int]]:
        return self.source.shapes(style)  # every length of a range, drawn or not

    def texts(self, start: int, stop: int) -> list[str]:
        out: list[str] = []
        for block in range(start // TEXT_BLOCK, (stop - 1) // TEXT_BLOCK + 1):
            first = block * TEXT_BLOCK
            texts = self._kept_block(block)[max(start, first) - first : min(stop, first + TEXT_BLOCK) - first]
            out += [text.decode() for text in texts.tolist()]
        return out

    def _block(self, block: int) -> list[str]:
        first = block * TEXT_BLOCK
        indices = np.arange(first, min(self.count, first + TEXT_BLOCK), dtype=np.int64)
        if not self.unique:  # independent of count: a whole block is drawn whatever is used
            indices = np.arange(first, first + TEXT_BLOCK, dtype=np.int64)
        return self.draw(seeding.sequence_texts_stream(self.seed, block), indices)

    def draw(self, rng: np.random.Generator, indices: np.ndarray) -> list[str]:
        raise NotImplementedError


class _PatternTexts(_DrawnTexts):
    def __init__(self, source: PatternSequences, count: int, seed: int, unique: bool):
        super().__init__(source, count, seed, unique)
        self._pattern = parse_pattern(source.pattern)
        self._digits = _Digits(self._pattern.choices, seed, ("pattern",), unique)

    def longest(self) -> tuple[int, int]:
        n = len(self._pattern.choices)
        return n, len(self._pattern.render("0" * n))

    def draw(self, rng: np.random.Generator, indices: np.ndarray) -> list[str]:
        digits = self._digits.draw(rng, indices)
        return [self._pattern.render(d) for d in digits] if any(self._pattern.runs) else digits


class _RandomTexts(_DrawnTexts):
    def __init__(self, source: RandomLengths, count: int, seed: int, unique: bool):
        super().__init__(source, count, seed, unique)
        self.low, self.high = source.min_length, source.max_length
        lengths = list(range(self.low, self.high + 1))
        self._lengths = [_Digits(("0123456789",) * n, seed, ("len", n), unique) for n in lengths]
        if unique:
            quotas = _length_quotas(lengths, count)
            self._cumulative = np.concatenate([[0], np.cumsum(quotas)]).astype(np.int64)
            self._order = _Permutation(count, seed, ("order",))

    def longest(self) -> tuple[int, int]:
        return self.high, self.high

    def draw(self, rng: np.random.Generator, indices: np.ndarray) -> list[str]:
        low, high = self.low, self.high
        if not self.unique:
            lengths = rng.integers(low, high + 1, size=len(indices))
            rows = rng.integers(0, 10, size=(len(indices), high)).astype(np.uint8) + ord("0")
            strings = rows.view(f"S{high}").ravel()
            return [strings[i][: lengths[i]].decode() for i in range(len(indices))]
        numbers = self._order(indices.astype(np.uint64)).astype(np.int64)
        buckets = np.searchsorted(self._cumulative, numbers, side="right") - 1
        texts = [""] * len(indices)
        for bucket in np.unique(buckets):
            members = np.flatnonzero(buckets == bucket)
            ranks = numbers[members] - self._cumulative[bucket]
            for j, text in zip(members, self._lengths[bucket].draw(rng, ranks)):
                texts[j] = text
        return texts


def _check_explicit_unique(texts: tuple[str, ...], count: int) -> None:
    seen: dict[str, int] = {}
    for number, text in enumerate(texts[:count], 1):
        if text in seen:
            raise InvalidInputError(
                f"sequence {number} ({text!r}) repeats sequence {seen[text]}; remove repeats or allow them",
                field="digits",
            )
        seen[text] = number
    if count > len(texts):
        raise InvalidInputError(
            f"cannot make {count} unique sequences from a list of {len(texts)}; ask for at most {len(texts)}",
            field="count",
        )


def _length_quotas(lengths: list[int], count: int) -> np.ndarray:
    """Share ``count`` evenly over the lengths, moving what a short length cannot hold (10
    sequences of length 1...) to the longer ones. Fails only when count exceeds the total,
    which is checked before."""
    quotas = np.full(len(lengths), count // len(lengths), dtype=np.int64)
    quotas[len(lengths) - count % len(lengths) :] += 1
    for i, n in enumerate(lengths[:-1]):
        excess = int(quotas[i]) - 10**n
        if excess > 0:
            quotas[i] -= excess
            quotas[i + 1] += excess
    return quotas


class _Digits:
    """Digit strings whose position p is drawn from ``choices[p]``; with ``unique`` the string of
    rank r is the permuted r-th number of the mixed-radix space (its last positions, when the
    space is larger than 2^62; the leading ones are then drawn freely)."""

    def __init__(self, choices: tuple[str, ...], seed: int, purpose: tuple, unique: bool):
        self.sizes = np.array([len(c) for c in choices], dtype=np.int64)
        self.table = np.full((len(choices), 10), ord("0"), dtype=np.uint8)
        for i, choice in enumerate(choices):
            self.table[i, : len(choice)] = np.frombuffer(choice.encode(), dtype=np.uint8)
        self.permuted_from = len(choices)  # positions [permuted_from:] come from the permutation
        self.permutation = None
        if unique:
            space = 1
            while (
                self.permuted_from > 0
                and space * int(self.sizes[self.permuted_from - 1]) <= _PERMUTATION_LIMIT
            ):
                self.permuted_from -= 1
                space *= int(self.sizes[self.permuted_from])
            self.permutation = _Permutation(space, seed, purpose)

    def draw(self, rng: np.random.Generator, ranks: np.ndarray) -> list[str]:
        n, positions = len(ranks), len(self.sizes)
        picks = (rng.random((n, positions)) * self.sizes).astype(np.int64)
        if self.permutation is not None:
            numbers = self.permutation(np.asarray(ranks, dtype=np.uint64))
            for p in range(positions - 1, self.permuted_from - 1, -1):
                picks[:, p] = (numbers % np.uint64(self.sizes[p])).astype(np.int64)
                numbers = numbers // np.uint64(self.sizes[p])
        chars = self.table[np.arange(positions), picks]
        return [s.decode() for s in np.ascontiguousarray(chars).view(f"S{positions}").ravel()]


class _Permutation:
    """A keyed bijection of [0, size), vectorised: a 4-round balanced Feistel network on the
    smallest even number of bits that covers ``size``, cycle-walked back into range (each
    step at most 4x the range, so a few rounds on average)."""

    ROUNDS = 4

    def __init__(self, size: int, seed: int, purpose: tuple):
        self.size = np.uint64(size)
        bits = max(2, (int(size) - 1).bit_length())
        bits += bits % 2
        self.half = np.uint64(bits // 2)
        self.mask = np.uint64((1 << (bits // 2)) - 1)
        self.keys = seeding.unique_permutation_keys(seed, tuple(_key_int(p) for p in purpose), self.ROUNDS)

    def __call__(self, values: np.ndarray) -> np.ndarray:
        out = self._once(values.astype(np.uint64))
        outside = out >= self.size
        while outside.any():
            out[outside] = self._once(out[outside])
            outside = out >= self.size
        return out

    def _once(self, values: np.ndarray) -> np.ndarray:
        left, right = values >> self.half, values & self.mask
        for key in self.keys:
            left, right = right, left ^ (_mix(right ^ key) & self.mask)
        return (left << self.half) | right


def _mix(z: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit changes every output bit (wraps mod 2^64)."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _key_int(part) -> int:
    if isinstance(part, int):
        return part
    return int.from_bytes(hashlib.sha256(str(part).encode()).digest()[:4], "little")
