"""What to generate: patterns, length ranges, explicit lists, uniqueness, leading zeros."""

from __future__ import annotations

import pytest

from digitseq_gui import InputTypeError, InvalidInputError
from digitseq_gui.engine import sequences as seq


def test_pattern_parsing():
    p = seq.parse_pattern("0##-####-####")
    assert len(p.choices) == 11
    assert p.choices[0] == "0" and p.choices[1] == "0123456789"
    assert p.separators_after[2] == "-" and p.separators_after[6] == "-"
    assert p.capacity == 10**10
    assert seq.parse_pattern("0[987]0-####").choices[1] == "789"
    assert seq.parse_pattern("0[987]0-####").capacity == 3 * 10**4


@pytest.mark.parametrize(
    "bad, words",
    [
        ("", "empty"),
        ("-", "has no digit, only separators"),
        ("(-)", "has no digit, only separators"),
        ("1a2", "'a' at position 2"),
        ("0[78", "never closed"),
        ("0[]1", "must list digits"),
        ("0[7x]1", "must list digits"),
    ],
)
def test_pattern_errors_say_what_is_wrong(bad, words):
    with pytest.raises(InvalidInputError, match=words.replace("[", r"\[")):
        seq.parse_pattern(bad)


def test_pattern_type_error():
    with pytest.raises(InputTypeError):
        seq.parse_pattern(123)


def test_patterns_draw_matching_texts():
    texts = seq.make_sequences(seq.pattern("0[789]0-####-####"), 200, seed=1)
    assert all(
        len(t) == 13 and t[0] == "0" and t[1] in "789" and t[2] == "0" and t[3] == "-" and t[8] == "-"
        for t in texts
    )
    assert texts == seq.make_sequences(seq.pattern("0[789]0-####-####"), 200, seed=1)
    assert texts != seq.make_sequences(seq.pattern("0[789]0-####-####"), 200, seed=2)


def test_random_lengths_cover_the_range_and_keep_leading_zeros():
    texts = seq.make_sequences(seq.random_lengths(1, 3), 2000, seed=5)
    assert {len(t) for t in texts} == {1, 2, 3}
    assert any(t.startswith("0") and len(t) > 1 for t in texts)
    assert all(t.isdigit() for t in texts)
    assert seq.split_text("0213") == ("0213", ("",) * 5)  # a run before each digit and after the last


def test_length_range_parsing():
    assert seq.parse_length_range("4-8") == seq.random_lengths(4, 8)
    assert seq.parse_length_range("5") == seq.random_lengths(5, 5)
    for bad in ("8-4", "x", "0-3", "1-2-3"):
        with pytest.raises(InvalidInputError):
            seq.parse_length_range(bad)


@pytest.mark.parametrize(
    "source, count",
    [
        (seq.pattern("##"), 100),
        (seq.random_lengths(1, 2), 110),
        (seq.pattern("0[789]0-##"), 300),
        (seq.random_lengths(2, 3), 50),
    ],
)
def test_unique_sequences_are_unique(source, count):
    texts = seq.make_sequences(source, count, seed=3, unique=True)
    assert len(texts) == count == len(set(texts))


def test_impossible_uniqueness_is_a_clear_error():
    with pytest.raises(InvalidInputError, match="cannot make 200 unique sequences.*only 100"):
        seq.make_sequences(seq.pattern("##"), 200, seed=0, unique=True)
    with pytest.raises(InvalidInputError, match="only 110"):
        seq.make_sequences(seq.random_lengths(1, 2), 111, seed=0, unique=True)
    with pytest.raises(InvalidInputError, match="repeats sequence 1"):
        seq.make_sequences(seq.explicit(["01", "02", "01"]), 3, seed=0, unique=True)


