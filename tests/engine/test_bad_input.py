"""Every bad input of issue 2's list gets an error that a person can act on.

Each is a ValueError or TypeError subclass (OSError for file-system trouble), and its message
names the problem; ``.field`` names the setting at fault where the engine sets it.
"""

from __future__ import annotations

import gzip
import os

import numpy as np
import pytest
from mnist_files import idx_bytes, small_sample, write_idx_pair

from digitseq_gui import (
    Config,
    ConfigError,
    DatasetError,
    DigitSeqError,
    DigitSequence,
    InputTypeError,
    InvalidInputError,
    LayoutError,
    load_config,
    load_dataset,
)


def raises(kind, *fragments, field=None):
    """Context manager: raises ``kind``, whose message holds every fragment (case-insensitive)."""

    class _Check:
        def __enter__(self):
            self.ctx = pytest.raises(kind)
            self.info = self.ctx.__enter__()
            return self.info

        def __exit__(self, *exc):
            result = self.ctx.__exit__(*exc)
            message = str(self.info.value).lower()
            for fragment in fragments:
                assert fragment.lower() in message, f"{fragment!r} not in {message!r}"
            if field is not None:
                assert getattr(self.info.value, "field", None) == field
            return result

    return _Check()


@pytest.fixture
def generator(make_generator):
    return make_generator()


# ---------------------------------------------------------------------------------------------
# Digits


@pytest.mark.parametrize(
    "digits,kind,fragments",
    [
        ([12], ValueError, ["12", "0-9"]),
        ([-1], ValueError, ["-1", "0-9"]),
        ([1, 2, 10], ValueError, ["10", "0-9"]),
        (np.array([3, 11]), ValueError, ["11", "0-9"]),
        ("1a", ValueError, ["'a'", "0-9"]),
        ("12-3", ValueError, ["'-'", "0-9"]),
        (3.5, TypeError, ["float"]),
        ([3.5], TypeError, ["3.5"]),
        (None, TypeError, ["none"]),
        ("", ValueError, ["empty"]),
        ([], ValueError, ["empty"]),
        (np.array([], dtype=np.int64), ValueError, ["empty"]),
        (True, TypeError, ["bool"]),
        ([1, True], TypeError, ["true"]),
        (12, TypeError, ["the number 12", "'12'"]),
        (np.array([1.0, 2.0]), TypeError, ["float"]),
        (np.array([[1, 2], [3, 4]]), ValueError, ["1-d"]),
        ({1, 2}, TypeError, ["set"]),
    ],
)
def test_bad_digits(generator, digits, kind, fragments):
    with raises(kind, *fragments, field="digits") as info:
        generator.generate_numbers_sequence(digits, (2, 8), 200)
    assert isinstance(info.value, DigitSeqError)


def test_bad_digits_in_a_batch_name_the_problem(generator):
    with raises(ValueError, "12", field="digits"):
        generator.generate_batch(["0123", [1, 12]], (2, 8), 200)
    with raises(ValueError, "no sequences"):
        generator.generate_batch([], (2, 8), 200)


def test_module_level_function_rejects_bad_digits():
    import digitseq_gui

    with raises(ValueError, "'x'"):
        digitseq_gui.generate_numbers_sequence("01x", (2, 8), 200)


# ---------------------------------------------------------------------------------------------
# Spacing range


@pytest.mark.parametrize(
    "spacing_range,kind,fragments",
    [
        ((8, 2), ValueError, ["8", "2", "larger"]),
        ((-9, 4), ValueError, ["-8", "no longer read as two digits"]),
        ((-12, -9), ValueError, ["-8", "overlapping by more than 8 px"]),
        ((2.0, 8), TypeError, ["whole"]),
        ((2, 8.5), TypeError, ["whole"]),
        (("2", "8"), TypeError, ["whole"]),
        ((True, 8), TypeError, ["whole"]),
        ((2,), ValueError, ["two values"]),
        ((1, 2, 3), ValueError, ["two values"]),
        (5, TypeError, ["(min, max)"]),
        ("28", TypeError, ["(min, max)"]),
    ],
)
def test_bad_spacing_range(make_generator, spacing_range, kind, fragments):
    generator = make_generator()
    with raises(kind, *fragments, field="spacing_range") as info:
        generator.generate_numbers_sequence("0123", spacing_range, 200)
    assert isinstance(info.value, DigitSeqError)


