"""The smaller findings of issue 21, each as a person meets it: one line, exit 2, no traceback,
the right reason; and no stray warning or memory error where there should be an image."""

from __future__ import annotations

import os
import resource
import subprocess
import sys

import pytest
from test_generate_cli import assert_usage_error, digitseq_command, run


def test_an_unknown_extension_names_every_one_that_works(tmp_path):
    done = run("generate", "0123", "-o", tmp_path / "out.gif")
    assert_usage_error(done, "out.gif")
    assert "end the name with .png, .jpg or .npy" in done.stderr


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc")
def test_a_folder_that_takes_no_files_is_not_called_missing():
    done = run("generate", "0123", "-o", "/proc/x.png")
    assert_usage_error(done)
    assert "does not exist" not in done.stderr and "takes no new files" in done.stderr


def test_a_very_narrow_image_is_refused_in_one_line_without_imgaug_warnings(tmp_path):
    """Widths 1 and 3 once printed imgaug's two-line shape warning; below 8 px a digit they are
    now refused up front, saying which widths work."""
    for width in (1, 3):
        done = run("generate", "7", "--width", width, "--transform", "-o", tmp_path / f"w{width}.png")
        assert_usage_error(done, "use at least 8 pixels")
        assert "Warning" not in done.stderr


def test_illegible_widths_and_lengths_are_refused_naming_what_works(tmp_path):
    done = run("generate", "0123", "--width", 10, "-o", tmp_path / "x.png")
    assert_usage_error(done)
    assert "use at least 32 pixels" in done.stderr and "at most 1 digit at" in done.stderr
    done = run("export", "-o", tmp_path / "out", "--count", 10, "--length", "4-80", "--width", 200)
    assert_usage_error(done)
    assert "use at least 640 pixels" in done.stderr and "at most 25 digits" in done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="address-space limit: Linux")
def test_generate_works_under_an_address_space_limit(tmp_path):
    """read_regular_file once reserved max_bytes (about 4 GiB) to read a 60 kB label file."""

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (2_500_000_000, 2_500_000_000))

    done = subprocess.run(
        digitseq_command() + ["generate", "0123", "-o", str(tmp_path / "x.png")],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "x.png").stat().st_size > 0


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to mount a read-only tmpfs")
def test_a_read_only_file_system_is_named_as_such(tmp_path):
    mount = tmp_path / "ro"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,ro", "tmpfs", str(mount)]).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        done = run("generate", "0123", "-o", mount / "x.png")
    finally:
        subprocess.run(["umount", str(mount)], check=True)
    assert_usage_error(done)
    assert "read-only" in done.stderr and "permission denied" not in done.stderr