def test_explicit_lists_and_files(tmp_path):
    source = seq.explicit(["0213", [0, 0, 7], "090-1234-5678"])
    assert seq.make_sequences(source, 5, seed=0) == ["0213", "007", "090-1234-5678", "0213", "007"]
    path = tmp_path / "seqs.txt"
    path.write_text("# comment\n0001\n\n42\n", encoding="utf-8")
    assert seq.from_file(path).texts == ("0001", "42")
    path.write_text("12\n1x\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="line 2"):
        seq.from_file(path)
    with pytest.raises(FileNotFoundError):
        seq.from_file(tmp_path / "missing.txt")


def test_count_is_checked():
    with pytest.raises(InvalidInputError):
        seq.make_sequences(seq.pattern("#"), 0, seed=0)
    with pytest.raises(InputTypeError):
        seq.make_sequences(seq.pattern("#"), 1.5, seed=0)


# -- streams: text i from (seed, i), any range, bounded memory ----------------------------------


@pytest.mark.parametrize(
    "source, unique",
    [
        (seq.random_lengths(1, 6), False),
        (seq.pattern("0[789]0-####-####"), True),
        (seq.random_lengths(2, 5), True),
        (seq.pattern("##-##"), False),
        (seq.random_lengths(30, 40), True),
    ],
)
def test_any_range_of_a_stream_is_the_same_slice_of_the_whole(source, unique):
    count = 10_000  # more than two blocks of 4096
    stream = seq.SequenceTexts(source, count, seed=9, unique=unique)
    whole = stream.texts(0, count)
    assert len(whole) == count
    for start, stop in ((0, 1), (4090, 4100), (8191, 8193), (9999, 10_000), (123, 5000)):
        assert stream.texts(start, stop) == whole[start:stop]
    if unique:
        assert len(set(whole)) == count
    assert whole == seq.make_sequences(source, count, seed=9, unique=unique)


def test_without_unique_text_i_does_not_depend_on_the_count():
    source = seq.random_lengths(3, 7)
    short = seq.SequenceTexts(source, 5000, seed=4).texts(0, 5000)
    long = seq.SequenceTexts(source, 50_000, seed=4).texts(0, 5000)
    assert short == long


def test_unique_streams_of_a_huge_count_cost_only_the_range_asked_for():
    stream = seq.SequenceTexts(seq.pattern("0[789]0-####-####"), 10**8, seed=1, unique=True)
    texts = stream.texts(99_999_000, 10**8)
    assert len(texts) == 1000 == len(set(texts))
    assert stream.texts(99_999_500, 99_999_501) == texts[500:501]
    # a full capacity draw is a permutation: every sequence exactly once
    full = seq.make_sequences(seq.pattern("[01234]#"), 50, seed=2, unique=True)
    assert sorted(full) == sorted(f"{a}{b}" for a in "01234" for b in "0123456789")


def test_unique_random_lengths_share_the_count_evenly_over_the_lengths():
    texts = seq.make_sequences(seq.random_lengths(1, 4), 400, seed=3, unique=True)
    counts = {n: sum(len(t) == n for t in texts) for n in range(1, 5)}
    assert counts[1] == 10  # only ten one-digit sequences exist; the rest moves to longer lengths
    assert counts == {1: 10, 2: 100, 3: 190, 4: 100}  # what length 1 cannot hold moves on (via 2, full) to 3
    assert sum(counts.values()) == 400 and len(set(texts)) == 400
    lengths = [len(t) for t in texts[:50]]
    assert lengths != sorted(lengths)  # shuffled, not grouped by length


def test_stream_shapes_and_longest_cover_every_text():
    stream = seq.SequenceTexts(seq.explicit(["0213", "090-1234-5678", "7"]), 10, seed=0)
    assert stream.shapes() == {(4, 0), (11, 2), (1, 0)}
    assert stream.longest() == (11, 13)
    assert seq.SequenceTexts(seq.random_lengths(2, 9), 10, seed=0).longest() == (9, 9)


def test_a_sequences_file_that_is_not_a_regular_file_is_refused_at_once(tmp_path):
    import os

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="sequences file"):
        seq.from_file(fifo)  # would block for ever if it were opened for reading
    with pytest.raises(OSError, match="sequences file"):
        seq.from_file(tmp_path)


def test_sources_name_every_shape_they_can_make_drawn_or_not():
    assert seq.random_lengths(3, 6).shapes() == {(3, 0), (4, 0), (5, 0), (6, 0)}
    assert seq.random_lengths(3, 6).lengths() == {3, 4, 5, 6}
    assert seq.pattern("0[789]0-####-####").shapes() == {(11, 2)}
    assert seq.explicit(["0123", "090-1234", "7"]).shapes() == {(4, 0), (7, 1), (1, 0)}


@pytest.mark.parametrize("seed", [0, 2])  # both draw a first sequence of 4 digits, the one length that fits
def test_a_length_range_is_checked_for_every_length_whatever_the_seed_draws(seed):
    """Fixed untrimmed spacing filling 131 px works for 4 digits only: a 3-6 range is refused up
    front, even by a data set whose first drawn sequence has 4 digits."""
    from digitseq_gui import Config, LayoutError, SequenceDataset
    from digitseq_gui.engine.generator import check_layout

    config = Config()
    config.spacing.type = "fixed"
    config.image.width = 131
    source = seq.random_lengths(3, 6)
    assert len(seq.make_sequences(source, 1, seed)[0]) == 4
    with pytest.raises(LayoutError, match="every length 3-6"):
        SequenceDataset(1, lengths=(3, 6), seed=seed, config=config)
    check_layout(config, {4}, (2, 8), 131)  # the same width for 4 digits alone is fine
