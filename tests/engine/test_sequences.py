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


@pytest.mark.parametrize("bad, words", [
    ("", "empty"), ("-12", "starts with the separator"), ("12-", "ends with the separator"),
    ("1a2", "'a' at position 2"), ("0[78", "never closed"), ("0[]1", "must list digits"), ("0[7x]1", "must list digits"),
])
def test_pattern_errors_say_what_is_wrong(bad, words):
    with pytest.raises(InvalidInputError, match=words.replace("[", r"\[")):
        seq.parse_pattern(bad)


def test_pattern_type_error():
    with pytest.raises(InputTypeError):
        seq.parse_pattern(123)


def test_patterns_draw_matching_texts():
    texts = seq.make_sequences(seq.pattern("0[789]0-####-####"), 200, seed=1)
    assert all(len(t) == 13 and t[0] == "0" and t[1] in "789" and t[2] == "0" and t[3] == "-" and t[8] == "-" for t in texts)
    assert texts == seq.make_sequences(seq.pattern("0[789]0-####-####"), 200, seed=1)
    assert texts != seq.make_sequences(seq.pattern("0[789]0-####-####"), 200, seed=2)


def test_random_lengths_cover_the_range_and_keep_leading_zeros():
    texts = seq.make_sequences(seq.random_lengths(1, 3), 2000, seed=5)
    assert {len(t) for t in texts} == {1, 2, 3}
    assert any(t.startswith("0") and len(t) > 1 for t in texts)
    assert all(t.isdigit() for t in texts)
    assert seq.split_text("0213") == ("0213", ("", "", "", ""))


def test_length_range_parsing():
    assert seq.parse_length_range("4-8") == seq.random_lengths(4, 8)
    assert seq.parse_length_range("5") == seq.random_lengths(5, 5)
    for bad in ("8-4", "x", "0-3", "1-2-3"):
        with pytest.raises(InvalidInputError):
            seq.parse_length_range(bad)


@pytest.mark.parametrize("source, count", [
    (seq.pattern("##"), 100), (seq.random_lengths(1, 2), 110), (seq.pattern("0[789]0-##"), 300),
    (seq.random_lengths(2, 3), 50),
])
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


def test_sources_name_every_shape_they_can_make_drawn_or_not():
    assert seq.random_lengths(3, 6).shapes() == {(3, 0), (4, 0), (5, 0), (6, 0)}
    assert seq.random_lengths(3, 6).lengths() == {3, 4, 5, 6}
    assert seq.pattern("0[789]0-####-####").shapes() == {(11, 2)}
    assert seq.explicit(["0123", "090-1234", "7"]).shapes() == {(4, 0), (7, 1), (1, 0)}


@pytest.mark.parametrize("seed", range(5))
def test_a_length_range_is_checked_for_every_length_whatever_the_seed_draws(seed):
    """Fixed untrimmed spacing filling 131 px works for 4 digits only: a 3-6 range is refused
    for every seed, even when the one sequence drawn has 4 digits."""
    from digitseq_gui import Config, LayoutError
    from digitseq_gui.engine.generator import check_layout

    config = Config()
    config.spacing.type = "fixed"
    source = seq.random_lengths(3, 6)
    drawn = {len(t) for t in seq.make_sequences(source, 1, seed)}
    with pytest.raises(LayoutError, match="every length 3-6"):
        check_layout(config, source.lengths(), (2, 8), 131)
    check_layout(config, {4}, (2, 8), 131)  # the same width for 4 digits alone is fine
    assert drawn <= source.lengths()
