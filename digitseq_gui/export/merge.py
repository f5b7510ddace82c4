"""Joining shard exports (``--shard 1/N`` .. ``N/N``) into the export one machine would make.

Before writing anything, every shard is checked, and the first problem refuses the merge naming
the shard: it is a complete shard export; all come from the same run (configuration, seed,
count, N); together they cover every chunk exactly once; each is whole (every chunk its ledger
lists is there with the recorded size and sha256, label files as recorded) and holds regular
files only: a link is never followed out of a shard. The output is then written under its lock,
its manifest first, so an interrupted merge is recognised as an export and can be overwritten.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from ..engine.durable import make_folders, sync_file, sync_folder
from ..engine.errors import InputTypeError, InvalidInputError
from . import ledger
from .disk import INTERNAL, refuse_links, remove_tree
from .errors import DAMAGED, NOT_AN_EXPORT, NOT_COMPLETE, NOT_EMPTY, ExportFolderError
from .formats import FORMATS
from .formats.base import hash_file
from .layout import ChunkLayout
from .lock import folder_lock
from .manifest import MANIFEST_NAME, differences, plan_of, read_manifest, write_manifest
from .resume import clear_export, contexts_of, has_content
from .run import ExportResult
from .verify import recorded_files


def merge_exports(shards: list[str | Path], output: str | Path, overwrite: bool = False) -> ExportResult:
    """Join complete shard exports 1/N..N/N into one export, identical to a single-machine run."""
    if isinstance(shards, (str, Path)) or not isinstance(shards, (list, tuple)):
        raise InputTypeError("give a list of shard folders, e.g. ['shard-1', 'shard-2']", field="shards")
    folders = [Path(s).expanduser() for s in shards]
    if not folders:
        raise InvalidInputError("give the shard folders to merge", field="shards")
    output = Path(output).expanduser()
    target = output.resolve()
    for folder in folders:
        if (
            folder.resolve() == target
            or target in folder.resolve().parents
            or folder.resolve() in target.parents
        ):
            raise InvalidInputError(
                f"the output {output} is, or lies in, the shard {folder}; choose another folder",
                field="output",
            )
    if output.exists() and not output.is_dir():
        raise NotADirectoryError(f"output {output} is a file; give a folder")
    if has_content(output) and not (output / MANIFEST_NAME).exists():
        raise ExportFolderError(
            f"output folder {output} is not empty and holds no DigitSeq export; choose an empty "
            "or new folder",
            NOT_AN_EXPORT,
            output,
        )
    refuse_links(output, "merge into this folder")
    for folder in folders:
        refuse_links(folder, "merge this shard", field="shards")
    manifests = [_shard_manifest(f) for f in folders]
    order = _check_same_run_and_coverage(folders, manifests)
    folders, manifests = [folders[i] for i in order], [manifests[i] for i in order]
    locks = [folder_lock(f, create=False) for f in folders]
    for lock in locks:
        lock.__enter__()
    try:
        records = [_check_whole(f, m) for f, m in zip(folders, manifests)]
        make_folders(output)
        with folder_lock(output):
            if has_content(output):
                if not overwrite:
                    raise ExportFolderError(
                        f"output folder {output} is not empty: it holds an earlier export", NOT_EMPTY, output
                    )
                clear_export(output)
            return _write(folders, manifests, records, output)
    finally:
        for lock in reversed(locks):
            lock.__exit__(None, None, None)


def _shard_manifest(folder: Path) -> dict:
    if not folder.is_dir():
        raise ExportFolderError(f"shard {folder} is not a folder", DAMAGED, folder, field="shards")
    try:
        manifest = read_manifest(folder)
    except FileNotFoundError:
        raise ExportFolderError(
            f"shard {folder} holds no DigitSeq export (no {MANIFEST_NAME})", DAMAGED, folder, field="shards"
        ) from None
    except ExportFolderError as exc:
        raise ExportFolderError(f"shard {folder}: {exc}", DAMAGED, folder, field="shards") from None
    if manifest.get("shard") is None:
        raise ExportFolderError(
            f"{folder} is not a shard (its manifest has no shard); nothing to merge",
            DAMAGED,
            folder,
            field="shards",
        )
    if manifest.get("status") != "complete":
        raise ExportFolderError(
            f"shard {folder} is not complete; finish it (resume) first", NOT_COMPLETE, folder, field="shards"
        )
    if manifest.get("format") not in FORMATS:
        raise ExportFolderError(f"shard {folder} names an unknown format", DAMAGED, folder, field="shards")
    return manifest


def _check_same_run_and_coverage(folders: list[Path], manifests: list[dict]) -> list[int]:
    def plan(m):
        return dict(plan_of(m), shard={k: m["shard"][k] for k in ("count", "chunk_count")})

    base = plan(manifests[0])
    for folder, manifest in zip(folders[1:], manifests[1:]):
        changed = differences(base, plan(manifest))
        if changed:
            raise ExportFolderError(
                f"shard {folder} belongs to another export than {folders[0]} (differs in "
                f"{', '.join(changed[:4])})",
                DAMAGED,
                folder,
                field="shards",
            )
    count = base["shard"]["count"]
    seen: dict[int, Path] = {}
    for folder, manifest in zip(folders, manifests):
        index = manifest["shard"]["index"]
        layout = ChunkLayout.from_manifest(manifest)
        expected = [layout.owned.start, layout.owned.stop]
        if manifest["shard"]["chunks"] != expected or manifest["shard"]["chunk_count"] != layout.chunk_count:
            raise ExportFolderError(
                f"shard {folder} says it is {index}/{count} but holds chunks "
                f"{manifest['shard']['chunks']} of {manifest['shard']['chunk_count']} instead of "
                f"{expected} of {layout.chunk_count}",
                DAMAGED,
                folder,
                field="shards",
            )
        if index in seen:
            raise ExportFolderError(
                f"shards {seen[index]} and {folder} are both shard {index}/{count}; need shards "
                f"1..{count} exactly once each",
                DAMAGED,
                folder,
                field="shards",
            )
        seen[index] = folder
    missing = [i for i in range(1, count + 1) if i not in seen]
    if missing:
        raise ExportFolderError(
            f"shard {missing[0]}/{count} is missing; need shards 1..{count} exactly once each "
            f"(got {', '.join(f'{i}/{count}' for i in sorted(seen))})",
            DAMAGED,
            None,
            field="shards",
        )
    return sorted(range(len(folders)), key=lambda i: manifests[i]["shard"]["index"])


def _regular(folder: Path, path: Path) -> Path:
    """``path`` if it is a regular file inside ``folder`` (no link anywhere on the way)."""
    relative = path.relative_to(folder)
    current = folder
    for name in relative.parts:
        current = current / name
        if current.is_symlink():
            raise ExportFolderError(
                f"shard {folder}: {relative} is a link; merge never follows links out of a shard",
                DAMAGED,
                folder,
                field="shards",
            )
    if not path.is_file():
        raise ExportFolderError(
            f"shard {folder} is incomplete: {relative} is missing", DAMAGED, folder, field="shards"
        )
    return path


def _check_whole(folder: Path, manifest: dict) -> list[dict]:
    """Every chunk the shard owns is recorded in its ledger and present as recorded."""
    fmt = FORMATS[manifest["format"]]
    contexts = {ctx.name or ".": ctx for _, ctx in contexts_of(folder, manifest)}
    layout = ChunkLayout.from_manifest(manifest)
    folders = [part["folder"] for part in manifest["parts"]]
    owned = [(folders[c.part], c.index, c.start, c.count) for c in layout.chunks(layout.owned)]
    _regular(folder, ledger.ledger_path(folder))
    try:
        records = ledger.read(folder)
    except (ValueError, UnicodeDecodeError):
        raise ExportFolderError(
            f"shard {folder}: its ledger is damaged", DAMAGED, folder, field="shards"
        ) from None
    for record in records:
        if not _record_shape_ok(record):
            raise ExportFolderError(
                f"shard {folder}: its ledger holds a record of the wrong shape; the shard is damaged: "
                "make it again",
                DAMAGED,
                folder,
                field="shards",
            )
    wanted = [(p if p != "." else "", k, start, n) for p, k, start, n in owned]
    got = [(r.get("part"), r.get("chunk"), r.get("start"), r.get("count")) for r in records]
    if got != wanted:
        missing = next((w for w in wanted if w not in got), None)
        what = (
            f"chunk {missing[1]} of part {missing[0] or 'all'} is not recorded"
            if missing
            else "its ledger lists other chunks"
        )
        raise ExportFolderError(f"shard {folder} is incomplete: {what}", DAMAGED, folder, field="shards")
    for record in records:
        ctx = contexts[record["part"] or "."]
        if fmt.uses_pieces:
            size, digest = hash_file(_regular(folder, fmt.piece_path(ctx, record["chunk"])))
        else:
            hasher, size = hashlib.sha256(), 0
            for path in fmt.image_files(ctx, record["start"], record["count"]):
                data = _regular(folder, path).read_bytes()
                hasher.update(data)
                size += len(data)
            digest = hasher.hexdigest()
        if (size, digest) != (record.get("bytes"), record.get("sha256")):
            raise ExportFolderError(
                f"shard {folder}: chunk {record['chunk']} of part {record['part'] or 'all'} does not "
                "hold what was written (size or sha256 differ)",
                DAMAGED,
                folder,
                field="shards",
            )
    for relative, (size, digest) in _shard_files(folder, manifest, fmt, {p for p, _, _, _ in owned}).items():
        if (size, digest) != tuple(hash_file(_regular(folder, folder / relative))):
            raise ExportFolderError(
                f"shard {folder}: {relative} is not as written (size or sha256 differ)",
                DAMAGED,
                folder,
                field="shards",
            )
    return records


def _record_shape_ok(record) -> bool:
    return (
        isinstance(record, dict)
        and isinstance(record.get("part"), str)
        and all(type(record.get(k)) is int for k in ("chunk", "start", "count", "bytes"))
        and isinstance(record.get("sha256"), str)
    )


def _shard_files(folder: Path, manifest: dict, fmt, parts: set[str]) -> dict:
    """The shard's record of its label files, checked for shape: without it merge could not tell
    an edited label file from the one the shard wrote, so a shard lacking it is refused."""
    files = manifest.get("shard_files")
    wanted = [str(Path(part) / fmt.label_file).removeprefix("./") for part in parts if fmt.label_file]
    if (
        not isinstance(files, dict)
        or not all(
            isinstance(v, list) and len(v) == 2 and type(v[0]) is int and isinstance(v[1], str)
            for v in files.values()
        )
        or any(w not in files for w in wanted)
    ):
        raise ExportFolderError(
            f"shard {folder}: its manifest does not record its label files as written "
            "('shard_files' is missing or of the wrong shape), so merge cannot verify it: make the "
            "shard again",
            DAMAGED,
            folder,
            field="shards",
        )
    return files


def _write(
    folders: list[Path], manifests: list[dict], records: list[list[dict]], output: Path
) -> ExportResult:
    merged = {k: v for k, v in manifests[0].items() if k != "shard_files"}
    merged["shard"] = None
    fmt = FORMATS[merged["format"]]
    write_manifest(output, dict(merged, status="partial", progress={"chunks_committed": 0, "sizes": {}}))
    contexts = contexts_of(output, merged)
    for _, ctx in contexts:
        fmt.start_part(ctx)
        part_key = ctx.name or "."
        shard_contexts = [
            {c.name or ".": c for _, c in contexts_of(f, m)}[part_key] for f, m in zip(folders, manifests)
        ]
        if fmt.uses_pieces:
            part_records = []
            for source_ctx, shard_records in zip(shard_contexts, records):
                for record in shard_records:
                    if (record["part"] or ".") == part_key:
                        _link_or_copy(
                            fmt.piece_path(source_ctx, record["chunk"]), fmt.piece_path(ctx, record["chunk"])
                        )
                        part_records.append(record)
            if part_records:
                fmt.finish_part(ctx, part_records)
            continue
        header = fmt.header_of(ctx)
        labels = ctx.folder / fmt.label_file
        with open(labels, "wb") as out:
            out.write(header)
            for source_ctx, shard_records in zip(shard_contexts, records):
                for record in shard_records:
                    if (record["part"] or ".") == part_key:
                        for source in fmt.image_files(source_ctx, record["start"], record["count"]):
                            _link_or_copy(source, ctx.folder / source.relative_to(source_ctx.folder))
                source_labels = source_ctx.folder / fmt.label_file
                if source_labels.exists():
                    with open(source_labels, "rb") as handle:
                        handle.seek(len(header))
                        shutil.copyfileobj(handle, out)
        sync_file(labels)
        sync_folder(ctx.folder / "images")
        fmt.finish_labels(ctx)
    files = recorded_files(fmt, output, [ctx for _, ctx in contexts])
    write_manifest(output, dict(merged, status="complete", files=files))
    remove_tree(output / INTERNAL / "chunks")
    remove_tree(ledger.ledger_path(output))
    total = int(merged["count"])
    return ExportResult(output, "complete", total, total, output / MANIFEST_NAME)


def _link_or_copy(source: Path, target: Path) -> None:
    make_folders(target.parent)
    if target.exists():
        target.unlink()
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        shutil.copyfile(source, target, follow_symlinks=False)
