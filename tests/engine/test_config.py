"""Configuration files: the seed's files load unchanged, round-trips, errors that name the key."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from digitseq_gui import Config, ConfigError, DigitSequence, load_config, save_config

SEED_DEFAULT = {
    "image": {"transform": False},
    "spacing": {"type": "variable", "subtype": "between"},
    "output_format": "png",
}
SEED_EXAMPLE = {
    "image": {"transform": True},
    "spacing": {"type": "fixed", "subtype": "edge"},
    "output_format": "png",
}


def write(tmp_path, document, name="config.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=4))
    return path


def test_seed_default_config_loads_unchanged(tmp_path, mnist_test):
    path = write(tmp_path, SEED_DEFAULT)
    config = load_config(path)
    assert config.image.transform is False
    assert (config.spacing.type, config.spacing.subtype, config.output_format) == (
        "variable",
        "between",
        "png",
    )
    assert json.loads(path.read_text()) == SEED_DEFAULT, "loading must not rewrite the file"
    generator = DigitSequence(path, dataset=mnist_test, seed=0)
    image = generator.generate_numbers_sequence([0, 1, 2, 3], (2, 8), 200)
    assert image.shape == (28, 200) and image.dtype == np.float32
    assert 0.0 <= image.min() and image.max() == 1.0


def test_seed_example_config_drives_fixed_edge_with_transform(tmp_path, mnist_test):
    config = load_config(write(tmp_path, SEED_EXAMPLE))
    assert config.image.transform is True
    assert (config.spacing.type, config.spacing.subtype) == ("fixed", "edge")
    generator = DigitSequence(config, dataset=mnist_test, seed=0)
    # fixed + edge: 4 digits and 5 gaps of 2..8 px fill 122..152 px exactly
    result = generator.generate("0123", (2, 8), 140)
    assert result.image.shape == (28, 140)
    assert result.boxes[0, 0] >= 2 and result.boxes[-1, 2] <= 140 - 2, "edge leaves a gap at both ends"
    plain = DigitSequence(load_config(write(tmp_path, SEED_DEFAULT)), dataset=mnist_test, seed=0)
    with pytest.raises(ValueError, match="122 to 152"):
        generator.generate("0123", (2, 8), 200)
    assert plain.generate("0123", (2, 8), 200).image.shape == (28, 200)  # variable takes any width


def test_transform_in_the_seed_example_augments(tmp_path, mnist_test):
    example = dict(SEED_EXAMPLE, spacing={"type": "fixed", "subtype": "between"})
    no_transform = dict(example, image={"transform": False})
    a = DigitSequence(load_config(write(tmp_path, example, "a.json")), dataset=mnist_test)
    b = DigitSequence(load_config(write(tmp_path, no_transform, "b.json")), dataset=mnist_test)
    ra, rb = a.generate("0123", (2, 8), 130, seed=3), b.generate("0123", (2, 8), 130, seed=3)
    np.testing.assert_array_equal(ra.source_indices, rb.source_indices)
    assert not np.array_equal(ra.image, rb.image)


def test_defaults_fill_what_the_file_leaves_out(tmp_path):
    config = load_config(write(tmp_path, {}))
    assert config == Config()
    assert config.image.width == 200 and config.spacing_range == (2, 8)
    assert config.dataset.source == "mnist" and config.image.trim_padding is False


def test_save_then_load_round_trips(tmp_path):
    config = Config()
    config.image.transform = True
    config.image.width = 321
    config.image.trim_padding = True
    config.image.augmentations["elastic"].enabled = True
    config.image.augmentations["elastic"].strength = 9.5
    config.spacing.type, config.spacing.subtype = "fixed", "edge"
    config.spacing.min, config.spacing.max = 0, 30
    config.output_format = "jpeg"
    config.dataset.split = "test"
    path = save_config(config, tmp_path / "saved.json")
    assert load_config(path) == config
    assert load_config(save_config(load_config(path), tmp_path / "again.json")) == config
    document = json.loads(path.read_text())
    assert document["image"]["transform"] is True and document["spacing"]["type"] == "fixed"
    assert Config.from_dict(config.to_dict()) == config
    assert [p.name for p in tmp_path.iterdir()] == ["saved.json", "again.json"] or sorted(
        p.name for p in tmp_path.iterdir()
    ) == ["again.json", "saved.json"]


def test_save_refuses_an_invalid_config_and_leaves_no_file(tmp_path):
    config = Config()
    config.spacing.min, config.spacing.max = 9, 3
    with pytest.raises(ConfigError, match="spacing"):
        save_config(config, tmp_path / "bad.json")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "document,key",
    [
        ({"image": {"tranform": True}}, "image.tranform"),
        ({"imag": {}}, "imag"),
        ({"spacing": {"typ": "fixed"}}, "spacing.typ"),
        ({"dataset": {"folder": "x"}}, "dataset.folder"),
        ({"image": {"augmentations": {"rotation": {"enabled": True}}}}, "image.augmentations.rotation"),
        ({"image": {"augmentations": {"rotate": {"on": True}}}}, "image.augmentations.rotate.on"),
    ],
)
def test_unknown_keys_are_named(tmp_path, document, key):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, document))
    assert key in str(info.value) and "unknown" in str(info.value)
    assert "config.json" in str(info.value)
    assert info.value.field == "config"


@pytest.mark.parametrize(
    "document,key",
    [
        ({"image": {"transform": "yes"}}, "image.transform"),
        ({"image": {"transform": 1}}, "image.transform"),
        ({"image": {"width": 200.5}}, "image.width"),
        ({"image": {"width": "200"}}, "image.width"),
        ({"image": {"width": 0}}, "image.width"),
        ({"image": {"trim_padding": None}}, "image.trim_padding"),
        ({"image": []}, "image"),
        ({"spacing": {"type": "random"}}, "spacing.type"),
        ({"spacing": {"subtype": "middle"}}, "spacing.subtype"),
        ({"spacing": {"min": -9}}, "spacing.min"),
        ({"image": {"height": 15}}, "image.height"),
        ({"image": {"height": 129}}, "image.height"),
        ({"image": {"height": 32.0}}, "image.height"),
        ({"image": {"fit": "crop"}}, "image.fit"),
        ({"spacing": {"max": 2.5}}, "spacing.max"),
        ({"spacing": {"min": 9, "max": 3}}, "spacing.min"),
        ({"spacing": "fixed"}, "spacing"),
        ({"output_format": "gif"}, "output_format"),
        ({"dataset": {"split": "validation"}}, "dataset.split"),
        ({"dataset": {"source": ""}}, "dataset.source"),
        ({"image": {"augmentations": {"rotate": {"strength": 500}}}}, "image.augmentations.rotate.strength"),
        ({"image": {"augmentations": {"rotate": {"strength": -1}}}}, "image.augmentations.rotate.strength"),
        (
            {"image": {"augmentations": {"rotate": {"strength": "big"}}}},
            "image.augmentations.rotate.strength",
        ),
        ({"image": {"augmentations": {"stroke": {"strength": 1.5}}}}, "image.augmentations.stroke.strength"),
        ({"image": {"augmentations": {"blur": {"enabled": "on"}}}}, "image.augmentations.blur.enabled"),
        ({"image": {"augmentations": {"blur": True}}}, "image.augmentations.blur"),
    ],
)
def test_wrong_types_and_bad_values_name_the_key(tmp_path, document, key):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, document))
    assert key in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("text", ["[1, 2]", "null", '"png"', "42"])
def test_a_config_that_is_not_an_object(tmp_path, text):
    path = tmp_path / "c.json"
    path.write_text(text)
    with pytest.raises(ConfigError, match="JSON object"):
        load_config(path)


def test_nan_strength_is_refused(tmp_path):
    path = tmp_path / "c.json"
    path.write_text('{"image": {"augmentations": {"rotate": {"strength": NaN}}}}')
    with pytest.raises(ConfigError, match="image.augmentations.rotate.strength"):
        load_config(path)


def test_a_config_changed_by_hand_is_validated_by_the_generator(mnist_test):
    config = Config()
    config.spacing.subtype = "edges"
    with pytest.raises(ConfigError, match="spacing.subtype"):
        DigitSequence(config, dataset=mnist_test)
