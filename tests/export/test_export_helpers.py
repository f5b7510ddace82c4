"""Shared helpers for the export tests: small requests and folder hashes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from digitseq_gui import Config, export
from digitseq_gui.engine import sequences


def small_config(**image) -> Config:
    config = Config()
    config.dataset.split = "test"  # the smaller file: the split does not matter here
    for key, value in image.items():
        setattr(config.image, key, value)
    return config


def request(output, count=150, fmt="png", **kwargs) -> export.ExportRequest:
    kwargs.setdefault("sequences", sequences.random_lengths(1, 6))
    kwargs.setdefault("config", small_config())
    kwargs.setdefault("seed", 11)
    kwargs.setdefault("chunk_size", 64)
    return export.ExportRequest(Path(output), count=count, format=fmt, **kwargs)


def folder_hashes(folder: Path, ignore_chunk_size: bool = True) -> dict[str, str]:
    """sha256 of every file (relative path -> digest); the manifest without its chunk size."""
    hashes = {}
    for path in sorted(Path(folder).rglob("*")):
        if path.is_dir():
            continue
        data = path.read_bytes()
        if path.name == "manifest.json" and ignore_chunk_size:
            manifest = json.loads(data)
            manifest.pop("chunk_size")
            data = json.dumps(manifest, sort_keys=True).encode()
        hashes[str(path.relative_to(folder))] = hashlib.sha256(data).hexdigest()
    return hashes


def cancel_after(chunks: int):
    """A progress callback + event pair that cancels the export after ``chunks`` commits."""
    import threading

    event = threading.Event()
    calls = []

    def progress(done, total):
        calls.append(done)
        if len(calls) > chunks:  # the first call reports the starting point
            event.set()

    return progress, event
