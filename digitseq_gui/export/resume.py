"""Getting an output folder ready: a fresh export, a resume, or an overwrite, deleting only
what an export wrote.

- Fresh: the folder is missing or empty (DigitSeq's own ``.digitseq/`` aside).
- Resume: cut the label files and the ledger back to the sizes the manifest recorded, remove
  images and pieces of chunks that were never committed and DigitSeq's temporary files; the
  rest is then made exactly as an uninterrupted run would.
- Overwrite: only a folder holding an export (a manifest), and only if every file in it is one
  that export writes: anything else makes it refuse, naming the files.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeGuard

from ..engine.durable import make_folders, sync_folder, truncate_durably, write_in_place
from . import ledger
from .disk import INTERNAL, is_temp, refuse_links, remove_tree
from .errors import DAMAGED, FOREIGN_FILES, NOT_AN_EXPORT, NOT_EMPTY, SETTINGS_CHANGED, ExportFolderError
from .formats import FORMATS, Format, PartContext
from .formats.base import hash_file
from .manifest import (
    MANIFEST_NAME,
    OLDER_SCHEMAS,
    SCHEMA,
    differences,
    has_writers,
    plan_of,
    read_manifest,
    write_manifest,
)
from .plan import ExportPlan
from .verify import refuse_unverifiable, verify_committed


def has_content(output: Path) -> bool:
    """Whether ``output`` holds anything but DigitSeq's bookkeeping and temporary files (an
    export killed before its manifest was first written leaves only those)."""
    return output.is_dir() and any(
        entry.name != INTERNAL and not is_temp(entry.name) for entry in os.scandir(output)
    )


def check_output_before_lock(plan: ExportPlan) -> None:
    """Refusals that need no lock, made before anything is created."""
    output = plan.output
    if output.exists() and not output.is_dir():
        raise NotADirectoryError(f"output {output} is a file; give a folder")
    request = plan.request
    refuse_links(output, "resume this export" if request.resume else "write into this folder")
    if has_content(output) and not (output / MANIFEST_NAME).exists():
        raise ExportFolderError(
            f"output folder {output} is not empty and holds no DigitSeq export (no {MANIFEST_NAME}); "
            "an export replaces only an earlier export, so choose an empty or new folder",
            NOT_AN_EXPORT,
            output,
        )


def prepare_output(plan: ExportPlan, accepted: Callable[[], None] = lambda: None) -> int | None:
    """Make the (locked) output folder ready; return how many owned chunks are committed, or
    None when the export is already complete (resume of a finished export). ``accepted`` is
    called once a new export is accepted into the folder, before an overwrite deletes the
    earlier one (which may take a while)."""
    output, request = plan.output, plan.request
    if has_content(output):
        if request.resume:
            old = read_manifest(output)
            changed = differences(plan_of(old), plan_of(plan.manifest))
            if changed:
                raise ExportFolderError(
                    f"cannot resume {output}: it was made with different settings ({', '.join(changed[:4])})",
                    SETTINGS_CHANGED,
                    output,
                )
            progress = old.get("progress")
            if old["status"] == "complete" and progress is None:
                if plan.manifest.get("shard") is None:
                    verify_complete(plan, old)
                    tidy_complete(plan)
                    return None
                # a shard keeps its ledger: check it like a partial export, as if all committed
                progress = {"chunks_committed": len(plan.owned), "sizes": {}}
                verified = verify_committed(plan, len(plan.owned))
                if verified.chunks == len(plan.owned):
                    tidy_complete(plan)
                    return None
            elif not _progress_shape_ok(progress):
                raise ExportFolderError(
                    f"{output / MANIFEST_NAME} says the export is complete but keeps a progress record; "
                    "the export is damaged: start it again (overwrite)",
                    DAMAGED,
                    output,
                )
            # "complete" with a progress record was never written by an export (an edit, say):
            # it is resumed as the partial export it is, after checking what it committed.
            return resume_partial(plan, progress)
        if not request.overwrite:
            raise ExportFolderError(
                f"output folder {output} is not empty: it holds an earlier export", NOT_EMPTY, output
            )
        accepted()
        clear_export(output)
    elif not request.resume:
        accepted()
    make_folders(ledger.ledger_path(output).parent)
    remove_tree(ledger.ledger_path(output))
    write_progress(plan, 0, {})
    return 0


def _progress_shape_ok(progress: object) -> TypeGuard[dict]:
    return (
        isinstance(progress, dict)
        and type(progress.get("chunks_committed")) is int
        and progress["chunks_committed"] >= 0
        and isinstance(progress.get("sizes"), dict)
        and all(isinstance(k, str) and type(v) is int and v >= 0 for k, v in progress["sizes"].items())
    )


def resume_partial(plan: ExportPlan, progress: dict) -> int:
    """Check every committed chunk against the ledger, then cut back to the last good one (the
    first bad chunk and all after it are made again: the same bytes as an uninterrupted run)."""
    committed = progress["chunks_committed"]
    if committed > len(plan.owned):
        return recover(plan, progress)  # refuses: more chunks than the export has
    verified = verify_committed(plan, committed)
    if verified.chunks < committed:
        if not verified.sizes:
            refuse_unverifiable(plan, verified.first_bad)
        present = {k: v for k, v in verified.sizes.items() if (plan.output / k).is_file()}
        progress = {"chunks_committed": verified.chunks, "sizes": present}
        for relative, size in present.items():
            path = plan.output / relative
            header = label_headers(plan).get(relative, b"")
            if relative != ledger.LEDGER and size == len(header):
                write_in_place(path, header)  # its header may be what was damaged
    committed = recover(plan, progress)
    write_progress(plan, committed, progress["sizes"])
    return committed


def verify_complete(plan: ExportPlan, old: dict) -> None:
    """A finished export (no ledger left) is complete only if the files its manifest records
    are there as written; older manifests record none."""
    for relative, recorded in (old.get("files") or {}).items():
        path = plan.output / relative
        if not path.is_file() or list(hash_file(path)) != list(recorded):
            raise ExportFolderError(
                f"{path} is not as the export wrote it (missing, or its size or sha256 differ), so "
                f"{plan.output} is not complete: export it again with overwrite",
                DAMAGED,
                path,
            )


def write_progress(plan: ExportPlan, committed: int, sizes: dict) -> None:
    write_manifest(
        plan.output,
        dict(plan.manifest, status="partial", progress={"chunks_committed": committed, "sizes": sizes}),
    )


def recover(plan: ExportPlan, progress: dict) -> int:
    committed = progress["chunks_committed"]
    if committed > len(plan.owned):
        raise ExportFolderError(
            f"{plan.output / MANIFEST_NAME}: progress counts {committed} chunks, but the export "
            f"has {len(plan.owned)}; the export is damaged",
            DAMAGED,
            plan.output,
        )
    sizes = progress["sizes"]
    for relative, size in sizes.items():
        path = plan.output / relative
        if relative not in growing_files(plan) or not path.is_file() or path.stat().st_size < size:
            raise ExportFolderError(
                f"{path} is missing or shorter than the manifest records; the export is damaged: "
                "start it again (overwrite)",
                DAMAGED,
                path,
            )
        truncate_durably(path, size)
    if committed == 0:
        for relative in growing_files(plan):
            if relative not in sizes and (plan.output / relative).exists():
                truncate_durably(plan.output / relative, len(label_headers(plan).get(relative, b"")))
    ranges = plan.layout.committed_ranges(committed)
    for number, part in enumerate(plan.parts):
        images, chunks = ranges.get(number, (range(0), range(0)))
        plan.format.recover(part.context, images, chunks)
    return committed


def growing_files(plan: ExportPlan) -> list[str]:
    """Files that grow as chunks commit, relative to the output: label files and the ledger."""
    files = [ledger.LEDGER]
    if plan.format.label_file:
        files += [str(Path(p.name or ".") / plan.format.label_file).removeprefix("./") for p in plan.parts]
    return files


def label_headers(plan: ExportPlan) -> dict[str, bytes]:
    """Each part's label file (relative to the output) and the header it starts with."""
    if not plan.format.label_file:
        return {}
    return {
        str(Path(p.name or ".") / plan.format.label_file).removeprefix("./"): plan.format.header_of(p.context)
        for p in plan.parts
    }


