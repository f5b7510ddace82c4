"""Every write an export commits reaches the disk before the record that counts it.

The recorder replaces engine.durable's two calls that reach the disk (``fsync`` and ``syncfs``)
with ones that run the real call and note what it made durable: a file's content, a folder's
names, or, for syncfs, every file and folder under the test's folder. From that list it checks,
for an export in every format, a sharded export and a merge, the chain a crash must never break:

- a chunk's images (or its piece) and their names, before the chunk's label rows and ledger line;
- a ledger line and label rows, before the manifest that counts the chunk;
- every file of a finished export (containers, label files), before the manifest that says
  "complete"; and every manifest written, with its name, before the next one.

Workers run in this process (workers=1), so the recorder sees their syncs too.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from test_export_helpers import cancel_after, request

from digitseq_gui import export
from digitseq_gui.engine import durable
from digitseq_gui.export import ledger
from digitseq_gui.export.disk import temp_path
from digitseq_gui.export.formats import FORMATS
from digitseq_gui.export.manifest import MANIFEST_NAME
from digitseq_gui.export.resume import contexts_of

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Sync:
    """What one sync made durable: file contents and folder names (syncfs: all of them)."""

    files: dict[Path, bytes] = field(default_factory=dict)
    names: dict[Path, frozenset[str]] = field(default_factory=dict)


class Recorder:
    def __init__(self, root: Path, monkeypatch):
        self.root, self.syncs = root, []
        real_fsync, real_syncfs = durable.fsync, durable.syncfs

        def fsync(fd, path):
            real_fsync(fd, path)
            path = Path(os.path.abspath(path))
            if path == self.root or self.root in path.parents:
                if path.is_dir():
                    self.syncs.append(Sync(names={path: frozenset(os.listdir(path))}))
                else:
                    self.syncs.append(Sync(files={path: path.read_bytes()}))

        def syncfs(fd, path):
            done = real_syncfs(fd, path)
            if done:
                everything = Sync()
                for folder, dirs, files in os.walk(self.root):
                    everything.names[Path(folder)] = frozenset(dirs + files)
                    for name in files:
                        everything.files[Path(folder) / name] = (Path(folder) / name).read_bytes()
                self.syncs.append(everything)
            return done

        monkeypatch.setattr(durable, "fsync", fsync)
        monkeypatch.setattr(durable, "syncfs", syncfs)

    def first(self, path: Path, ok) -> int | None:
        """The first sync that made content of ``path`` durable that ``ok`` accepts, written at
        ``path`` or at its temporary name (renamed to ``path`` after)."""
        found = self.first_with_name(path, ok)
        return found[0] if found else None

    def first_with_name(self, path: Path, ok) -> tuple[int, Path] | None:
        for i, sync in enumerate(self.syncs):
            for candidate in (path, temp_path(path)):
                content = sync.files.get(candidate)
                if content is not None and ok(content):
                    return i, candidate
        return None

    def named(self, path: Path, start: int, stop: int) -> bool:
        """Whether ``path``'s name in its folder was made durable by a sync in [start, stop)."""
        return any(path.name in s.names.get(path.parent, ()) for s in self.syncs[start:stop])

    def check_durable(self, path: Path, ok, deadline: int, what: str) -> None:
        found = self.first_with_name(path, ok)
        assert found is not None and found[0] < deadline, f"{what}: {path} was not fsynced before it counts"
        # renamed into place: the folder synced after the rename; written in place: once it existed
        since = found[0] if found[1] != path else 0
        assert self.named(path, since, deadline), f"{what}: the folder of {path} was not synced"
        for folder in path.parents:  # and every folder on the way, since it was made
            if folder == self.root:
                break
            assert self.named(folder, 0, deadline), f"{what}: {folder} is not synced in its parent"

    def longest(self, path: Path) -> bytes:
        return max((s.files[path] for s in self.syncs if path in s.files), key=len, default=b"")


def manifests(recorder: Recorder, output: Path) -> list[tuple[int, dict]]:
    """(sync that made its content durable, manifest) of every manifest written, in order, each
    checked to have its name made durable before the next one is written."""
    path = output / MANIFEST_NAME
    found = []
    for i, sync in enumerate(recorder.syncs):
        content = sync.files.get(temp_path(path), sync.files.get(path))
        if content is not None and (not found or json.loads(content) != found[-1][1]):
            found.append((i, json.loads(content)))
    for (i, manifest), nxt in zip(found, [j for j, _ in found[1:]] + [len(recorder.syncs)]):
        assert recorder.named(path, i + 1, nxt), (
            f"the manifest ({manifest['status']}) was renamed, never synced"
        )
    return found


