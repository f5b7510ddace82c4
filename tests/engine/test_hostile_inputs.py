"""Issue 8, items 4 and 5, in the API: every hostile input a person or a tester can hand the engine
gives one clear error (a DigitSeqError or an OSError subclass naming the file or setting), and
never a hang, a traceback from deep inside or an exhausted memory."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hostile_inputs import CONFIG_CASES, DATA_CASES, load_mnist_like
from mnist_files import small_sample
from small_disk import fill, small_tmpfs

from digitseq_gui import (
    Config,
    ConfigError,
    DatasetError,
    DigitSeqError,
    DigitSequence,
    InputTypeError,
    InvalidInputError,
    load_config,
    load_dataset,
    save_config,
)
from digitseq_gui.engine import durable
from digitseq_gui.engine.data import limits

ERRORS = {"dataset": DatasetError, "config": ConfigError}


def assert_message(error: BaseException, fragments) -> None:
    message = str(error).lower()
    for fragment in fragments:
        assert fragment.lower() in message, f"{fragment!r} not in {message!r}"
    assert "\n" not in str(error)


@pytest.mark.parametrize("case", DATA_CASES, ids=[c.id for c in DATA_CASES])
def test_bad_data_file(tmp_path, case):
    source = case.build(tmp_path)
    with pytest.raises(DatasetError) as info:
        load_dataset(source)
    assert isinstance(info.value, ValueError) and info.value.field == "dataset"
    assert_message(info.value, case.fragments)


@pytest.mark.parametrize("case", DATA_CASES, ids=[c.id for c in DATA_CASES])
def test_bad_data_file_through_the_generator(tmp_path, case):
    """DigitSequence(dataset=path) and a config naming the file give the same error."""
    source = case.build(tmp_path)
    with pytest.raises(DatasetError) as info:
        DigitSequence(dataset=source)
    assert_message(info.value, case.fragments)


@pytest.mark.parametrize("case", CONFIG_CASES, ids=[c.id for c in CONFIG_CASES])
def test_bad_config_file(tmp_path, case):
    path = case.build(tmp_path)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert isinstance(info.value, ValueError) and info.value.field == "config"
    assert_message(info.value, case.fragments)
    with pytest.raises(ConfigError) as again:
        DigitSequence(path)
    assert str(again.value) == str(info.value)


def test_data_file_reads_never_block_on_a_fifo(tmp_path):
    """In a fresh process with a deadline: a FIFO would block open() forever."""
    fifo = tmp_path / "mnist.npz"
    os.mkfifo(fifo)
    folder = tmp_path / "data"
    folder.mkdir()
    os.mkfifo(folder / "train-images-idx3-ubyte")
    os.mkfifo(folder / "train-labels-idx1-ubyte")
    code = (
        "import sys; from digitseq_gui import load_dataset, DatasetError\n"
        "for source in sys.argv[1:]:\n"
        "    try: load_dataset(source)\n"
        "    except DatasetError as e: print('refused:', e)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(fifo), str(folder)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("refused:") == 2 and "FIFO" in done.stdout


def test_a_declared_size_over_the_limit_is_refused_before_reading(tmp_path, monkeypatch, mnist_test):
    images, labels, _ = small_sample(mnist_test, per_digit=3)
    path = tmp_path / "mnist.npz"
    np.savez_compressed(path, x_train=images, y_train=labels)
    monkeypatch.setattr(limits, "MAX_DATA_BYTES", images.nbytes - 1)
    with pytest.raises(DatasetError) as info:
        load_dataset(path)
    assert_message(info.value, ["x_train", f"{images.nbytes:,} bytes", "more than", f"{images.nbytes - 1:,}"])


def test_multi_member_gzip_files_load(tmp_path, mnist_test):
    """Concatenated gzip members are legal gzip: the bounded reader accepts them."""
    images, labels, _ = small_sample(mnist_test, per_digit=3)
    dataset = load_dataset(load_mnist_like(tmp_path / "data", images, labels))
    np.testing.assert_array_equal(dataset.images, images)
    np.testing.assert_array_equal(dataset.labels, labels)
    again = load_dataset(tmp_path / "data")  # no cache: the trailer covers only the last member
    np.testing.assert_array_equal(again.images, images)


# ---------------------------------------------------------------------------------------------
# Wrong types for every public function


@pytest.fixture(scope="module")
def generator():
    return DigitSequence(dataset=load_dataset("mnist", "test"), seed=0)


WRONG_TYPES = [
    ("load_dataset(5)", lambda g, d: load_dataset(5), InputTypeError, ["int"]),
    ("load_dataset(None)", lambda g, d: load_dataset(None), InputTypeError, ["nonetype"]),
    ("load_dataset(b'mnist')", lambda g, d: load_dataset(b"mnist"), InputTypeError, ["bytes"]),
    ("load_dataset([])", lambda g, d: load_dataset([]), InputTypeError, ["list"]),
    ("load_dataset('')", lambda g, d: load_dataset(""), DatasetError, ["''"]),
    ("load_dataset(NUL)", lambda g, d: load_dataset("a\0b"), DatasetError, ["not a data set"]),
    ("load_dataset split 5", lambda g, d: load_dataset("mnist", 5), InvalidInputError, ["split", "5"]),
    ("load_dataset split None", lambda g, d: load_dataset("mnist", None), InvalidInputError, ["split"]),
    ("load_config(5)", lambda g, d: load_config(5), InputTypeError, ["config", "int"]),
    ("load_config(None)", lambda g, d: load_config(None), InputTypeError, ["config", "nonetype"]),
    ("load_config('')", lambda g, d: load_config(""), ConfigError, ["''"]),
    (
        "save_config(dict)",
        lambda g, d: save_config({"image": {}}, d / "c.json"),
        InputTypeError,
        ["config", "dict"],
    ),
    ("save_config(path 5)", lambda g, d: save_config(Config(), 5), InputTypeError, ["int"]),
    (
        "save_config into a missing folder",
        lambda g, d: save_config(Config(), d / "no" / "c.json"),
        FileNotFoundError,
        ["c.json", "does not exist"],
    ),
    (
        "save_config onto a folder",
        lambda g, d: save_config(Config(), d),
        IsADirectoryError,
        [str(Path("x")).strip("x"), "folder"],
    ),
    (
        "save_config of a bad Config",
        lambda g, d: save_config(_bad_config(), d / "c.json"),
        ConfigError,
        ["spacing.min"],
    ),
    (
        "DigitSequence(config=5)",
        lambda g, d: DigitSequence(5, dataset=g.dataset),
        InputTypeError,
        ["config", "int"],
    ),
    ("DigitSequence(dataset=5)", lambda g, d: DigitSequence(None, dataset=5), InputTypeError, ["int"]),
    (
        "DigitSequence(seed='x')",
        lambda g, d: DigitSequence(None, dataset=g.dataset, seed="x"),
        InputTypeError,
        ["seed"],
    ),
    (
        "DigitSequence(seed=-1)",
        lambda g, d: DigitSequence(None, dataset=g.dataset, seed=-1),
        InvalidInputError,
        ["seed"],
    ),
    (
        "DigitSequence(config missing)",
        lambda g, d: DigitSequence(d / "none.json"),
        ConfigError,
        ["none.json"],
    ),
    (
        "generate_numbers_sequence(b'01')",
        lambda g, d: g.generate_numbers_sequence(b"01", (2, 8), 100),
        InputTypeError,
        ["bytes"],
    ),
    (
        "generate_numbers_sequence(range)",
        lambda g, d: g.generate_numbers_sequence(range(3), (2, 8), 100),
        InputTypeError,
        ["range"],
    ),
    (
        "generate_numbers_sequence(1001 digits)",
        lambda g, d: g.generate_numbers_sequence("1" * 1001, (2, 8), 100000),
        InvalidInputError,
        ["1001", "at most"],
    ),
    (
        "generate_numbers_sequence(spacing {})",
        lambda g, d: g.generate_numbers_sequence("01", {}, 100),
        InvalidInputError,
        ["two values"],
    ),
    (
        "generate_numbers_sequence(width 1e30)",
        lambda g, d: g.generate_numbers_sequence("01", (2, 8), 10**30),
        InvalidInputError,
        ["image_width"],
    ),
    (
        "save_image(None)",
        lambda g, d: g.save_image(None, "1", d),
        InputTypeError,
        ["numpy array", "nonetype"],
    ),
    ("save_image('x')", lambda g, d: g.save_image("x", "1", d), InputTypeError, ["numpy array", "str"]),
    (
        "save_image(ragged)",
        lambda g, d: g.save_image([[1.0], [1.0, 0.5]], "1", d),
        InputTypeError,
        ["numpy array"],
    ),
    (
        "save_image(objects)",
        lambda g, d: g.save_image(np.array([[None]]), "1", d),
        InputTypeError,
        ["object"],
    ),
    (
        "save_image(int64)",
        lambda g, d: g.save_image(np.ones((28, 5), np.int64), "1", d),
        InputTypeError,
        ["int64"],
    ),
    (
        "save_image(NaN)",
        lambda g, d: g.save_image(np.full((28, 5), np.nan, np.float32), "1", d),
        InvalidInputError,
        ["[0, 1]"],
    ),
    (
        "save_image(dir 5)",
        lambda g, d: g.save_image(np.ones((28, 5), np.float32), "1", 5),
        InputTypeError,
        ["folder", "int"],
    ),
    (
        "save_image(dir None)",
        lambda g, d: g.save_image(np.ones((28, 5), np.float32), "1", None),
        InputTypeError,
        ["folder"],
    ),
    (
        "save_image(dir '')",
        lambda g, d: g.save_image(np.ones((28, 5), np.float32), "1", ""),
        InvalidInputError,
        ["folder"],
    ),
    (
        "save_image(digits None)",
        lambda g, d: g.save_image(np.ones((28, 5), np.float32), None, d),
        InputTypeError,
        ["digits"],
    ),
]


def _bad_config() -> Config:
    config = Config()
    config.spacing.min = "2"
    return config


@pytest.mark.parametrize("name,call,kind,fragments", WRONG_TYPES, ids=[w[0] for w in WRONG_TYPES])
def test_wrong_types_and_values_for_public_functions(generator, tmp_path, name, call, kind, fragments):
    with pytest.raises(kind) as info:
        call(generator, tmp_path)
    assert isinstance(info.value, (DigitSeqError, OSError))
    if isinstance(info.value, OSError) and not isinstance(info.value, DigitSeqError):
        assert info.value.filename, "an OSError names its path"
    assert_message(info.value, fragments)
    assert [p.name for p in tmp_path.iterdir()] == [], "nothing written"


# ---------------------------------------------------------------------------------------------
# Files as a person expects them


def _writers(generator, folder: Path):
    image = generator.generate_numbers_sequence("42", (2, 8), 80)
    from digitseq_gui.engine.imagefile import write_array, write_image

    return {
        "save_image": lambda: generator.save_image(image, "42", folder),
        "write_image": lambda: write_image(image, folder / "a.png"),
        "write_array": lambda: write_array(image, folder / "a.npy"),
        "save_config": lambda: save_config(Config(), folder / "c.json"),
    }


@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
@pytest.mark.parametrize("writer", ["save_image", "write_image", "write_array", "save_config"])
def test_file_modes_follow_the_umask(generator, tmp_path, umask, mode, writer):
    previous = os.umask(umask)
    try:
        path = _writers(generator, tmp_path)[writer]()
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert [p for p in tmp_path.iterdir() if durable.is_temp_name(p.name)] == []


@pytest.mark.parametrize("writer", ["save_image", "write_image", "write_array", "save_config"])
def test_a_full_disk_names_the_path(generator, tmp_path, writer):
    """On a real full disk (root only; the os.write variant below runs everywhere)."""
    with small_tmpfs(tmp_path, "64k") as mount:
        fill(mount / "filler")
        with pytest.raises(OSError) as info:
            _writers(generator, mount)[writer]()
        assert info.value.errno == errno.ENOSPC
        assert_message(info.value, [str(mount), "disk is full"])
        assert sorted(p.name for p in mount.iterdir()) == ["filler"], "no half file, no temporary file"


@pytest.mark.parametrize("writer", ["save_image", "write_image", "write_array", "save_config"])
def test_enospc_from_the_os_names_the_path(generator, tmp_path, monkeypatch, writer):
    def full(fd, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    call = _writers(generator, tmp_path)[writer]
    monkeypatch.setattr(os, "write", full)
    with pytest.raises(OSError) as info:
        call()
    monkeypatch.undo()
    assert info.value.errno == errno.ENOSPC and info.value.filename.startswith(str(tmp_path))
    assert_message(info.value, [str(tmp_path), "disk is full", "free some space"])
    assert list(tmp_path.iterdir()) == []


def test_a_very_long_sequence_is_saved_under_a_shortened_name(generator, tmp_path):
    long_a, long_b = "0123456789" * 100, "0123456789" * 99 + "0123456788"
    image = generator.generate_numbers_sequence(long_a, (0, 0), 28000)
    first = generator.save_image(image, long_a, tmp_path)
    second = generator.save_image(image, long_b, tmp_path)
    third = generator.save_image(image, long_a, tmp_path)
    for path in (first, second, third):
        assert path.exists() and len(os.fsencode(path.name)) <= 255 and path.name.startswith("seq_0123456789")
    assert len({first, second, third}) == 3 and third.name.startswith(first.stem + "_2")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in (first, second, third))


def test_an_explicit_file_name_too_long_is_a_clear_error(generator, tmp_path):
    from digitseq_gui.engine.imagefile import write_image

    image = generator.generate_numbers_sequence("42", (2, 8), 80)
    with pytest.raises(OSError) as info:
        write_image(image, tmp_path / ("x" * 300 + ".png"))
    assert info.value.errno == errno.ENAMETOOLONG
    assert_message(info.value, ["file name is 304 bytes", "255", "shorter name"])
    assert list(tmp_path.iterdir()) == []


def test_a_fifo_device_or_folder_is_never_overwritten(generator, tmp_path):
    from digitseq_gui.engine.imagefile import write_array, write_image

    image = generator.generate_numbers_sequence("42", (2, 8), 80)
    os.mkfifo(tmp_path / "pipe.png")
    (tmp_path / "folder.npy").mkdir()
    with pytest.raises(OSError) as info:
        write_image(image, tmp_path / "pipe.png", overwrite=True)
    assert_message(info.value, ["pipe.png", "fifo", "not a file"])
    with pytest.raises(IsADirectoryError) as info:
        write_array(image, tmp_path / "folder.npy", overwrite=True)
    assert_message(info.value, ["folder.npy", "a folder"])
    with pytest.raises(OSError) as info:
        write_image(image, "/dev/null", fmt="png", overwrite=True)
    assert_message(info.value, ["/dev/null", "device"])
    assert stat.S_ISFIFO((tmp_path / "pipe.png").stat().st_mode) and (tmp_path / "folder.npy").is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.npy", "pipe.png"]


def test_atomic_writer_for_streamed_content(tmp_path):
    """What export's large files (zip archives, CSVs) should be written with."""
    previous = os.umask(0o022)
    try:
        with durable.atomic_writer(tmp_path / "big.bin") as handle:
            for _ in range(4):
                handle.write(b"x" * 1000)
            assert [p for p in tmp_path.iterdir() if not durable.is_temp_name(p.name)] == [], (
                "visible only when done"
            )
    finally:
        os.umask(previous)
    assert (tmp_path / "big.bin").read_bytes() == b"x" * 4000
    assert stat.S_IMODE((tmp_path / "big.bin").stat().st_mode) == 0o644
    with pytest.raises(KeyError):
        with durable.atomic_writer(tmp_path / "big.bin") as handle:
            handle.write(b"half")
            raise KeyError("the writer failed half-way")
    assert (tmp_path / "big.bin").read_bytes() == b"x" * 4000, "the old file is untouched"
    with pytest.raises(FileExistsError) as info:
        with durable.atomic_writer(tmp_path / "big.bin", overwrite=False) as handle:
            handle.write(b"other")
    assert_message(info.value, ["big.bin", "already exists"])
    assert [p.name for p in tmp_path.iterdir()] == ["big.bin"]


