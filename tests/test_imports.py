"""What importing loads, checked in fresh interpreters.

The layers' static imports are import-linter's contracts (pyproject.toml, run by tools/check);
these tests cover what it cannot see: what is loaded at run time.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import digitseq_gui

QT_PACKAGES = ("PyQt5", "PyQt6", "PySide2", "PySide6", "qtpy", "sip")


def loaded_after(code: str) -> list[str]:
    """The digitseq_gui and Qt modules in sys.modules after running ``code`` in a new interpreter."""
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))\n"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return [m for m in json.loads(out.stdout) if m.split(".")[0] in ("digitseq_gui", *QT_PACKAGES)]


def test_a_worker_importing_seeding_loads_neither_the_data_set_nor_the_generator():
    loaded = loaded_after("import digitseq_gui.engine.seeding")
    assert "digitseq_gui.engine.seeding" in loaded
    assert not {"digitseq_gui.dataset", "digitseq_gui.engine.generator", "digitseq_gui.engine.data"} & set(
        loaded
    )


def test_the_package_loads_a_public_name_on_first_use():
    assert loaded_after("import digitseq_gui") == ["digitseq_gui", "digitseq_gui.version"]
    assert "digitseq_gui.dataset" in loaded_after("from digitseq_gui import SequenceDataset")


def test_every_public_name_resolves_and_is_listed_by_dir():
    for name in digitseq_gui.__all__:
        assert getattr(digitseq_gui, name) is not None, name
    assert set(digitseq_gui.__all__) <= set(dir(digitseq_gui))
    assert digitseq_gui.DigitSequence.__module__ == "digitseq_gui.engine.generator"
    assert digitseq_gui.__version__ == __import__("digitseq_gui.version").version.__version__


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_name"):
        digitseq_gui.no_such_name  # noqa: B018


def test_using_the_engine_loads_no_qt_module():
    # Generate with the transform on (imgaug and OpenCV loaded) and check nothing pulled Qt in.
    loaded = loaded_after(
        "import digitseq_gui\n"
        "from digitseq_gui import Config, DigitSequence\n"
        "config = Config(); config.image.transform = True\n"
        "DigitSequence(config, dataset=digitseq_gui.load_dataset('mnist', 'test')).generate('0123', (2, 8), 200, seed=1)"
    )
    assert [m for m in loaded if m.split(".")[0] in QT_PACKAGES] == []
