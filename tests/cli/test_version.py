"""``digitseq --version`` prints the version defined in digitseq_gui/version.py."""

from __future__ import annotations

import subprocess
import sys

from digitseq_gui.version import __version__


def test_version_prints_the_package_version_and_exits_0():
    out = subprocess.run(
        [sys.executable, "-m", "digitseq_gui.cli", "--version"], capture_output=True, text=True, timeout=120
    )
    assert (out.returncode, out.stdout.strip()) == (0, f"digitseq {__version__}")
