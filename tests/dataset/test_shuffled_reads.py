"""Shuffled reads render only the items wanted (engine/picked.py), byte for byte as whole blocks
render them: the engine's picked route against generate_batch and compose over every
augmentation and spacing, fit, trim and separator setting; SequenceDataset's batched and single
reads against its in-order (whole block) reads; DistributedSampler over two ranks with set_epoch."""

from __future__ import annotations

import numpy as np
import pytest

from digitseq_gui import BLOCK_SIZE, Config, DigitSequence, SequenceDataset
from digitseq_gui.engine import sequences
from digitseq_gui.engine.augment import AUGMENTATIONS
from digitseq_gui.engine.compose import compose
from digitseq_gui.engine.errors import DigitSeqError
from digitseq_gui.engine.picked import Pick, compose_picked


def config_of(augmentations=(), **settings) -> Config:
    """A config with ``augmentations`` (names) on and ``settings`` ("image.fit": ...) set."""
    config = Config()
    for name, value in settings.items():
        section, key = name.split("__")
        setattr(getattr(config, section), key, value)
    if augmentations:
        config.image.transform = True
        for spec in AUGMENTATIONS:
            config.image.augmentations[spec.name].enabled = spec.name in augmentations
    return config


ALL = tuple(spec.name for spec in AUGMENTATIONS)
CONFIGS = {
    "default": config_of(),
    "every augmentation": config_of(ALL),
    **{f"{name} only": config_of((name,)) for name in ALL},
    "fixed spacing, edge, keep-aspect": config_of(
        spacing__type="fixed", spacing__subtype="edge", spacing__min=0, image__fit="keep-aspect"
    ),
    "variable, edge, classic augmentation": config_of(
        ("rotate", "shear", "scale", "blur"), spacing__subtype="edge"
    ),
    "overlapping digits, trimmed": config_of(
        ("elastic", "stroke"), spacing__min=-4, spacing__max=2, image__trim_padding=True
    ),
    "keep-aspect, height 40, wide": config_of(
        ("crop", "noise"), image__fit="keep-aspect", image__height=40, image__width=260
    ),
    "fixed, trimmed, dropout": config_of(
        ("dropout",), spacing__type="fixed", image__trim_padding=True, image__width=280
    ),
}