def tidy_complete(plan: ExportPlan) -> None:
    """A complete export killed while tidying up: finish tidying (pieces, ledger, temp files)."""
    for part in plan.parts:
        plan.format.recover(part.context, range(part.count), range(1 << 62))
    if plan.manifest.get("shard") is None:
        remove_tree(plan.output / INTERNAL / "chunks")
        remove_tree(ledger.ledger_path(plan.output))


# -- overwriting ------------------------------------------------------------------------------


def contexts_of(output: Path, manifest: dict) -> list[tuple[Format, PartContext]]:
    """The (format, part context) pairs an existing export's manifest describes."""
    name = manifest.get("format")
    fmt = FORMATS.get(name) if isinstance(name, str) else None
    if fmt is None:
        raise ExportFolderError(
            f"{output / MANIFEST_NAME} names an unknown format; remove the folder yourself", DAMAGED, output
        )
    contexts = []
    for part in manifest["parts"]:
        name = "" if part["folder"] == "." else part["folder"]
        contexts.append(
            (
                fmt,
                PartContext(
                    str(output),
                    name,
                    int(part["count"]),
                    manifest.get("image_format") or "png",
                    manifest.get("compression", "default"),
                    int(part.get("label_length", 0)),
                    int(part.get("text_length", 0)),
                    int(manifest.get("shard_size", 10_000)),
                    writers=has_writers(manifest),
                    ctc_targets="alphabet" in manifest,
                ),
            )
        )
    return contexts