# ---------------------------------------------------------------------------------------------
# Image width


@pytest.mark.parametrize(
    "width,kind,fragments",
    [
        (0, ValueError, ["image_width", "0"]),
        (-5, ValueError, ["image_width", "-5"]),
        (200.0, TypeError, ["image_width", "200.0"]),
        ("200", TypeError, ["image_width"]),
        (True, TypeError, ["image_width"]),
        (3, ValueError, ["too small", "4 digits"]),
        (10**9, ValueError, ["image_width"]),
    ],
)
def test_bad_width(make_generator, width, kind, fragments):
    generator = make_generator()
    with raises(kind, *fragments, field="image_width"):
        generator.generate_numbers_sequence("0123", (2, 8), width)


@pytest.mark.parametrize("subtype,gaps", [("between", 3), ("edge", 5)])
def test_fixed_width_that_cannot_be_filled_names_the_widths_that_work(make_generator, subtype, gaps):
    config = Config()
    config.spacing.type, config.spacing.subtype = "fixed", subtype
    generator = make_generator(config)
    shortest, longest = 4 * 28 + gaps * 2, 4 * 28 + gaps * 8
    for width in (shortest - 1, longest + 1, 60):
        with raises(LayoutError, str(shortest), str(longest), field="image_width") as info:
            generator.generate_numbers_sequence("0123", (2, 8), width)
        assert isinstance(info.value, ValueError)
    # the widths named really work
    for width in (shortest, longest):
        assert generator.generate_numbers_sequence("0123", (2, 8), width).shape == (28, width)


def test_fixed_trimmed_too_narrow_says_how_wide(make_generator):
    config = Config()
    config.spacing.type, config.image.trim_padding = "fixed", True
    with raises(LayoutError, "118"):
        make_generator(config).generate_numbers_sequence("0123", (2, 8), 100)


# ---------------------------------------------------------------------------------------------
# Spacing type and config values


@pytest.mark.parametrize(
    "section,key,value,name",
    [
        ("spacing", "type", "random", "spacing.type"),
        ("spacing", "subtype", "middle", "spacing.subtype"),
        ("spacing", "type", None, "spacing.type"),
        ("image", "transform", "yes", "image.transform"),
        ("image", "width", 0, "image.width"),
    ],
)
def test_unknown_spacing_type_or_bad_config_value(mnist_test, section, key, value, name):
    config = Config()
    setattr(getattr(config, section), key, value)
    with raises(ConfigError, name, field="config") as info:
        DigitSequence(config, dataset=mnist_test)
    assert isinstance(info.value, ValueError)


def test_config_of_the_wrong_type(mnist_test):
    with raises(TypeError, "config"):
        DigitSequence({"spacing": {"type": "fixed"}}, dataset=mnist_test)


def test_bad_seed(make_generator):
    generator = make_generator()
    with raises(TypeError, "seed", field="seed"):
        generator.generate("01", (2, 8), 100, seed=1.5)
    with raises(ValueError, "seed", field="seed"):
        generator.generate("01", (2, 8), 100, seed=-1)
    with raises(ValueError, "first_index"):
        generator.generate_batch(["01"], (2, 8), 100, seed=1, first_index=10)


