"""One route from text to pixels: ``generate`` and ``generate_batch`` take sequence texts with
separators through ``engine.compose``, and give the image an export gives for that text and
seed, noise included (one noise rule: last, over the gaps, with the block's own seed)."""

from __future__ import annotations

import numpy as np
import pytest

from digitseq_gui import Config, DigitSequence
from digitseq_gui.engine import sequences
from digitseq_gui.engine.augment import AUGMENTATIONS
from digitseq_gui.engine.compose import compose
from digitseq_gui.engine.data.writers import embedded_writers
from digitseq_gui.export.parts import ImagesSpec, plan_parts, render_texts

NOISY = {"image": {"transform": True}}  # the classic augmentations: rotate, shear, scale, blur, noise...
ONLY_NOISE = {  # noise alone, at its default strength: the whole-image augmentation
    "image": {
        "transform": True,
        "augmentations": {
            a.name: {"enabled": a.name == "noise", "strength": a.default} for a in AUGMENTATIONS
        },
    }
}
TEXTS = ["090-1234-5678", "12/05/2024", "1.50", "0123"]


def generator(document: dict) -> DigitSequence:
    return DigitSequence(Config.from_dict(document), seed=0)


def exported(document: dict, texts: list[str], seed: int) -> np.ndarray:
    parts = plan_parts(ImagesSpec(sequences.explicit(texts), None, Config.from_dict(document), seed))
    part = parts.parts[0]
    return render_texts(part.render, 0, parts.texts(part, 0, part.count)).images


@pytest.mark.parametrize("document", [{}, NOISY], ids=["plain", "transform"])
@pytest.mark.parametrize("text", TEXTS)
def test_generate_gives_the_exported_image_of_a_text(document, text):
    image = generator(document).generate(text, seed=11).image
    assert image.dtype == np.float32
    np.testing.assert_array_equal(np.rint(image * 255).astype(np.uint8), exported(document, [text], 11)[0])


@pytest.mark.parametrize("document", [{}, ONLY_NOISE], ids=["plain", "noise"])
def test_generate_batch_of_separator_texts_is_compose(document):
    g = generator(document)
    texts = ["090-1234-5678", "080-9876-5432"] * 40  # two blocks, the same separators
    batch = g.generate_batch(texts, seed=5, as_uint8=True)
    composed = compose(g, texts, 5, 10)
    np.testing.assert_array_equal(batch.images, composed.images)
    assert batch.labels == [t.replace("-", "") for t in texts]
    assert [b.tolist() for b in batch.boxes] == [b.tolist() for b in composed.boxes]
    floats = g.generate_batch(texts, seed=5).images
    np.testing.assert_array_equal(np.rint(floats * 255).astype(np.uint8), batch.images)


def test_noise_after_the_gaps_is_the_batch_noise_for_texts_without_gaps():
    """The one noise rule keeps every digits-only image: compose's late noise, with the block's
    own seed, is exactly the noise generate_batch puts on in the batch."""
    g = generator(ONLY_NOISE)
    texts = ["0123", "98765", "4444"] * 30
    np.testing.assert_array_equal(
        compose(g, texts, 3, 10).images, g.generate_batch(texts, seed=3, as_uint8=True).images
    )


def test_the_noise_covers_the_gaps():
    g = generator(ONLY_NOISE)
    composed = compose(g, ["12-34"], 3, 20)
    boxes = composed.boxes[0]
    gap = composed.images[0][:, boxes[1][2] + 1 : boxes[2][0] - 1]
    assert gap.size and (gap < 255).any()  # grain in the gap, as in the rest of the image


def test_mixed_separator_counts_are_seeded_per_group_and_chunk_free():
    g = generator(ONLY_NOISE)
    texts = ["1-2", "345", "6/7/8", "90"] * 40
    whole = g.generate_batch(texts, seed=9, as_uint8=True)
    first = g.generate_batch(texts[:64], seed=9, as_uint8=True, first_index=0)
    np.testing.assert_array_equal(whole.images[:64], first.images)


def test_every_result_carries_its_digits_writers():
    g = DigitSequence(seed=0)
    writers = embedded_writers("train")
    one = g.generate("090-1234-5678", seed=2)
    np.testing.assert_array_equal(one.writers, writers[one.source_indices])
    assert one.writer == -1  # writer any: no one writer
    plain = g.generate("0123", seed=2)
    np.testing.assert_array_equal(plain.writers, writers[plain.source_indices])
    batch = g.generate_batch(["0123", "45-67"], seed=2)
    for i in range(2):
        np.testing.assert_array_equal(batch.writers[i], writers[batch.source_indices[i]])
    assert batch.writer.tolist() == [-1, -1]


def test_a_data_set_without_writers_reports_minus_one(tmp_path):
    from digitseq_gui.engine.data.dataset import load_dataset

    dataset = load_dataset("mnist", "test")
    plain = type(dataset)(images=dataset.images, labels=dataset.labels, name="no writers", fingerprint="x")
    result = DigitSequence(dataset=plain, seed=0).generate("12-3", seed=1)
    assert result.writers.tolist() == [-1, -1, -1]
