"""examples/train_crnn.py --smoke runs end to end: trains a few steps, evaluates, prints the accuracy."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "train_crnn.py"


def test_smoke_run_trains_and_prints_sequence_accuracy():
    run = subprocess.run(
        [sys.executable, str(EXAMPLE), "--smoke"], capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stderr
    assert "training on 96 images (4-8 digits, augmentation off), 3 steps of 32" in run.stdout
    losses = [float(v) for v in re.findall(r"step \d/3  loss (\d+\.\d+)", run.stdout)]
    assert len(losses) == 3 and all(v > 0 for v in losses)
    assert re.search(
        r"^sequence accuracy on 64 sequences of MNIST test digits: \d+\.\d\d% "
        r"\(digit error rate \d+\.\d\d%\)$",
        run.stdout,
        re.M,
    ), run.stdout