def random_picks(
    rng, count: int, seed: int, texts: list[str], first_block: int
) -> tuple[list[Pick], list[int]]:
    """Random subsets of random blocks of ``texts`` (1, a few or all of a block), and the indices
    (into ``texts``) they keep, in order."""
    picks, wanted = [], []
    blocks = list(range((len(texts) + BLOCK_SIZE - 1) // BLOCK_SIZE))
    for b in rng.permutation(blocks)[: max(1, len(blocks) - 1)].tolist():
        block = texts[b * BLOCK_SIZE : (b + 1) * BLOCK_SIZE]
        size = int(rng.choice([1, 2, 5, len(block)]))
        keep = sorted(rng.choice(len(block), size=min(size, len(block)), replace=False).tolist())
        picks.append(Pick(seed, first_block + b, tuple(block), tuple(keep)))
        wanted += [b * BLOCK_SIZE + j for j in keep]
    return picks, wanted


@pytest.mark.parametrize("name", list(CONFIGS))
def test_picked_images_are_the_whole_blocks_images(name):
    generator = DigitSequence(CONFIGS[name], seed=0)
    rng = np.random.default_rng(len(name))
    texts = sequences.make_sequences(sequences.random_lengths(1, 8), 3 * BLOCK_SIZE + 21, 4)
    for as_uint8, image_augmentation in ((True, True), (False, True), (True, False)):
        whole = generator.generate_batch(
            texts,
            seed=17,
            first_index=2 * BLOCK_SIZE,
            as_uint8=as_uint8,
            image_augmentation=image_augmentation,
        )
        picks, wanted = random_picks(rng, len(texts), 17, texts, first_block=2)
        got = generator.generate_picked(picks, as_uint8=as_uint8, image_augmentation=image_augmentation)
        assert got.images.dtype == whole.images.dtype and len(got) == len(wanted)
        assert got.images.tobytes() == whole.images[wanted].tobytes(), name
        assert got.labels == [whole.labels[i] for i in wanted]
        assert got.writer.tolist() == whole.writer[wanted].tolist()
        for row, i in enumerate(wanted):
            assert np.array_equal(got.boxes[row], whole.boxes[i])
            assert np.array_equal(got.source_indices[row], whole.source_indices[i])
            assert np.array_equal(got.writers[row], whole.writers[i])


SEPARATED = {
    "pattern, one separator count": (sequences.pattern("0[789]0-####-##"), True),
    "list mixing separator counts": (
        sequences.explicit(["007", "12-34", "5-6-7", "0123456", "9", "4/5", "31.12.99"]),
        False,
    ),
}


@pytest.mark.parametrize("config_name", ["default", "every augmentation", "overlapping digits, trimmed"])
@pytest.mark.parametrize("source_name", list(SEPARATED))
def test_picked_compose_is_compose_with_separators(config_name, source_name):
    source, uniform = SEPARATED[source_name]
    generator = DigitSequence(CONFIGS[config_name], seed=0)
    texts = sequences.make_sequences(source, 2 * BLOCK_SIZE + 9, 8)
    rng = np.random.default_rng(3)
    for separator_width in (0, 7):
        whole = compose(
            generator, texts, 99, separator_width, first_index=5 * BLOCK_SIZE, uniform_separators=uniform
        )
        blocks, wanted = [], []
        for b in (2, 0, 1):
            block = texts[b * BLOCK_SIZE : (b + 1) * BLOCK_SIZE]
            keep = sorted(rng.choice(len(block), size=min(4, len(block)), replace=False).tolist())
            blocks.append((5 + b, block, keep))
            wanted += [b * BLOCK_SIZE + j for j in keep]
        got = compose_picked(generator, blocks, 99, separator_width, uniform_separators=uniform)
        assert got.images.tobytes() == whole.images[wanted].tobytes()
        assert got.texts == [texts[i] for i in wanted] and got.labels == [whole.labels[i] for i in wanted]
        assert got.writer.tolist() == whole.writer[wanted].tolist()
        for row, i in enumerate(wanted):
            assert np.array_equal(got.boxes[row], whole.boxes[i])
            assert np.array_equal(got.sources[row], whole.sources[i])
            assert np.array_equal(got.writers[row], whole.writers[i])


def _with(config: Config, **sections) -> Config:
    """``config`` with ``sections`` ({"sampling": {"writer": "same"}}) merged in."""
    document = config.to_dict()
    for section, values in sections.items():
        document[section] = {**document.get(section, {}), **values}
    return Config.from_dict(document)


# Writers and drawn symbols are drawn per image, so picks serve them exactly (engine.picked.serves).
PER_IMAGE = {
    "writer same": (_with(CONFIGS["default"], sampling={"writer": "same"}), "gap"),
    "writer same, every augmentation": (
        _with(CONFIGS["every augmentation"], sampling={"writer": "same"}),
        "gap",
    ),
    "drawn symbols, noise": (
        _with(CONFIGS["keep-aspect, height 40, wide"], separators={"style": "drawn"}),
        "drawn",
    ),
    "drawn symbols, writer same, augmentation": (
        _with(
            CONFIGS["variable, edge, classic augmentation"],
            separators={"style": "drawn"},
            sampling={"writer": "same"},
        ),
        "drawn",
    ),
}
PER_IMAGE_TEXTS = ["12/05/2024", "090-1234-5678", "3.14", "77", "1 234 567", "12:30", "0-1"]
# Runs before the first and after the last digit (a drawn character, or a gap at the edge).
PER_IMAGE_TEXTS += ["(03)1234-5678", "+81 90-12", "12.50-", "-5", "_7_", "(555) 12"]


@pytest.mark.parametrize("name", list(PER_IMAGE))
def test_writers_and_drawn_symbols_are_picked_exactly(name):
    from digitseq_gui.engine.picked import serves

    config, _ = PER_IMAGE[name]
    assert serves(config)
    generator = DigitSequence(config, seed=0)
    texts = (PER_IMAGE_TEXTS * 40)[: 2 * BLOCK_SIZE + 13]
    rng = np.random.default_rng(5)
    for uniform in (False,):
        whole = compose(generator, texts, 31, 6, first_index=3 * BLOCK_SIZE, uniform_separators=uniform)
        blocks, wanted = [], []
        for b in (1, 2, 0):
            block = texts[b * BLOCK_SIZE : (b + 1) * BLOCK_SIZE]
            keep = sorted(rng.choice(len(block), size=min(5, len(block)), replace=False).tolist())
            blocks.append((3 + b, block, keep))
            wanted += [b * BLOCK_SIZE + j for j in keep]
        got = compose_picked(generator, blocks, 31, 6, uniform_separators=uniform)
        assert got.images.tobytes() == whole.images[wanted].tobytes(), name
        assert got.labels == [whole.labels[i] for i in wanted]
        assert got.writer.tolist() == whole.writer[wanted].tolist()
        for row, i in enumerate(wanted):
            assert np.array_equal(got.boxes[row], whole.boxes[i])
            assert np.array_equal(got.sources[row], whole.sources[i])
            assert np.array_equal(got.writers[row], whole.writers[i])
    digits_only = sequences.make_sequences(sequences.random_lengths(2, 7), BLOCK_SIZE + 30, 2)
    whole_batch = generator.generate_batch(digits_only, seed=8, as_uint8=True)
    picks = [
        Pick(8, 1, tuple(digits_only[BLOCK_SIZE:]), (0, 7, 29)),
        Pick(8, 0, tuple(digits_only[:BLOCK_SIZE]), (3,)),
    ]
    wanted = [BLOCK_SIZE, BLOCK_SIZE + 7, BLOCK_SIZE + 29, 3]
    got_batch = generator.generate_picked(picks, as_uint8=True)
    assert got_batch.images.tobytes() == whole_batch.images[wanted].tobytes()
    assert got_batch.writer.tolist() == whole_batch.writer[wanted].tolist()


# The finishing stage draws for a whole block at once: SequenceDataset renders whole blocks.
FINISHED = {
    "ruled paper": {"paper": {"lines": "ruled"}},
    "blue ink, rgb": {"ink": {"color": "blue"}, "image": {"color": "rgb"}},
    "capture": {"capture": {"enabled": True}},
}


@pytest.mark.parametrize("name", list(FINISHED))
def test_finishing_configs_fall_back_to_whole_blocks_with_the_same_items(name):
    from digitseq_gui.engine.picked import serves

    config = _with(CONFIGS["variable, edge, classic augmentation"], **FINISHED[name])
    assert not serves(config)
    with pytest.raises(DigitSeqError, match="render whole blocks"):
        compose_picked(DigitSequence(config, seed=0), [(0, ["12", "34"], [1])], 1, 5)
    settings = dict(count=300, pattern="##-###", seed=6, separator_width=4, config=config, writer="same")
    in_order = SequenceDataset(**settings)
    expected = [in_order.block(b) for b in range((len(in_order) + BLOCK_SIZE - 1) // BLOCK_SIZE)]
    shuffled = SequenceDataset(**settings)
    assert not shuffled._picks_exactly
    order = np.random.default_rng(2).permutation(len(shuffled)).tolist()
    batches = [order[:40], order[40:41], order[41:105]]
    for batch in batches:
        items = shuffled.__getitems__(batch)
        assert [item["index"] for item in items] == batch
        for item in items:
            images, labels, boxes = expected[item["index"] // BLOCK_SIZE]
            j = item["index"] % BLOCK_SIZE
            assert item["image"].tobytes() == images[j].tobytes(), (name, item["index"])
            assert item["label"] == labels[j] and np.array_equal(item["boxes"], boxes[j])


def test_bad_picks_say_what_to_change():
    with pytest.raises(DigitSeqError, match="keep must be one or more increasing"):
        Pick(1, 0, ("12", "34"), (1, 0))
    with pytest.raises(DigitSeqError, match="keep must be one or more increasing"):
        Pick(1, 0, ("12", "34"), (2,))
    with pytest.raises(DigitSeqError, match="keep must be one or more increasing"):
        Pick(1, 0, ("12", "34"), ())
    with pytest.raises(DigitSeqError, match="a block holds 1 to 64"):
        Pick(1, 0, ("1",) * 65, (0,))
    with pytest.raises(DigitSeqError, match="picks must be"):
        DigitSequence(seed=0).generate_picked([])


DATASETS = {
    "drawn symbols, writer same, augmentation and noise": dict(
        count=400,
        pattern="##/##/####",
        seed=9,
        split="train",
        separator_width=3,
        writer="same",
        config=_with(config_of(("rotate", "noise")), separators={"style": "drawn"}),
    ),
    "lengths, train split": dict(count=700, lengths=(3, 8), seed=2, split="train"),
    "pattern with separators, val split, augmentation and noise": dict(
        count=900,
        pattern="0[789]0-####-##",
        seed=4,
        split="val",
        splits="train=0.6,val=0.4",
        separator_width=5,
        config=config_of(("rotate", "elastic", "noise")),
    ),
    "leading and trailing symbols, drawn, writer same, augmentation and noise": dict(
        sequences=["(03)1234-5678", "+81 90-12", "12.50-", "1.234.-", "-5", "+3", "(7)", "_8 "] * 40,
        seed=6,
        separator_width=4,
        writer="same",
        config=_with(config_of(("shear", "noise")), separators={"style": "drawn"}),
    ),
    "leading and trailing separators as gaps": dict(
        sequences=["(03)1234-5678", "+81 90-12", "12.50-", "-5", "42"] * 60,
        seed=7,
        config=config_of(("rotate", "noise")),
    ),
    "list mixing separator counts, augmentation": dict(
        sequences=["007", "12-34", "5-6-7", "0123456", "9"] * 60,
        seed=5,
        config=config_of(("shear", "dropout", "crop")),
    ),
}


@pytest.mark.parametrize("name", list(DATASETS))
def test_shuffled_batches_and_single_items_are_the_items_read_in_order(name):
    settings = DATASETS[name]
    in_order = SequenceDataset(**settings)
    expected = [in_order.block(b) for b in range((len(in_order) + BLOCK_SIZE - 1) // BLOCK_SIZE)]

    def check(item):
        images, labels, boxes = expected[item["index"] // BLOCK_SIZE]
        writer, writers = writer_of[item["index"] // BLOCK_SIZE]
        j = item["index"] % BLOCK_SIZE
        assert item["image"].tobytes() == images[j].tobytes(), (name, item["index"])
        assert item["label"] == labels[j] and np.array_equal(item["boxes"], boxes[j])
        assert item["writer"] == writer[j] and np.array_equal(item["writers"], writers[j])

    writer_of = {b: in_order._cached_block(b)[1][3:] for b in range(len(expected))}
    shuffled = SequenceDataset(**settings)
    order = np.random.default_rng(1).permutation(len(shuffled)).tolist()
    for start in range(0, len(order), 64):  # batches as a DataLoader asks for them
        batch = order[start : start + 64]
        items = shuffled.__getitems__(batch)
        assert [item["index"] for item in items] == batch
        for item in items:
            check(item)
    single = SequenceDataset(**settings)
    for index in order[:40]:
        check(single[index])


def test_one_item_renders_only_itself_and_reading_on_renders_the_block():
    dataset = SequenceDataset(500, lengths=(2, 6), seed=3)
    item = dataset[200]
    assert dataset._block is None  # the one item, not its block
    assert dataset[201]["index"] == 201 and dataset._block[0] == 201 // BLOCK_SIZE  # in order: whole block
    assert dataset[200]["image"].tobytes() == item["image"].tobytes()
    dataset.__getitems__(list(range(320, 360)))  # most of a block: whole
    assert dataset._block[0] == 5


def test_distributed_sampler_epochs_cover_every_index_once_with_the_in_order_items():
    pytest.importorskip("torch")
    from torch.utils.data import DataLoader, DistributedSampler

    from digitseq_gui import collate_ctc

    settings = dict(
        count=800, lengths=(3, 7), seed=12, split="train", config=config_of(("rotate", "blur", "noise"))
    )
    reference = SequenceDataset(**settings)
    expected = {}
    for b in range((len(reference) + BLOCK_SIZE - 1) // BLOCK_SIZE):
        images, labels, _ = reference.block(b)
        for j, image in enumerate(images):
            expected[b * BLOCK_SIZE + j] = (image.tobytes(), labels[j])
    dataset = SequenceDataset(**settings)
    orders = {}
    for epoch in (0, 1):
        seen = []
        for rank in (0, 1):
            sampler = DistributedSampler(dataset, num_replicas=2, rank=rank, shuffle=True, seed=3)
            sampler.set_epoch(epoch)
            # workers by spawn: the test process has threads by now, and fork() under threads may
            # deadlock (Python 3.13 warns); spawn also gets the data set pickled, the strict case
            workers = {"num_workers": 2, "multiprocessing_context": "spawn"} if epoch else {}
            loader = DataLoader(dataset, batch_size=64, sampler=sampler, collate_fn=collate_ctc, **workers)
            for batch in loader:
                for row, index in enumerate(batch["indices"].tolist()):
                    assert (batch["images"][row].numpy().tobytes(), batch["labels"][row]) == expected[index]
                    seen.append(index)
            orders[epoch, rank] = list(sampler)
        assert sorted(seen) == list(range(len(dataset)))  # every index once per epoch, over both ranks
    assert orders[0, 0] != orders[1, 0]  # set_epoch reshuffles


def _states(pipeline) -> str:  # the children's: the Sequential's own is unused (no random order)
    assert not pipeline.random_order
    return repr([child.random_state.generator.bit_generator.state for child in pipeline])


def test_fast_seeding_gives_imgaugs_own_random_states():
    from digitseq_gui.engine.augment import DigitAugmenter, _seeded

    augmenter = DigitAugmenter({spec.name: spec.default for spec in AUGMENTATIONS})
    for pipeline in augmenter._pipelines:
        for seed in (0, 1, 77, 2**32 - 1):
            pipeline.seed_(seed)
            expected = _states(pipeline)
            _seeded(pipeline, seed)
            assert _states(pipeline) == expected
