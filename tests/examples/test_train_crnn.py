"""examples/train_crnn.py --smoke runs end to end: trains a few steps, evaluates, prints the accuracy."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "train_crnn.py"
# The second evaluation: the same texts, each number by one writer of the MNIST test file.
ONE_WRITER_LINE = (
    r"^sequence accuracy on {count} sequences each by one MNIST test writer \((\d+) writers\): "
    r"\d+\.\d\d% \(digit error rate \d+\.\d\d%\)$"
)


def test_smoke_run_trains_and_prints_sequence_accuracy():
    run = subprocess.run(
        [sys.executable, str(EXAMPLE), "--smoke"], capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stderr
    assert "training on 96 images (4-8 digits, augmentation off, writer any), 3 steps of 32" in run.stdout
    losses = [float(v) for v in re.findall(r"step \d/3  loss (\d+\.\d+)", run.stdout)]
    assert len(losses) == 3 and all(v > 0 for v in losses)
    assert re.search(
        r"^sequence accuracy on 64 sequences of MNIST test digits: \d+\.\d\d% "
        r"\(digit error rate \d+\.\d\d%\)$",
        run.stdout,
        re.M,
    ), run.stdout
    assert re.search(ONE_WRITER_LINE.format(count=64), run.stdout, re.M), run.stdout


def test_writer_same_trains_on_one_writer_numbers_and_both_evaluations_are_printed(tmp_path):
    """--writer same reaches the training data; the one-writer test line names its writers, drawn
    from the test file's 297 (a handful among 64 sequences, never more than the sequences)."""
    run = subprocess.run(
        [sys.executable, str(EXAMPLE), "--smoke", "--writer", "same", "--device", "cpu"]
        + ["--save", str(tmp_path / "same.npz")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    assert "training on 96 images (4-8 digits, augmentation off, writer same), 3 steps of 32" in run.stdout
    assert re.search(r"^sequence accuracy on 64 sequences of MNIST test digits: ", run.stdout, re.M)
    writers = int(re.search(ONE_WRITER_LINE.format(count=64), run.stdout, re.M).group(1))
    assert 1 < writers <= 64


def test_writer_option_refuses_other_values():
    run = subprocess.run(
        [sys.executable, str(EXAMPLE), "--smoke", "--writer", "one"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2 and "--writer: invalid choice: 'one'" in run.stderr


def test_help_shows_every_default_and_the_device_and_save_options():
    run = subprocess.run(
        [sys.executable, str(EXAMPLE), "--help"], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    text = " ".join(run.stdout.split())
    assert "--steps STEPS training steps (batches) (default: 600)" in text
    assert "--save PATH where the trained weights go (default: crnn.npz)" in text
    device = "cuda" if __import__("torch").cuda.is_available() else "cpu"
    assert f"--device DEVICE torch device: cuda when available, else cpu (default: {device})" in text
    assert "--writer {any,same}" in text and "default: any, and with --preset the preset's own: same" in text


def test_the_trained_model_is_saved_without_pickle_and_loads_back(tmp_path):
    import numpy as np
    import torch

    saved = tmp_path / "model.npz"
    run = subprocess.run(
        [sys.executable, str(EXAMPLE), "--smoke", "--device", "cpu", "--save", str(saved)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    assert f"weights saved to {saved}" in run.stdout
    sys.path.insert(0, str(EXAMPLE.parent))
    try:
        import train_crnn
    finally:
        sys.path.remove(str(EXAMPLE.parent))
    model = train_crnn.load_model(str(saved))
    with np.load(saved, allow_pickle=False) as arrays:
        assert set(arrays.files) == set(model.state_dict())
        for name, tensor in model.state_dict().items():
            assert torch.equal(tensor, torch.from_numpy(arrays[name]))


def test_ctrl_c_stops_training_then_evaluates_and_saves_what_it_has(tmp_path):
    import signal

    saved = tmp_path / "early.npz"
    process = subprocess.Popen(
        [sys.executable, "-u", str(EXAMPLE), "--steps", "100000", "--batch-size", "32", "--test-count", "64"]
        + ["--workers", "0", "--device", "cpu", "--save", str(saved)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout.readline().startswith("training on ")  # the loop has started
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=600)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert re.search(r"^stopped after \d+ of 100000 steps; evaluating the model as it is$", out, re.M), out
    assert re.search(r"^sequence accuracy on 64 sequences of MNIST test digits: \d+\.\d\d% ", out, re.M), out
    assert re.search(ONE_WRITER_LINE.format(count=64), out, re.M), out
    assert saved.is_file() and "Traceback" not in err


def train_preset_and_load(tmp_path, preset: str):
    """A smoke run of the example on ``preset``: its first line, and the model it saved, loaded back."""
    saved = tmp_path / f"{preset}.npz"
    run = subprocess.run(
        [
            sys.executable,
            str(EXAMPLE),
            "--smoke",
            "--preset",
            preset,
            "--device",
            "cpu",
            "--save",
            str(saved),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    sys.path.insert(0, str(EXAMPLE.parent))
    try:
        import train_crnn
    finally:
        sys.path.remove(str(EXAMPLE.parent))
    return run.stdout, train_crnn.load_model(str(saved))


def test_a_preset_trains_a_model_with_a_class_per_symbol(tmp_path):
    """--preset date: the labels hold / and -, so the model has the data set's 19 classes."""
    out, model = train_preset_and_load(tmp_path, "date")
    assert "training on 96 images (preset date, augmentation off, writer same)" in out
    assert model.classify.out_features == 19


def test_a_realistic_preset_trains_on_rgb_images(tmp_path):
    """--preset zip-boxes makes (H, W, 3) RGB items: the example's transform makes them (3, H, W)
    and the model takes three channels (saved and loaded back as such)."""
    out, model = train_preset_and_load(tmp_path, "zip-boxes")
    assert "training on 96 images (preset zip-boxes, augmentation off, writer same)" in out
    assert model.features[0].in_channels == 3
