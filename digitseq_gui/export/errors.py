"""Errors about an export's folder, with a ``kind`` so the front ends can add advice.

The message says what is wrong in neutral words ("the output folder holds an earlier export");
``ADVICE`` is what the command line adds, by kind, in its flags; the window shows the same advice
with its own labels for them (gui/messages.window_message rewrites the flags).
"""

from __future__ import annotations

from ..engine.errors import InvalidInputError

NOT_EMPTY = "not_empty"  # holds an earlier export: replace it (overwrite) or finish it (resume)
NOT_AN_EXPORT = "not_an_export"  # holds files no export wrote, and no manifest
FOREIGN_FILES = "foreign_files"  # an export, but with files beside it that it did not write
BUSY = "busy"  # another process writes it now
SETTINGS_CHANGED = "settings_changed"  # resume with settings other than the export's
NOT_COMPLETE = "not_complete"  # reading or merging an export that was stopped
DAMAGED = "damaged"  # a manifest, ledger or shard that does not say what it should
NO_ROOM = "no_room"  # the output cannot fit on the disk
DISK_FILLED = "disk_filled"  # the disk filled up during the export: what was committed is kept
LINKED = "linked"  # a link inside an export or shard: never written, cut or deleted through

ADVICE = {
    NOT_EMPTY: "; pass --overwrite to replace it, or --resume to finish it",
    SETTINGS_CHANGED: "; repeat the original command with --resume, or pass --overwrite to start again",
}


def with_advice(exc: BaseException) -> str:
    """The error's message, with the advice for its kind (if any), in the command line's words."""
    return str(exc) + ADVICE.get(getattr(exc, "kind", ""), "")


class ExportFolderError(InvalidInputError):
    """A problem with an output or shard folder; ``kind`` is one of the constants above and
    ``path`` the folder (or file) at fault."""

    def __init__(self, message: str, kind: str, path=None, field: str | None = "output"):
        super().__init__(message, field=field)
        self.kind = kind
        self.path = path
