"""Presets (issue 17 item 5): every value valid, seeded, with drawn separators by default."""

from __future__ import annotations

import datetime
import re

import numpy as np
import pytest

from digitseq_gui.cli.common import PRESET_HELP
from digitseq_gui.engine.config import Config
from digitseq_gui.engine.errors import InvalidInputError
from digitseq_gui.engine.presets import (
    BASE_PRESETS,
    METER_DIGITS,
    PRESETS,
    REALISTIC_PRESETS,
    preset_config,
    preset_in_text,
    preset_source,
    preset_texts,
)
from digitseq_gui.engine.sequences import SequenceTexts

COUNT = 3000


def values(name: str) -> list[str]:
    return preset_texts(name, COUNT, seed=17)


def test_zip_codes_are_five_digits():
    assert all(re.fullmatch(r"\d{5}", v) for v in values("zip"))


def test_amounts_have_1_to_5_leading_digits_thousands_separators_and_2_decimals():
    found = values("amount")
    for v in found:
        assert re.fullmatch(r"(0|[1-9]\d{0,2}(,\d{3})?)\.\d\d", v), v
        assert f"{float(v.replace(',', '')):,.2f}" == v  # the separators sit where they belong
    assert {len(v.split(".")[0].replace(",", "")) for v in found} == {1, 2, 3, 4, 5}


def test_dates_are_real_dates_in_both_forms():
    found = values("date")
    forms = set()
    for v in found:
        if "/" in v:
            day = datetime.datetime.strptime(v, "%d/%m/%Y").date()
            assert day.strftime("%d/%m/%Y") == v
            forms.add("dmy")
        else:
            assert datetime.date.fromisoformat(v).isoformat() == v
            forms.add("iso")
    assert forms == {"dmy", "iso"}
    assert any(v.startswith("29/02/") or v[4:] == "-02-29" for v in found)  # leap days happen


def test_times_are_24_hour_without_a_leading_zero():
    for v in values("time"):
        hours, minutes = v.split(":")
        assert 0 <= int(hours) <= 23 and 0 <= int(minutes) <= 59 and len(minutes) == 2
        assert hours == str(int(hours))  # 9:05, never 09:05
    assert {"0", "23"} <= {v.split(":")[0] for v in values("time")}


def test_phones_meters_and_house_numbers():
    assert all(re.fullmatch(r"0[789]0-\d{4}-\d{4}", v) for v in values("phone"))
    meters = values("meter")
    assert all(re.fullmatch(rf"\d{{{METER_DIGITS}}}", v) for v in meters)
    assert sum(v.startswith("0") for v in meters) > COUNT / 2  # readings are padded with zeros
    houses = values("house")
    assert all(re.fullmatch(r"[1-9]\d{0,3}", v) for v in houses)
    assert {len(v) for v in houses} == {1, 2, 3, 4}


def test_values_are_seeded_and_any_range_is_the_same_as_one_call():
    for name in PRESETS:
        assert preset_texts(name, 50, 3) == preset_texts(name, 50, 3)
        assert preset_texts(name, 50, 3) != preset_texts(name, 50, 4)
        stream = SequenceTexts(preset_source(name), 10_000, 3)
        assert stream.texts(4090, 4100) == stream.texts(0, 10_000)[4090:4100]


def test_every_value_fits_the_shapes_and_lengths_the_preset_declares():
    for name in PRESETS:
        source = preset_source(name)
        stream = SequenceTexts(source, COUNT, 5)
        from digitseq_gui.engine.sequences import _shapes_of

        for style in ("gap", "drawn"):
            assert _shapes_of(stream.texts(0, COUNT), style) <= source.shapes(style), name
        label, text = stream.longest()
        assert max(map(len, stream.texts(0, COUNT))) <= text


def test_a_preset_defaults_to_drawn_separators_over_the_other_settings():
    config = preset_config("date", Config.from_dict({"image": {"width": 300}}))
    assert config.separators.style == "drawn" and config.image.width == 300
    assert config.image.fit == "keep-aspect"  # a written number keeps its shape
    assert config.sampling.writer == "same"  # a real number is written by one hand
    assert PRESETS["date"].settings == {
        "separators": {"style": "drawn"},
        "sampling": {"writer": "same"},
        "image": {"fit": "keep-aspect"},
    }


def test_unknown_presets_and_unique_are_refused_clearly():
    with pytest.raises(InvalidInputError, match="unknown preset 'cheque'; use one of zip, amount"):
        preset_texts("cheque", 3)
    with pytest.raises(InvalidInputError, match="unique values are not offered for presets"):
        SequenceTexts(preset_source("zip"), 10, 1, unique=True)
    assert preset_in_text("preset:time") is PRESETS["time"] and preset_in_text("12:34") is None


def test_the_command_lines_help_names_every_preset():
    base, realistic = PRESET_HELP.split(";")
    assert base.endswith(", ".join(BASE_PRESETS)) and realistic.endswith(", ".join(REALISTIC_PRESETS))


def test_preset_images_have_their_values_as_labels():
    from digitseq_gui import DigitSequence
    from digitseq_gui.engine.compose import compose

    for name in PRESETS:
        generator = DigitSequence(preset_config(name))
        texts = preset_texts(name, 64, 1)
        composed = compose(generator, texts, 1, 10, uniform_separators=False)
        assert composed.labels == texts
        assert all(len(b) == len(t) for b, t in zip(composed.boxes, texts))
        assert composed.images.dtype == np.uint8
