"""Self-describing PNGs (issue 11 item 6): label, text, seed and settings in PNG text chunks,
spliced into OpenCV's bytes, read back by Pillow and by read_image_info."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from digitseq_gui import Config, InvalidInputError, read_image_info
from digitseq_gui.engine import imageinfo
from digitseq_gui.engine.imagefile import encode, write_image


def decoded(path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image)


def test_spliced_chunks_are_read_back_by_pillow_and_leave_the_pixels_alone(tmp_path):
    image = np.linspace(0, 1, 28 * 50, dtype=np.float32).reshape(28, 50)
    info = {
        "Software": "DigitSeq 0",
        "label": "0123",
        "text": "01-23",
        "note": "Zürich ✓",
        "long": "x" * 1000,
        "long note": "✓" * 1000,
    }
    (tmp_path / "a.png").write_bytes(encode(image, "png", info))
    (tmp_path / "b.png").write_bytes(encode(image, "png"))
    with Image.open(tmp_path / "a.png") as png:
        png.verify()  # CRCs and chunk layout
    with Image.open(tmp_path / "a.png") as png:
        assert png.text == info  # tEXt, iTXt outside Latin-1, both compressed when long
    # The long values are deflated: far fewer bytes than their 4,000 (1,000 + 3,000 in UTF-8).
    assert (tmp_path / "a.png").stat().st_size - (tmp_path / "b.png").stat().st_size < 400
    assert np.array_equal(decoded(tmp_path / "a.png"), decoded(tmp_path / "b.png"))
    assert np.array_equal(decoded(tmp_path / "a.png"), np.rint(image * 255).astype(np.uint8))


@pytest.mark.parametrize(
    "label, text", [("0123", "01-23"), ("7" * 300, "7" * 300), ("12", "1✓2"), ("é", "1"), ("1" * 201, "1")]
)
def test_an_exported_images_own_chunks_are_read_back_by_pillow(tmp_path, label, text):
    """sample_chunks has a short path for plain text; long and non-Latin-1 text take the general one."""
    image = np.full((28, 50), 0.5, dtype=np.float32)
    (tmp_path / "a.png").write_bytes(
        imageinfo.with_text(encode(image, "png"), imageinfo.sample_chunks(label, text, 123456))
    )
    with Image.open(tmp_path / "a.png") as png:
        png.verify()
    with Image.open(tmp_path / "a.png") as png:
        assert png.text == {"label": label, "text": text, "index": "123456"}
    assert imageinfo.sample_chunks(label, text, 123456) == imageinfo.text_chunks(
        {"label": label, "text": text, "index": "123456"}
    )


def test_a_saved_image_describes_itself_well_enough_to_make_it_again(make_generator, tmp_path):
    config = Config()
    config.image.height, config.image.fit, config.spacing.min = 32, "keep-aspect", -4
    generator = make_generator(config.validated())
    result = generator.generate("4071", seed=77)
    path = generator.save_image(result.image, result.label, tmp_path, seed=result.seed, text="40-71")
    info = read_image_info(path)
    assert (info.label, info.text, info.seed, info.index) == ("4071", "40-71", 77, None)
    assert info.software.startswith("DigitSeq")
    assert Config.from_dict(info.settings) == generator.config
    again = make_generator(Config.from_dict(info.settings)).generate(info.label, seed=info.seed)
    assert np.array_equal(decoded(path), np.rint(again.image * 255).astype(np.uint8))


def test_write_image_carries_an_export_index(tmp_path):
    info = imageinfo.metadata("12", 5, {"image": {}}, "1-2", index=41)
    path = write_image(np.ones((28, 40), dtype=np.float32), tmp_path / "x.png", info=info)
    found = read_image_info(path)
    assert (found.label, found.text, found.seed, found.index, found.settings) == (
        "12",
        "1-2",
        5,
        41,
        {"image": {}},
    )


def test_jpeg_has_no_chunks_and_is_refused_by_the_reader(tmp_path):
    path = write_image(
        np.ones((28, 40), dtype=np.float32), tmp_path / "x.jpg", info=imageinfo.metadata("1", 1, {})
    )
    with pytest.raises(InvalidInputError, match="JPEG image, not a PNG"):
        read_image_info(path)


@pytest.mark.parametrize(
    "make,words",
    [
        (lambda p: p.write_text("hello"), "not a PNG"),
        (lambda p: Image.new("L", (8, 8)).save(p, format="PNG"), "not one written by DigitSeq"),
        (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 20), "not a PNG"),
        (lambda p: p.mkdir(), "not a file"),
    ],
)
def test_files_that_are_not_digitseq_pngs_are_refused_clearly(tmp_path, make, words):
    path = tmp_path / "f.png"
    make(path)
    with pytest.raises(InvalidInputError, match=words):
        read_image_info(path)


def test_a_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_image_info(tmp_path / "none.png")


def test_the_seed_signature_saves_the_settings_of_the_call_that_made_the_image(make_generator, tmp_path):
    """generate_numbers_sequence returns a bare array with its own spacing and width: the saved PNG
    records those and the call's seed, so the image can be made again from the file alone."""
    generator = make_generator(seed=5)
    image = generator.generate_numbers_sequence("0123", (0, 6), 180)
    info = read_image_info(generator.save_image(image, "0123", tmp_path))
    settings = Config.from_dict(info.settings)
    assert (settings.spacing.min, settings.spacing.max, settings.image.width) == (0, 6, 180)
    again = make_generator(settings).generate(info.label, seed=info.seed)
    assert np.array_equal(again.image, image)
    # An array this generator did not just make: its label, but no seed or settings to mislead.
    other = read_image_info(generator.save_image(np.ones((28, 50), np.float32), "77", tmp_path))
    assert (other.label, other.seed) == ("77", None) and not other.settings
