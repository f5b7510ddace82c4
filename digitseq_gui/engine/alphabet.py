"""CTC targets: one convention for npz exports, SequenceDataset, collate_ctc and the examples.

The alphabet is the characters a data set's labels can hold: the ten digits, then, with drawn
separators (config ``separators.style = "drawn"``), the drawn symbols ``- . , / : ( ) +`` in
that order. Character ``alphabet[k]`` is class ``k + 1``; class 0 (BLANK) is the CTC blank, which
is ``torch.nn.CTCLoss``'s default. A digit d is therefore class d + 1 in every alphabet, and the
symbols always have the same classes: a model trained on digits-only data keeps its classes when
symbols are added, and exports of either kind merge and decode with the same table. Padding
(npz ``targets`` beyond ``lengths``, collate_ctc's batches) is the blank too. The manifest
records ``alphabet`` and ``blank``.
"""

from __future__ import annotations

import numpy as np

from .errors import InvalidInputError
from .symbols import DRAWN_SYMBOLS

DIGITS = "0123456789"
BLANK = 0
FULL = DIGITS + DRAWN_SYMBOLS  # every character a label can hold, in class order


def alphabet_for(style: str) -> str:
    """The alphabet of a data set made with separators ``style`` ("gap" or "drawn")."""
    return FULL if style == "drawn" else DIGITS


def num_classes(alphabet: str = DIGITS) -> int:
    """Classes a CTC model needs: the blank and one per character."""
    return len(alphabet) + 1


def _table(alphabet: str) -> np.ndarray:
    table = np.full(128, -1, dtype=np.int64)
    for k, char in enumerate(alphabet):
        table[ord(char)] = k + 1
    return table


_TABLES = {alphabet: _table(alphabet) for alphabet in (DIGITS, FULL)}


def targets_of(label: str, alphabet: str = FULL) -> np.ndarray:
    """A label's CTC targets (int64): class k + 1 for character ``alphabet[k]``."""
    table = _TABLES.get(alphabet)
    if table is None:
        table = _TABLES[alphabet] = _table(alphabet)
    codes = np.frombuffer(label.encode("ascii", "replace"), dtype=np.uint8)
    targets = table[codes]
    if (targets < 0).any():
        bad = label[int(np.argmax(targets < 0))]
        raise InvalidInputError(
            f"label {label!r} holds {bad!r}, which is not in the alphabet {alphabet!r}", field="digits"
        )
    return targets


def label_of_targets(targets, alphabet: str = FULL) -> str:
    """The label back from targets (or a CTC decoding with its blanks and repeats removed)."""
    return "".join(alphabet[int(t) - 1] for t in targets)