def test_save_config_never_replaces_a_fifo(tmp_path):
    os.mkfifo(tmp_path / "config.json")
    with pytest.raises(OSError) as info:
        save_config(Config(), tmp_path / "config.json")
    assert_message(info.value, ["config.json", "fifo", "not a file"])
    assert stat.S_ISFIFO((tmp_path / "config.json").stat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["config.json"]


def test_a_gzip_bomb_is_stopped_at_its_declared_size_not_read_to_the_end(tmp_path):
    """256 MB of zeros behind a header for 20 digits: the load stops after 15,697 bytes, so its
    peak memory (measured in a fresh process) grows by far less than the bomb's size."""
    code = (
        "import resource, sys\n"
        "from pathlib import Path\n"
        "sys.path[:0] = sys.argv[2:]\n"
        "from hostile_inputs import gzip_bomb_lying_header\n"
        "from digitseq_gui import load_dataset, DatasetError\n"
        "source = gzip_bomb_lying_header(Path(sys.argv[1]))\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n    load_dataset(source)\nexcept DatasetError as e:\n    print(e)\n"
        "print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)\n"
    )
    here = [str(Path(__file__).parent), str(Path(__file__).parent.parent)]  # hostile_inputs, mnist_files
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path), *here], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    message, grown_mb = done.stdout.strip().splitlines()
    assert "decompression bomb" in message
    assert int(grown_mb) < 64, f"peak memory grew by {grown_mb} MB"


# Found by trying; they raised a bare TypeError/OverflowError before.
FOUND_BY_TRYING = [
    ("spacing_range a 0-d array", lambda g: g.generate_numbers_sequence("0123", np.array(5), 200)),
    ("generate_batch of a 0-d array", lambda g: g.generate_batch(np.array(5), (2, 8), 100)),
    (
        "first_index beyond 64 bits",
        lambda g: g.generate_batch(["01"], (2, 8), 100, seed=1, first_index=64 * 10**30),
    ),
]


@pytest.mark.parametrize("name,call", FOUND_BY_TRYING, ids=[o[0] for o in FOUND_BY_TRYING])
def test_odd_arrays_and_huge_indices_get_a_clear_error(generator, name, call):
    with pytest.raises(DigitSeqError) as caught:
        call(generator)
    assert len(str(caught.value)) > 20 and "\n" not in str(caught.value)