def own_and_foreign(output: Path) -> tuple[list[Path], list[str]]:
    """Every path of the export in ``output`` (files and its folders, deepest first) and the
    names of everything else. Links are never followed: a link is never ours."""
    manifest = read_manifest(output, (SCHEMA, *OLDER_SCHEMAS))
    old_schema = manifest["schema"] != SCHEMA
    contexts = contexts_of(output, manifest)
    part_dirs = {ctx.name: (fmt, ctx) for fmt, ctx in contexts}
    own_dirs = {"images"} if any(fmt.label_file for fmt, _ in contexts) else set()
    if old_schema:
        own_dirs.add(".chunks")
    own, foreign, folders = [], [], []
    for root, dirs, files in os.walk(output, topdown=True, followlinks=False):
        here = Path(root)
        relative_root = here.relative_to(output).as_posix()
        relative_root = "" if relative_root == "." else relative_root
        if relative_root == INTERNAL:
            dirs[:] = []
            continue
        top = relative_root.split("/", 1)[0]
        fmt_ctx = part_dirs.get("" if relative_root in ("", "images", ".chunks") and "" in part_dirs else top)
        for name in files + [d for d in dirs if (here / d).is_symlink()]:
            relative = f"{relative_root}/{name}" if relative_root else name
            if relative == MANIFEST_NAME or is_temp(name):
                own.append(here / name)
                continue
            inner = relative if fmt_ctx is None or not fmt_ctx[1].name else relative.split("/", 1)[-1]
            if (
                fmt_ctx is not None
                and not (here / name).is_symlink()
                and (fmt_ctx[0].is_own(fmt_ctx[1], inner) or (old_schema and inner.startswith(".chunks/")))
            ):
                own.append(here / name)
            else:
                foreign.append(relative)
        keep = []
        for d in dirs:
            relative = f"{relative_root}/{d}" if relative_root else d
            if (here / d).is_symlink():
                continue
            if relative == INTERNAL or (relative_root == "" and d in part_dirs) or d in own_dirs:
                keep.append(d)
                if relative != INTERNAL:
                    folders.append(here / d)
            else:
                foreign.append(relative + "/")
        dirs[:] = keep
    return own + sorted(folders, key=lambda p: -len(p.parts)), foreign


def clear_export(output: Path) -> None:
    """Remove an earlier export's files, and nothing else (the caller holds the lock)."""
    own, foreign = own_and_foreign(output)
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise ExportFolderError(
            f"output folder {output} holds files no DigitSeq export wrote ({shown}); "
            "move them away or choose another folder",
            FOREIGN_FILES,
            output,
        )
    for path in own:
        if path.is_dir() and not path.is_symlink():
            try:
                path.rmdir()
            except OSError:
                pass  # not empty: a folder of the export that holds nothing else is removed, else kept
        elif path.name != MANIFEST_NAME:
            path.unlink()
    # the manifest goes last: until then a killed overwrite is still recognised as an export
    remove_tree(output / INTERNAL / "chunks")
    remove_tree(ledger.ledger_path(output))
    (output / MANIFEST_NAME).unlink(missing_ok=True)
    sync_folder(output)
