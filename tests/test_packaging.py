"""What `pip install .` ships: every module and the embedded data.

An editable install finds modules in folders without __init__.py (namespace packages), a built
wheel does not: the first command of the README once failed with "No module named
digitseq_gui.engine.data" while every test passed.
"""
from __future__ import annotations

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


def test_the_embedded_mnist_files_are_package_data():
    names = {p.name for p in (ROOT / "resources" / "mnist").iterdir()}
    assert {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"} <= names
    setup_text = (ROOT / "setup.py").read_text()
    assert '"mnist/*.gz"' in setup_text and '"digitseq_gui.resources": "resources"' in setup_text
