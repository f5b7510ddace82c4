"""examples/ray_export.py on a local Ray: the Parquet files Ray Data writes hold exactly the
images and labels of ``digitseq export`` with the same seed, and so do its WebDataset tars."""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ray = pytest.importorskip("ray")
pq = pytest.importorskip("pyarrow.parquet")

from digitseq_gui import export  # noqa: E402
from digitseq_gui.engine import sequences  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ray_export.py"
COUNT, SEED = 150, 5  # three blocks, the last one short


def _pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("L"))


def _run_example(*args: str) -> None:
    """The example as a user runs it: its own process, starting a local Ray (and stopping it)."""
    run = subprocess.run([sys.executable, str(EXAMPLE), *args], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]


def test_ray_data_gives_the_single_machine_exports_images_and_labels(tmp_path):
    request = export.ExportRequest(
        tmp_path / "single", count=COUNT, format="png", sequences=sequences.random_lengths(4, 8), seed=SEED
    )
    export.run_export(request)
    single = export.load_export(tmp_path / "single")["all"]
    single_pixels = [_pixels((tmp_path / "single" / f).read_bytes()) for f in single["files"]]

    _run_example(
        "--output", str(tmp_path / "pq"), "--count", str(COUNT), "--seed", str(SEED), "--num-cpus", "1"
    )
    table = pq.read_table(tmp_path / "pq").to_pydict()
    order = np.argsort(table["index"])
    assert [table["index"][i] for i in order] == list(range(COUNT))
    assert [table["label"][i] for i in order] == single["labels"]
    assert [table["text"][i] for i in order] == single["texts"]
    for at, i in enumerate(order):
        assert np.array_equal(_pixels(table["png"][i]), single_pixels[at])
        assert np.array_equal(np.array(table["boxes"][i]), single["box_list"][at])

    _run_example(
        "--output",
        str(tmp_path / "wds"),
        "--count",
        str(COUNT),
        "--seed",
        str(SEED),
        "--webdataset",
        "--num-cpus",
        "1",
    )
    samples = {}
    for path in (tmp_path / "wds").glob("*.tar"):
        with tarfile.open(path) as tar:
            for member in tar.getmembers():
                key, _, extension = member.name.partition(".")
                samples.setdefault(key, {})[extension] = tar.extractfile(member).read()
    assert sorted(samples) == [f"{i:06d}" for i in range(COUNT)]
    for i in range(COUNT):
        assert samples[f"{i:06d}"]["txt"].decode() == single["labels"][i]
        assert np.array_equal(_pixels(samples[f"{i:06d}"]["png"]), single_pixels[i])