def check_export(recorder: Recorder, output: Path) -> None:
    written = manifests(recorder, output)
    assert written and written[-1][1]["status"] == "complete", "the finished manifest was never synced"
    final_at, final = written[-1]
    fmt = FORMATS[final["format"]]
    contexts = {ctx.name: ctx for _, ctx in contexts_of(output, final)}
    ledger_file = ledger.ledger_path(output)
    lines = recorder.longest(ledger_file).splitlines(keepends=True)
    records = [json.loads(line) for line in lines]
    owned = final["shard"]["chunks"] if final.get("shard") else [0, _chunk_count(final)]
    assert len(records) == owned[1] - owned[0], "not every chunk's ledger line was fsynced"

    label_ends: dict[str, int] = {name: len(fmt.header) for name in contexts}
    for k, record in enumerate(records):
        ctx = contexts[record["part"]]
        ledger_at = recorder.first(ledger_file, lambda c, k=k: c.count(b"\n") > k)
        assert ledger_at is not None
        deadline = ledger_at
        if (
            fmt.label_file
        ):  # the chunk's label rows name its images: those count from when the rows are on disk
            label_ends[record["part"]] += record["rows"]
            end = label_ends[record["part"]]
            rows_at = recorder.first(ctx.folder / fmt.label_file, lambda c, end=end: len(c) >= end)
            assert rows_at is not None, f"the label rows of chunk {k} were never fsynced"
            deadline = min(deadline, rows_at)
            for path in fmt.image_files(ctx, record["start"], record["count"]):
                data = path.read_bytes()
                recorder.check_durable(path, lambda c, data=data: c == data, deadline, f"image of chunk {k}")
        else:
            piece, digest = fmt.piece_path(ctx, record["chunk"]), record["sha256"]
            recorder.check_durable(
                piece, lambda c, d=digest: hashlib.sha256(c).hexdigest() == d, deadline, f"piece of chunk {k}"
            )

    for at, manifest in written:
        progress = manifest.get("progress") or {}
        for k in range(progress.get("chunks_committed", 0)):
            recorder.check_durable(
                ledger_file, lambda c, k=k: c.count(b"\n") > k, at, f"ledger line {k} before the manifest"
            )
        for relative, size in progress.get("sizes", {}).items():
            path = output / relative
            whole = path.read_bytes() if path.exists() else recorder.longest(path)
            recorder.check_durable(
                path, lambda c, s=size, w=whole: c[:s] == w[:s] and len(c) >= s, at, "committed rows"
            )
    for relative, (_, digest) in {**final.get("files", {}), **final.get("shard_files", {})}.items():
        recorder.check_durable(
            output / relative,
            lambda c, d=digest: hashlib.sha256(c).hexdigest() == d,
            final_at,
            "a file of the finished export",
        )
    if fmt.label_file:  # the images are in no record of the manifest: checked to be there at all
        assert all(ctx.folder.joinpath("images").is_dir() for ctx in contexts.values())


def _chunk_count(manifest: dict) -> int:
    return sum(-(-p["count"] // manifest["chunk_size"]) for p in manifest["parts"])


def _formats() -> list:
    return [
        pytest.param(name, marks=pytest.mark.skipif(_no_pyarrow(), reason="pyarrow is not installed"))
        if name == "parquet"
        else name
        for name in FORMATS
    ]


def _no_pyarrow() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return True
    return False


@pytest.mark.parametrize("fmt", _formats())
def test_an_export_syncs_every_file_before_its_commit(tmp_path, monkeypatch, fmt):
    recorder = Recorder(tmp_path, monkeypatch)
    out = tmp_path / "out"
    export.run_export(
        request(out, count=150, fmt=fmt, splits="train=0.8,val=0.1,test=0.1", shard_size=50, workers=1)
    )
    check_export(recorder, out)


@pytest.mark.parametrize("fmt", ["png", "npz"])
def test_a_cancelled_and_resumed_export_syncs_every_file_before_its_commit(tmp_path, monkeypatch, fmt):
    recorder = Recorder(tmp_path, monkeypatch)
    out = tmp_path / "out"
    progress, cancel = cancel_after(1)
    first = export.run_export(request(out, count=256, fmt=fmt, workers=1), progress, cancel)
    assert first.status == "cancelled"
    export.run_export(request(out, count=256, fmt=fmt, workers=1, resume=True))
    check_export(recorder, out)


@pytest.mark.parametrize("fmt", ["png", "npz"])
def test_shards_and_their_merge_sync_every_file_before_its_commit(tmp_path, monkeypatch, fmt):
    recorder = Recorder(tmp_path, monkeypatch)
    shards = [tmp_path / "s1", tmp_path / "s2"]
    for i, folder in enumerate(shards, 1):
        export.run_export(request(folder, count=256, fmt=fmt, shard=(i, 2), workers=1))
        check_export(recorder, folder)
    merged = tmp_path / "merged"
    export.merge_exports(shards, merged)
    written = manifests(recorder, merged)
    final_at, final = written[-1]
    assert final["status"] == "complete" and final["files"]
    for relative, (_, digest) in final["files"].items():
        recorder.check_durable(
            merged / relative,
            lambda c, d=digest: hashlib.sha256(c).hexdigest() == d,
            final_at,
            "a merged file",
        )
    if fmt == "png":  # linked images: their names in the merged folder
        images = merged / "images"
        last = max(i for i, s in enumerate(recorder.syncs) if images in s.names)
        assert last < final_at and recorder.syncs[last].names[images] == frozenset(os.listdir(images))


def test_only_the_durable_module_syncs():
    """Every fsync, syncfs and rename into place goes through engine/durable.py."""
    pattern = re.compile(r"\bos\.(fsync|fdatasync|replace|rename)\b|\bsyncfs\b|\.fsync\(")
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "digitseq_gui").rglob("*.py"))
        if path.name != "durable.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line.split("#")[0]) and not line.lstrip().startswith(('"', "'"))
    ]
    assert offenders == [], "sync through digitseq_gui.engine.durable instead"
