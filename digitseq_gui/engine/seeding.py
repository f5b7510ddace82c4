"""Every rule that makes output reproducible, with its constants, in one place.

A call of ``generate``/``generate_batch`` has one seed (given, or drawn from the generator's
session stream). Its images are cut into blocks of BLOCK_SIZE: block ``b`` (image ``i`` is in
block ``(first_index + i) // BLOCK_SIZE``) draws everything from one counter-based Philox stream
keyed (seed, b), always in this order (``draw_block``):

1. one uniform double per digit of the block, image after image: which image of its label;
2. variable spacing only: every gap of the block, image after image, uniform in [min, max];
3. augmentation only: two seeds below AUGMENTER_SEED_BOUND, for the per-digit pipeline and the
   whole-image pipeline (last, so a configuration without augmentation draws the same digits);
4. ``sampling.writer = same`` only: one uniform double per image, which writer draws it (after
   everything else, so ``any`` draws exactly what it always drew, and ``same`` reuses the
   uniforms of step 1 to pick each digit among its writer's images).

A block is generated in one go, so the same seed gives byte-identical images however a batch is
cut into chunks (multiples of BLOCK_SIZE) and however many processes make them. Exports derive
their seeds here too (part, separator group), from ``numpy.random.SeedSequence`` spawn
keys whose tags below must never change.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import NamedTuple, TypeGuard

import numpy as np

from .errors import InputTypeError, InvalidInputError

BLOCK_SIZE = 64  # images per Philox stream
MAX_SEED = 2**63 - 1  # seeds are non-negative int64
AUGMENTER_SEED_BOUND = 2**32  # imgaug seeds its random states with 32-bit integers
# SeedSequence spawn-key tags of derived seeds (exports, sequence texts).
PART_TAG = 0x5B1
SEPARATOR_GROUP_TAG = 0x5E9
NOISE_TAG = 0x4015E  # retired (issue 17: noise takes the block's own seed); never reuse it
SEQUENCE_TEXTS_TAG = 0x5E0
SEQUENCE_TEXTS_BLOCK = 4096  # sequence texts drawn per stream: text i is in block i // 4096
UNIQUE_PERMUTATION_TAG = 0x5E1  # the keyed permutation behind unique sequence texts
TRAINING_STREAM_TAG = 0x57E4  # dataset.SequenceStream's blocks, apart from the export's part and block seeds
FINISH_TAG = 0xF1A15  # ink, paper and capture of a block (finish.py), apart from every other draw


def is_int(value: object) -> TypeGuard[int | np.integer]:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def check_seed(seed: object) -> int:
    if not is_int(seed):
        raise InputTypeError(f"seed must be a whole number, got {seed!r}", field="seed")
    if not 0 <= int(seed) <= MAX_SEED:
        raise InvalidInputError(f"seed must be between 0 and {MAX_SEED}, got {seed}", field="seed")
    return int(seed)


MAX_FIRST_INDEX = 2**63 - BLOCK_SIZE  # block numbers are part of a 64-bit Philox key


def check_first_index(first_index: object) -> int:
    if not is_int(first_index) or not 0 <= first_index <= MAX_FIRST_INDEX or first_index % BLOCK_SIZE:
        raise InvalidInputError(
            f"first_index must be a non-negative multiple of {BLOCK_SIZE} "
            f"up to {MAX_FIRST_INDEX}, got {first_index}",
            field="first_index",
        )
    return int(first_index)


def session_stream(seed: int | None) -> np.random.Generator:
    """The stream of per-call seeds of one DigitSequence (None: fresh entropy)."""
    return np.random.default_rng(None if seed is None else check_seed(seed))


def next_call_seed(session: np.random.Generator) -> int:
    return int(session.integers(0, MAX_SEED))


def blocks(count: int, first_index: int) -> Iterator[tuple[int, int, int]]:
    """(start, stop, block number) of each block of a call's ``count`` images."""
    for start in range(0, count, BLOCK_SIZE):
        yield start, min(count, start + BLOCK_SIZE), (first_index + start) // BLOCK_SIZE


class BlockDraws(NamedTuple):
    uniforms: np.ndarray  # (digits,) float64 in [0, 1): which image of each digit's label
    gaps: np.ndarray | None  # (gaps,) int64, variable spacing only
    digit_seed: int | None  # per-digit augmentation, augmented configurations only
    image_seed: int | None  # whole-image augmentation
    writer_uniforms: np.ndarray | None = None  # (images,) float64, sampling.writer = same only


class OneDraws(NamedTuple):
    """``BlockDraws`` of a block of one image, as plain Python numbers (``draw_one``)."""

    uniforms: list[float]
    gaps: list[int] | None
    digit_seed: int | None
    image_seed: int | None


def augmentation_seed(seed: int | None) -> int:
    """A draw's augmentation seed, which is drawn whenever the configuration augments."""
    if seed is None:
        raise ValueError("no augmentation seed was drawn: the draws were made for no augmentation")
    return seed


# One Philox bit generator per thread, re-keyed per block: setting its state costs a fifth of
# constructing one (which also gathers OS entropy it would then throw away).
_LOCAL = threading.local()


