"""The preview's samples: what to draw for a sequence text, and drawing a few of them.

A small adapter over the engine and the export path, so the window can show what the engine
makes for patterns and separators without knowing pixels itself:

- the text is parsed by ``engine.sequences`` (a pattern such as ``0[789]0-####-####`` draws new
  digits for every sample with ``make_sequences``; plain digits are the same in every sample);
- the pixels come from ``engine.compose``, the route an export takes: separators become blank
  gaps (the digits are made at the width minus the gaps), and noise goes on after the gaps.

Sample 0 is one ``generate`` call for the seed (so ``digitseq generate DIGITS --seed S`` makes
exactly it); the others come in small batches, batch b from block b + 1 of the same seed, so a
seed gives the same grid every time and the window can show sample 0 before the rest exist.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine.compose import compose
from ..engine.errors import InvalidInputError
from ..engine.finish import is_plain
from ..engine.generator import BLOCK_SIZE, DigitSequence, SequenceImage
from ..engine.sequences import make_sequences, parse_pattern
from ..engine.sequences import pattern as pattern_source

DIGITS_PER_BATCH = 40  # imgaug is much cheaper per digit in batches; this keeps one batch ~10 ms


@dataclass(frozen=True)
class Sample:
    image: np.ndarray  # (28, W) uint8, 255 = white
    boxes: np.ndarray  # (n, 4) int32
    label: str  # the digits
    text: str  # with separators
    sources: np.ndarray  # the digits' rows in the data file


def sample_texts(text: str, count: int, seed: int) -> list[str]:
    """``count`` sequence texts for ``text``: the same text, or draws from a pattern."""
    if not text.strip():
        raise InvalidInputError(
            "the sequence is empty; type at least one digit (e.g. 0123) or a pattern (e.g. 0##-####)",
            field="digits",
        )
    parsed = parse_pattern(text)
    if parsed.capacity == 1:
        return [parsed.render("".join(c for (c,) in parsed.choices))] * count
    return make_sequences(pattern_source(text), count, seed)


def batch_size(digit_count: int) -> int:
    return max(1, DIGITS_PER_BATCH // max(1, digit_count))


def make_samples(
    generator: DigitSequence, texts: list[str], seed: int, block: int, separator_width: int
) -> list[Sample]:
    """``texts`` (all with the same separators) drawn from block ``block`` of ``seed`` by the
    engine's route from text to pixels, noise after the gaps when there are gaps."""
    composed = compose(
        generator, list(texts), seed, separator_width, first_index=block * BLOCK_SIZE, noise_after_gaps="gaps"
    )
    return [
        Sample(composed.images[i], composed.boxes[i], composed.labels[i], texts[i], composed.sources[i])
        for i in range(len(texts))
    ]


def first_sequence(
    generator: DigitSequence, text: str, seed: int, separator_width: int
) -> tuple[Sample, SequenceImage]:
    """Sample 0 and its float image (what File > Save writes). Without separators it is exactly
    ``generator.generate(digits, seed=seed)``, the command line's image (with ink, paper, colour
    or capture, both are ``compose``'s)."""
    parsed = parse_pattern(text)
    if not any(parsed.separators_after) and is_plain(generator.config):
        label = "".join(c for (c,) in parsed.choices)
        sequence = generator.generate(label, seed=seed)
        image = np.rint(sequence.image * 255).astype(np.uint8)
        return Sample(image, sequence.boxes, label, text, sequence.source_indices), sequence
    sample = make_samples(generator, [text], seed, 0, separator_width)[0]
    sequence = SequenceImage(
        sample.image.astype(np.float32) / np.float32(255), sample.label, sample.boxes, sample.sources, seed
    )
    return sample, sequence
