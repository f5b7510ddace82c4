"""save_image and imagefile: 8-bit grayscale files named from the digits, atomic, never overwriting."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from digitseq_gui import Config
from digitseq_gui.engine.imagefile import write_array, write_image


@pytest.fixture
def generated(make_generator):
    generator = make_generator()
    return generator, generator.generate_numbers_sequence("0123", (2, 8), 200)


def read(path):
    with Image.open(path) as image:
        return image.mode, image.format, np.asarray(image)


def test_png_named_from_the_digits_holds_the_exact_pixels(generated, tmp_path):
    generator, image = generated
    path = generator.save_image(image, [0, 1, 2, 3], tmp_path)
    assert path == tmp_path / "seq_0123.png"
    mode, fmt, pixels = read(path)
    assert (mode, fmt) == ("L", "PNG")
    assert pixels.dtype == np.uint8 and pixels.shape == (28, 200)
    np.testing.assert_array_equal(pixels, np.round(image.astype(np.float64) * 255).astype(np.uint8))
    # generated values lie on the 1/255 grid, so the file holds the array exactly
    np.testing.assert_array_equal(1.0 - (255 - pixels.astype(np.float32)) / 255, image)


@pytest.mark.parametrize("digits", ["0123", (0, 1, 2, 3), np.array([0, 1, 2, 3])])
def test_name_keeps_leading_zeros_whatever_the_digits_form(generated, tmp_path, digits):
    generator, image = generated
    assert generator.save_image(image, digits, tmp_path).name == "seq_0123.png"


@pytest.mark.parametrize("fmt", ["jpeg", "jpg"])
def test_jpeg_when_the_config_says_so(make_generator, tmp_path, fmt):
    config = Config()
    config.output_format = fmt
    generator = make_generator(config)
    image = generator.generate_numbers_sequence("42", (2, 8), 90)
    path = generator.save_image(image, "42", tmp_path)
    assert path.name == "seq_42.jpg"
    mode, kind, pixels = read(path)
    assert (mode, kind) == ("L", "JPEG") and pixels.shape == (28, 90)
    assert np.abs(pixels.astype(int) - np.round(image * 255).astype(int)).mean() < 8  # lossy but close


def test_never_overwrites(generated, tmp_path):
    generator, image = generated
    other = generator.generate_numbers_sequence("0123", (2, 8), 200)
    first = generator.save_image(image, "0123", tmp_path)
    second = generator.save_image(other, "0123", tmp_path)
    third = generator.save_image(other, "0123", tmp_path)
    assert len({first, second, third}) == 3
    assert all(
        p.parent == tmp_path and p.suffix == ".png" and p.name.startswith("seq_0123") for p in (second, third)
    )
    np.testing.assert_array_equal(read(first)[2], np.round(image * 255).astype(np.uint8))
    np.testing.assert_array_equal(read(second)[2], np.round(other * 255).astype(np.uint8))


def test_no_temporary_files_after_success_or_failure(generated, tmp_path):
    generator, image = generated
    generator.save_image(image, "0123", tmp_path)
    generator.save_image(image, "0123", tmp_path)
    with pytest.raises(ValueError):
        generator.save_image(image * 2, "0123", tmp_path)  # values beyond 1
    with pytest.raises(FileExistsError):
        write_image(image, tmp_path / "seq_0123.png")
    with pytest.raises(ValueError):
        write_image(image, tmp_path / "picture.gif")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["seq_0123.png", "seq_0123_2.png"]


def test_write_image_refuses_an_existing_file_without_overwrite(generated, tmp_path):
    _, image = generated
    path = tmp_path / "out.png"
    path.write_bytes(b"precious")
    with pytest.raises(FileExistsError, match="already exists"):
        write_image(image, path)
    assert path.read_bytes() == b"precious"
    write_image(image, path, overwrite=True)
    assert read(path)[2].shape == (28, 200)
    assert [p.name for p in tmp_path.iterdir()] == ["out.png"]


def test_write_image_format_from_the_extension(generated, tmp_path):
    _, image = generated
    assert read(write_image(image, tmp_path / "a.png"))[1] == "PNG"
    assert read(write_image(image, tmp_path / "b.JPG"))[1] == "JPEG"
    assert read(write_image(image, tmp_path / "c.bin", fmt="png"))[1] == "PNG"


def test_write_array_keeps_floats_and_refuses_overwrite(generated, tmp_path):
    _, image = generated
    path = write_array(image, tmp_path / "a.npy")
    np.testing.assert_array_equal(np.load(path, allow_pickle=False), image)
    with pytest.raises(FileExistsError):
        write_array(image, path)


def test_save_into_a_folder_whose_parent_is_a_file(generated, tmp_path):
    generator, image = generated
    (tmp_path / "f").write_text("x")
    with pytest.raises(OSError):
        write_image(image, tmp_path / "f" / "a.png")
    with pytest.raises(OSError):
        generator.save_image(image, "0123", tmp_path / "f" / "sub")
    assert [p.name for p in tmp_path.iterdir()] == ["f"]