def test_broken_json_config(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"image": {"transform": false,}')
    with raises(ConfigError, "broken.json", "not valid json", "line 1"):
        load_config(path)
    with raises(ConfigError, "does not exist"):
        load_config(tmp_path / "missing.json")
    (tmp_path / "bin.json").write_bytes(b"\xff\xfe{")
    with raises(ConfigError, "bin.json"):
        load_config(tmp_path / "bin.json")
    with raises(ConfigError, "broken.json"):
        DigitSequence(path)


# ---------------------------------------------------------------------------------------------
# Data files


@pytest.fixture
def sample(mnist_test):
    images, labels, _ = small_sample(mnist_test, per_digit=3)
    return images, labels


def test_data_set_that_does_not_exist(tmp_path):
    with raises(DatasetError, "does not exist", field="dataset"):
        load_dataset(tmp_path / "nothing-here")


def test_folder_without_idx_files(tmp_path):
    (tmp_path / "readme.txt").write_text("no data")
    with raises(DatasetError, "cannot find", "idx"):
        load_dataset(tmp_path)


def test_unknown_split():
    with raises(ValueError, "split", "'validation'"):
        load_dataset("mnist", "validation")


@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "raw"])
def test_wrong_magic_number(tmp_path, sample, gz):
    images, labels = sample
    write_idx_pair(tmp_path, images, labels, gz=gz, image_bytes=idx_bytes(images, magic=2049))
    with raises(DatasetError, "magic number 2049", "expected 2051", "images-idx3"):
        load_dataset(tmp_path)


def test_labels_file_with_the_images_magic(tmp_path, sample):
    images, labels = sample
    write_idx_pair(
        tmp_path, images, labels, label_bytes=idx_bytes(labels, magic=2051, dims=(len(labels), 1, 1))
    )
    with raises(DatasetError, "magic number 2051", "expected 2049"):
        load_dataset(tmp_path)


def test_header_counts_that_disagree_with_the_data(tmp_path, sample):
    images, labels = sample
    write_idx_pair(tmp_path, images, labels, image_bytes=idx_bytes(images, dims=(len(images) + 5, 28, 28)))
    with raises(DatasetError, "truncated or corrupt", str(len(images) + 5)):
        load_dataset(tmp_path)


def test_truncated_idx_file(tmp_path, sample):
    images, labels = sample
    write_idx_pair(tmp_path, images, labels, gz=False, image_bytes=idx_bytes(images)[:-100])
    with raises(DatasetError, "truncated"):
        load_dataset(tmp_path)
    write_idx_pair(tmp_path, images, labels, gz=False, label_bytes=b"\x00\x00\x08")
    with raises(DatasetError, "too short"):
        load_dataset(tmp_path)


def test_gzip_that_ends_early(tmp_path, sample):
    images, labels = sample
    whole = gzip.compress(idx_bytes(images))
    folder = tmp_path / "data"
    write_idx_pair(folder, images, labels)
    (folder / "train-images-idx3-ubyte.gz").write_bytes(whole[: len(whole) // 2])
    with raises(DatasetError, "gzip", "train-images-idx3-ubyte.gz"):
        load_dataset(folder)


def test_images_of_the_wrong_size(tmp_path, mnist_test):
    images = np.zeros((20, 32, 32), dtype=np.uint8)
    labels = np.arange(20, dtype=np.uint8) % 10
    write_idx_pair(tmp_path, images, labels)
    with raises(DatasetError, "32x32", "28x28"):
        load_dataset(tmp_path)


def test_image_and_label_counts_that_differ(tmp_path, sample):
    images, labels = sample
    write_idx_pair(tmp_path, images, labels[:-4])
    with raises(DatasetError, f"{len(images)} images", f"{len(labels) - 4} labels"):
        load_dataset(tmp_path)


def test_labels_that_are_not_digits(tmp_path, sample):
    images, labels = sample
    bad = labels.copy()
    bad[3] = 12
    write_idx_pair(tmp_path, images, bad)
    with raises(DatasetError, "0-9", "12"):
        load_dataset(tmp_path)


def test_keras_npz_missing_keys(tmp_path, sample):
    images, labels = sample
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=images, y_train=labels)
    with raises(DatasetError, "x_test", "y_test", "x_train"):
        load_dataset(path, "test")
    np.savez(path, images=images, labels=labels)
    with raises(DatasetError, "x_train"):
        load_dataset(path, "train")


def test_npz_that_is_not_an_archive_or_holds_objects(tmp_path, sample):
    path = tmp_path / "mnist.npz"
    path.write_bytes(b"this is not a zip file")
    with raises(DatasetError, "mnist.npz"):
        load_dataset(path)
    objects = np.empty(3, dtype=object)
    np.savez(path, x_train=objects, y_train=np.arange(3))
    with raises(DatasetError, "mnist.npz"):  # allow_pickle=False: never unpickled
        load_dataset(path)


def test_npz_of_the_wrong_dtype_or_size(tmp_path, sample):
    images, labels = sample
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=images.astype(np.float32), y_train=labels)
    with raises(DatasetError, "uint8"):
        load_dataset(path)
    np.savez(path, x_train=np.zeros((5, 32, 32), np.uint8), y_train=np.arange(5))
    with raises(DatasetError, "32x32"):
        load_dataset(path)


