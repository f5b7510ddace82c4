"""The error types of DigitSeq.

Every error a caller can cause is a DigitSeqError and also a ValueError or TypeError, so code
that already catches those keeps working, and the CLI and the window can tell a user's mistake
(show the message) from a bug (show the traceback).
"""

from __future__ import annotations


class DigitSeqError(Exception):
    """Base of every error DigitSeq raises on bad input.

    ``field`` names the setting at fault when there is one ("digits", "spacing_range",
    "image_width", "spacing", "seed", "dataset", "config"), so a window can show the message
    next to the control that needs changing.
    """

    default_field: str | None = None

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field or self.default_field


class InvalidInputError(DigitSeqError, ValueError):
    """An argument has the right type but a value that cannot be used (digit 12, min > max...)."""


class InputTypeError(DigitSeqError, TypeError):
    """An argument has a type that cannot be used (None for the digits, a float width...)."""


class LayoutError(InvalidInputError):
    """The digits cannot be laid out in the requested width with the requested spacing."""


class ConfigError(InvalidInputError):
    """A configuration file or value is broken; the message names the key."""

    default_field = "config"


class DatasetError(InvalidInputError):
    """A data set file is missing, unreadable, corrupt or of an unsupported shape."""

    default_field = "dataset"