def block_stream(seed: int, block: int) -> np.random.Generator:
    """The random stream of block ``block`` of seed ``seed``: ``Philox(key=[seed, block])``
    from its start (counter 0, nothing buffered). The generator is this thread's one, re-keyed:
    draw from it before the next call in the same thread."""
    local = _LOCAL.__dict__
    if "stream" not in local:
        local["stream"] = np.random.Generator(np.random.Philox(key=[0, 0]))
        # Lists, not arrays: the setter reads the state item by item, and list items are cheap.
        local["state"] = {
            "bit_generator": "Philox",
            "state": {"counter": [0, 0, 0, 0], "key": [0, 0]},
            "buffer": [0, 0, 0, 0],
            "buffer_pos": 4,
            "has_uint32": 0,
            "uinteger": 0,
        }
    local["state"]["state"]["key"] = [seed, block]
    stream = local["stream"]
    stream.bit_generator.state = local["state"]
    return stream


def draw_block(
    seed: int,
    block: int,
    digit_count: int,
    gap_count: int | None,
    low: int,
    high: int,
    augmented: bool,
    writer_images: int | None = None,
) -> BlockDraws:
    """Everything block ``block`` draws, in the fixed order. ``gap_count`` None: fixed spacing
    (no gaps drawn); ``writer_images``: the block's image count when each image draws a writer."""
    stream = block_stream(seed, block)
    uniforms = stream.random(digit_count)
    gaps = None if gap_count is None else stream.integers(low, high + 1, size=gap_count, dtype=np.int64)
    digit_seed = image_seed = None
    if augmented:
        digit_seed, image_seed = stream.integers(0, AUGMENTER_SEED_BOUND, size=2).tolist()
    writer_uniforms = None if writer_images is None else stream.random(writer_images)
    return BlockDraws(uniforms, gaps, digit_seed, image_seed, writer_uniforms)


def draw_one(
    seed: int, digit_count: int, gap_count: int | None, low: int, high: int, augmented: bool
) -> OneDraws:
    """``draw_block(seed, 0, ...)`` for a block of one image, as Python lists and ints: the same
    numbers, derived in plain Python from the stream's raw 64-bit words the way numpy derives
    them (a double from the top 53 bits; a bounded integer by Lemire's method on 32-bit halves),
    because numpy's per-call cost dominates at this size. A test holds the two equal."""
    words = block_stream(seed, 0).bit_generator.random_raw
    raw = words(digit_count).tolist()
    uniforms = [(r >> 11) * _DOUBLE_UNIT for r in raw]
    halves: list[int] = []  # numpy's next_uint32: the low half of a fresh word, then its high half

    def next_uint32() -> int:
        if not halves:
            word = int(words())
            halves.extend((word >> 32, word & 0xFFFFFFFF))
        return halves.pop()

    gaps: list[int] | None = None
    if gap_count is not None and high == low:
        gaps = [low] * gap_count  # numpy draws nothing for a single value
    elif gap_count is not None:
        span = high - low + 1  # numpy's bounded integers below 2**32: Lemire with rejection
        threshold = (0xFFFFFFFF - (high - low)) % span
        gaps = []
        for _ in range(gap_count):
            product = next_uint32() * span
            while (product & 0xFFFFFFFF) < threshold:
                product = next_uint32() * span
            gaps.append(low + (product >> 32))
    if not augmented:
        return OneDraws(uniforms, gaps, None, None)
    return OneDraws(uniforms, gaps, next_uint32(), next_uint32())  # integers(0, 2**32): plain halves


_DOUBLE_UNIT = 1.0 / 9007199254740992.0  # 2**-53


def whole_image_seed(seed: int) -> int:
    """The seed of ``augment_whole_images`` for a caller's seed."""
    return check_seed(seed) % AUGMENTER_SEED_BOUND


# -- seeds derived for exports and sequence texts ---------------------------------------------


def _derived(seed: int, spawn_key: tuple[int, ...], dtype=np.uint64) -> int:
    return int(np.random.SeedSequence(seed, spawn_key=spawn_key).generate_state(1, dtype)[0])


def part_seed(seed: int, number: int) -> int:
    """The seed of part (split) ``number`` of an export with splits (below MAX_SEED)."""
    return _derived(seed, (PART_TAG, number)) >> 1


def separator_group_seed(part: int, block: int, separators: int) -> int:
    """The seed of the images of a block that share a separator count, when a part mixes counts."""
    return _derived(part, (block, separators, SEPARATOR_GROUP_TAG)) >> 1


def finish_stream(seed: int, block: int) -> np.random.Generator:
    """The stream of block ``block``'s finishing stage (ink, paper, capture; finish.py), drawn
    in that order. Derived from the part's (or call's) seed alone, so any chunking, batch size or
    worker count gives the same bytes, and the digits' own draws never change."""
    return np.random.Generator(np.random.Philox(np.random.SeedSequence(seed, spawn_key=(block, FINISH_TAG))))


def sequence_texts_stream(seed: int, block: int) -> np.random.Generator:
    """The stream that draws block ``block`` of a data set's sequence texts."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(SEQUENCE_TEXTS_TAG, block)))


def unique_permutation_keys(seed: int, purpose: tuple[int, ...], rounds: int) -> np.ndarray:
    """The round keys of the permutation that numbers unique sequence texts."""
    return np.random.SeedSequence(seed, spawn_key=(UNIQUE_PERMUTATION_TAG, *purpose)).generate_state(
        rounds, np.uint64
    )


def training_stream_seeds(seed: int, epoch: int, block: int) -> np.ndarray:
    """Two 64-bit words seeding block ``block`` of epoch ``epoch`` of an endless training stream."""
    return np.random.SeedSequence(seed, spawn_key=(TRAINING_STREAM_TAG, epoch, block)).generate_state(
        2, np.uint64
    )