def test_data_file_that_cannot_be_read(tmp_path, sample):
    images, labels = sample
    images_path, _ = write_idx_pair(tmp_path, images, labels)
    images_path.unlink()
    images_path.mkdir()  # a folder where the file should be
    with raises(DatasetError, "cannot read"):
        load_dataset(tmp_path)


# ---------------------------------------------------------------------------------------------
# Saving


def test_save_directory_that_does_not_exist(generator, tmp_path):
    image = generator.generate_numbers_sequence("12", (2, 8), 80)
    with raises(OSError, "does not exist"):
        generator.save_image(image, "12", tmp_path / "missing")
    assert not (tmp_path / "missing").exists()


def test_save_directory_that_is_a_file(generator, tmp_path):
    image = generator.generate_numbers_sequence("12", (2, 8), 80)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with raises(OSError, "not a folder"):
        generator.save_image(image, "12", blocker)
    with raises(OSError):
        generator.save_image(image, "12", blocker / "sub")
    assert blocker.read_text() == "x"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can write anywhere")
def test_save_directory_that_cannot_be_written(generator, tmp_path):
    image = generator.generate_numbers_sequence("12", (2, 8), 80)
    folder = tmp_path / "readonly"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with raises(OSError, "permission"):
            generator.save_image(image, "12", folder)
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_saving_a_bad_image(generator, tmp_path):
    with raises(ValueError, "[0, 1]"):
        generator.save_image(np.full((28, 10), 1.5, np.float32), "1", tmp_path)
    with raises(ValueError, "2-d"):
        generator.save_image(np.ones((2, 28, 10), np.float32), "1", tmp_path)
    with raises(ValueError, "'z'"):
        generator.save_image(np.ones((28, 10), np.float32), "1z", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_every_error_is_a_digitseq_error_and_value_or_type_error():
    for kind in (InvalidInputError, LayoutError, ConfigError, DatasetError):
        assert issubclass(kind, ValueError) and issubclass(kind, DigitSeqError)
    assert issubclass(InputTypeError, TypeError) and issubclass(InputTypeError, DigitSeqError)
    assert DatasetError("x").field == "dataset" and ConfigError("x").field == "config"
    assert InvalidInputError("x", field="digits").field == "digits"


@pytest.mark.parametrize(
    "spacing_range,image_width,field", [(None, 200, "spacing_range"), ((2, 8), None, "image_width")]
)
def test_seed_signature_does_not_accept_none(generator, spacing_range, image_width, field):
    with raises(TypeError, "neither may be None", field=field):
        generator.generate_numbers_sequence("0123", spacing_range, image_width)


def test_generate_batch_wants_a_list_of_sequences_not_one_string(generator):
    with raises(TypeError, "list of digit sequences", "generate()", field="digits"):
        generator.generate_batch("0123")


def test_npz_labels_outside_0_to_9_are_refused_not_wrapped(tmp_path, sample):
    images, labels = sample
    path = tmp_path / "mnist.npz"
    wide = labels.astype(np.int64)
    wide[:2] = [263, 256]  # would wrap to 7 and 0 as uint8
    np.savez(path, x_train=images, y_train=wide)
    with raises(DatasetError, "0-9", "263"):
        load_dataset(path)
