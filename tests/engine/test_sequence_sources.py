"""One class per kind of sequence source: each answers what callers used to switch on its kind for."""

from __future__ import annotations

import pytest

from digitseq_gui.engine import sequences
from digitseq_gui.engine.errors import InvalidInputError


def test_each_kind_is_its_own_class_and_answers_for_itself():
    listed = sequences.explicit(["12", "090-1234", "7"])
    drawn = sequences.random_lengths(3, 5)
    patterned = sequences.pattern("0[789]-##")
    assert isinstance(listed, sequences.ExplicitSequences)
    assert isinstance(drawn, sequences.RandomLengths)
    assert isinstance(patterned, sequences.PatternSequences)
    assert [s.describe()["kind"] for s in (listed, drawn, patterned)] == ["explicit", "random", "pattern"]
    # a list counts itself; the others need a count
    assert (listed.default_count(), drawn.default_count(), patterned.default_count()) == (3, None, None)
    assert (listed.has_separators(), drawn.has_separators(), patterned.has_separators()) == (
        True,
        False,
        True,
    )
    assert (
        listed.capacity() == 3 and drawn.capacity() == 10**3 + 10**4 + 10**5 and patterned.capacity() == 300
    )
    assert listed.shapes() == {(2, 0), (7, 1), (1, 0)} and drawn.lengths() == {3, 4, 5}


def test_separators_are_uniform_over_a_window_of_a_list_only_when_they_are():
    listed = sequences.explicit(["12", "34", "5-6"])
    assert listed.uniform_separators(0, 2) and not listed.uniform_separators(1, 2)
    assert sequences.pattern("##-#").uniform_separators(0, 1000)


def test_fresh_texts_pick_from_the_whole_list_and_draw_from_the_others():
    listed = sequences.explicit([str(n) for n in range(100)])
    picks = listed.fresh_texts(5, 64)
    assert len(picks) == 64 and set(picks) <= set(listed.texts) and picks != list(listed.texts[:64])
    assert picks == listed.fresh_texts(5, 64)
    drawn = sequences.random_lengths(4, 4)
    assert drawn.fresh_texts(5, 64) == sequences.make_sequences(drawn, 64, 5)


def test_too_many_unique_sequences_name_the_source():
    with pytest.raises(InvalidInputError, match="lengths 1-1 can make only 10"):
        sequences.SequenceTexts(sequences.random_lengths(1, 1), 11, 0, unique=True)
    with pytest.raises(InvalidInputError, match="pattern '7#' can make only 10"):
        sequences.SequenceTexts(sequences.pattern("7#"), 11, 0, unique=True)
    with pytest.raises(InvalidInputError, match="from a list of 2"):
        sequences.SequenceTexts(sequences.explicit(["1", "2"]), 3, 0, unique=True)
