"""What `pip install digitseq` ships: the built wheel's files and metadata.

An editable install finds modules in folders without __init__.py (namespace packages), a built
wheel does not: the first command of the README once failed with "No module named
digitseq_gui.engine.data" while every test passed. So this test builds the wheel, as a release
does, and reads its file list.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from email.parser import HeaderParser
from pathlib import Path

import pytest

from digitseq_gui.version import __version__

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    """The wheel pip builds from this tree (its build backend fetched as for any install)."""
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (path,) = out.glob("digitseq-*.whl")
    with zipfile.ZipFile(path) as archive:
        yield archive


def test_the_wheel_ships_every_module_of_the_tree(wheel):
    names = set(wheel.namelist())
    modules = {
        "/".join(p.relative_to(ROOT).parts)
        for p in (ROOT / "digitseq_gui").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert modules - names == set(), "a folder without __init__.py is left out of the wheel"
    assert not [n for n in names if n.startswith(("tests/", "resources/", "benchmarks/"))]


def test_the_wheel_ships_the_embedded_mnist_the_icon_and_the_licences(wheel):
    names = set(wheel.namelist())
    resources = "digitseq_gui/resources"
    mnist = [f"{resources}/mnist/{kind}-{part}-idx{dim}-ubyte.gz" for kind in ("train", "t10k")
             for part, dim in (("images", 3), ("labels", 1))]  # fmt: skip
    assert {*mnist, f"{resources}/mnist/LICENSE.txt", f"{resources}/icons/digitseq.svg"} <= names
    writers = {f"{resources}/mnist/{kind}-writers-uint16.gz" for kind in ("train", "t10k")}
    assert {*writers, f"{resources}/mnist/QMNIST-LICENSE.txt"} <= names  # QMNIST's ids, with its licence
    for name in mnist:  # the data itself, not a Git LFS pointer
        assert wheel.getinfo(name).file_size > 1000
    dist_info = f"digitseq-{__version__}.dist-info"
    assert {f"{dist_info}/licenses/LICENSE", f"{dist_info}/licenses/resources/mnist/LICENSE.txt"} <= names
    assert f"{dist_info}/licenses/resources/mnist/QMNIST-LICENSE.txt" in names


def test_the_wheel_metadata_has_the_version_and_the_commands(wheel):
    dist_info = f"digitseq-{__version__}.dist-info"
    metadata = HeaderParser().parsestr(wheel.read(f"{dist_info}/METADATA").decode())
    assert metadata["Name"] == "digitseq" and metadata["Version"] == __version__
    assert metadata["License-Expression"] == "MIT AND CC-BY-SA-3.0 AND BSD-3-Clause"
    assert "Provides-Extra" in metadata and set(metadata.get_all("Provides-Extra")) >= {
        "test",
        "torch",
        "dev",
    }
    entry_points = wheel.read(f"{dist_info}/entry_points.txt").decode()
    assert "digitseq = digitseq_gui.cli:main" in entry_points
    assert "[gui_scripts]\ndigitseq-gui = digitseq_gui.gui.app:main" in entry_points
