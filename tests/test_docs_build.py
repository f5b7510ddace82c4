"""The documentation site builds with warnings as errors (where the docs extra is installed).

CI's own step is `sphinx-build -W -b html docs docs/_build/html`; this test lets a developer with
`pip install -e ".[docs]"` catch a broken page or docstring in the normal test run. It builds into a
temporary folder, so that it never leaves docs/_build behind.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MISSING = [name for name in ("sphinx", "myst_parser", "furo") if importlib.util.find_spec(name) is None]


@pytest.mark.skipif(bool(MISSING), reason=f'needs the docs extra (pip install -e ".[docs]"): {MISSING}')
def test_docs_build_without_warnings(tmp_path: Path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "-q",
            "-b",
            "html",
            str(ROOT / "docs"),
            str(tmp_path / "html"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    api = (tmp_path / "html" / "api.html").read_text(encoding="utf-8")
    # the reference is generated: a public name of each documented module is there
    for name in (
        "digitseq_gui.DigitSequence",
        "digitseq_gui.export.run_export",
        "digitseq_gui.dataset.label_of_targets",
    ):
        assert f'id="{name}"' in api, name
