"""docs/oneplace.md's webdataset snippet runs on a real export without a warning and reads grey images."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("webdataset")

DOC = Path(__file__).resolve().parents[2] / "docs" / "oneplace.md"


def test_the_webdataset_snippet_reads_grey_uint8_images_without_warnings(tmp_path):
    from digitseq_gui import export
    from digitseq_gui.engine import sequences

    export.run_export(
        export.ExportRequest(
            tmp_path / "data", sequences=sequences.random_lengths(4, 6), count=20, format="webdataset", seed=3
        ),
        progress=lambda done, total: None,
        cancel=None,
    )
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)
    snippet = next(b for b in blocks if "WebDataset" in b)
    (tmp_path / "snippet.py").write_text(snippet)
    run = subprocess.run(
        # What a user sees (Python's default filters) must be silent, and the warnings a user would
        # see are errors. webdataset 1.0 itself leaves a tar open (a ResourceWarning, hidden by
        # default, with or without a break), which is why not every warning is an error here.
        [sys.executable, "-W", "error::UserWarning", "-W", "error::DeprecationWarning", "snippet.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0 and run.stderr == "", run.stderr
    first = export.load_export(tmp_path / "data")["all"]
    assert run.stdout.strip() == f"(28, 200) uint8 {first['labels'][0]} {first['texts'][0]}"
