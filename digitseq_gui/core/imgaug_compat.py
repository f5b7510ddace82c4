"""The one place that imports imgaug (and so OpenCV), with the two fixes this needs.

1. imgaug 0.4.0, its last release, uses numpy aliases that numpy 1.24 removed (np.bool,
   np.complex, ...). They are restored, as the builtins they always were, before imgaug loads.
2. Importing cv2 (an imgaug dependency) sets QT_QPA_PLATFORM_PLUGIN_PATH to the Qt plugins
   inside the opencv-python wheel; a PyQt5 window created afterwards on a real display then
   aborts ("Could not load the Qt platform plugin xcb ... cv2/qt/plugins"). That variable and
   QT_QPA_FONTDIR (cv2's bundled fonts) are put back the way they were before the import.
"""
from __future__ import annotations

import os
import warnings

import numpy as np

_REMOVED_NUMPY_ALIASES = {"bool": bool, "int": int, "float": float, "complex": complex, "object": object, "str": str}
# cv2 points both at the Qt files inside its own wheel.
_QT_VARIABLES = ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR")


def _restore_numpy_aliases() -> None:
    for name, builtin in _REMOVED_NUMPY_ALIASES.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # numpy 1.2x warns when these names are looked up
            present = hasattr(np, name)
        if not present:
            setattr(np, name, builtin)


def _import_cv2_keeping_qt_plugin_path():
    before = {name: os.environ.get(name) for name in _QT_VARIABLES}
    import cv2

    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    return cv2


def cv2():
    """The cv2 module, imported without breaking Qt."""
    return _import_cv2_keeping_qt_plugin_path()


def augmenters():
    """The ``imgaug.augmenters`` module, imported safely (about 1 s the first time)."""
    _restore_numpy_aliases()
    _import_cv2_keeping_qt_plugin_path()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import imgaug.augmenters as iaa
    return iaa
