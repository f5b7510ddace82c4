"""What `pip install .` ships: every module and the embedded data.

An editable install finds modules in folders without __init__.py (namespace packages), a built
wheel does not: the first command of the README once failed with "No module named
digitseq_gui.engine.data" while every test passed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from setuptools import find_packages

ROOT = Path(__file__).resolve().parent.parent


def test_every_folder_of_python_modules_is_a_package_setup_py_ships():
    folders = {p.parent for p in (ROOT / "digitseq_gui").rglob("*.py") if "__pycache__" not in p.parts}
    missing = sorted(str(f.relative_to(ROOT)) for f in folders if not (f / "__init__.py").exists())
    assert missing == [], f"folders without __init__.py are left out of the wheel: {missing}"
    shipped = set(find_packages(str(ROOT), include=["digitseq_gui", "digitseq_gui.*"]))
    expected = {".".join(f.relative_to(ROOT).parts) for f in folders}
    assert expected <= shipped


def test_the_build_ships_every_module_and_the_embedded_mnist(tmp_path):
    """setuptools' build_py lays out what `pip install .` puts in the wheel (modules and package
    data, no network): it holds every module of the tree and the MNIST files and their licence."""
    built = subprocess.run(
        [sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    names = {"/".join(p.relative_to(tmp_path).parts) for p in tmp_path.rglob("*") if p.is_file()}
    modules = {
        "/".join(p.relative_to(ROOT).parts)
        for p in (ROOT / "digitseq_gui").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert modules - names == set()
    assert {
        f"digitseq_gui/resources/mnist/{name}"
        for name in (
            "train-images-idx3-ubyte.gz",
            "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz",
            "t10k-labels-idx1-ubyte.gz",
            "LICENSE.txt",
        )
    } <= names
