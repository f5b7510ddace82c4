"""The engine, export and command line never import Qt: neither in source nor at run time.

Only ``digitseq_gui/gui`` may. (napari enforces the same rule on its core model.)"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import digitseq_gui

PACKAGE = Path(digitseq_gui.__file__).parent
QT_PACKAGES = ("PyQt5", "PyQt6", "PySide2", "PySide6", "qtpy", "sip")


def imported_names(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_module_outside_the_gui_imports_qt():
    modules = [p for p in sorted(PACKAGE.rglob("*.py")) if "gui" not in p.relative_to(PACKAGE).parts[:-1]]
    assert any(p.parent.name == "engine" for p in modules) and any(p.parent.name == "export" for p in modules)
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            n for n in imported_names(path) if n.split(".")[0] in QT_PACKAGES
        )
        for path in modules
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_using_the_engine_loads_no_qt_module():
    # A fresh interpreter: generate with the transform on (imgaug and OpenCV loaded) and check
    # that nothing pulled Qt in.
    script = (
        "import sys\n"
        "import digitseq_gui\n"
        "from digitseq_gui import Config, DigitSequence\n"
        "config = Config(); config.image.transform = True\n"
        "DigitSequence(config, dataset=digitseq_gui.load_dataset('mnist', 'test')).generate('0123', (2, 8), 200, seed=1)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {QT_PACKAGES!r}))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
