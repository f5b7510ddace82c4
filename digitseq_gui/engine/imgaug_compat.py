"""The one place that imports imgaug (and so OpenCV), with the two fixes this needs.

1. imgaug 0.4.0, its last release, uses numpy aliases that numpy 1.24 removed (np.bool,
   np.complex, ...) and ``np.sctypes``, which numpy 2.0 removed. They are restored, as the
   builtins and the dict of scalar types they always were, before imgaug loads. Presence is
   checked in ``np.__dict__``: on numpy 2, ``hasattr`` raises or warns for removed names.
2. Importing cv2 (an imgaug dependency) sets QT_QPA_PLATFORM_PLUGIN_PATH to the Qt plugins
   inside the opencv-python wheel; a PyQt5 window created afterwards on a real display then
   aborts ("Could not load the Qt platform plugin xcb ... cv2/qt/plugins"). That variable and
   QT_QPA_FONTDIR (cv2's bundled fonts) are put back the way they were before the import.
"""

from __future__ import annotations

import os
import warnings

import numpy as np

_REMOVED_NUMPY_ALIASES = {
    "bool": bool,
    "int": int,
    "float": float,
    "complex": complex,
    "object": object,
    "str": str,
}
# cv2 points both at the Qt files inside its own wheel.
_QT_VARIABLES = ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR")


# What numpy 1.x's np.sctypes held; imgaug reads it to list the dtypes an augmenter supports.
_SCTYPES = {
    "int": [np.int8, np.int16, np.int32, np.int64],
    "uint": [np.uint8, np.uint16, np.uint32, np.uint64],
    "float": [np.float16, np.float32, np.float64, np.longdouble],
    "complex": [np.complex64, np.complex128, np.clongdouble],
    "others": [bool, object, bytes, str, np.void],
}


def restore_numpy_names() -> list[str]:
    """Put back the numpy names imgaug 0.4.0 needs; return those that were missing."""
    restored = []
    for name, value in {**_REMOVED_NUMPY_ALIASES, "sctypes": _SCTYPES}.items():
        if name not in np.__dict__:
            setattr(np, name, value)
            restored.append(name)
    return restored


def _import_cv2_keeping_qt_plugin_path():
    before = {name: os.environ.get(name) for name in _QT_VARIABLES}
    import cv2

    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    return cv2


_cv2_module = None


def cv2():
    """The cv2 module, imported without breaking Qt (once: the environment check is not free)."""
    global _cv2_module
    if _cv2_module is None:
        _cv2_module = _import_cv2_keeping_qt_plugin_path()
    return _cv2_module


def stack_versions() -> dict[str, str]:
    """The versions that decide the pixels: recorded in every export's manifest."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    try:
        imgaug_version = version("imgaug")
    except PackageNotFoundError:
        imgaug_version = "not installed"
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "imgaug": imgaug_version,
        "opencv": cv2().__version__,
    }


# Augmented pixels are pinned per OpenCV version (tests/golden): its warps differ in the last bit.
AUGMENTATION_STACK_NOTE = (
    "rotation, shear, scale and elastic distortion are warped by OpenCV; another OpenCV "
    "version can give slightly different augmented pixels for the same seed"
)
# Finishing settings drawn by OpenCV whose pixels were measured to differ between its releases
# (tests/golden, finished_opencv): a perspective change is a warp, printed marks are its text.
FINISHING_STACK_NOTE = (
    "{settings} drawn by OpenCV; another OpenCV version can give slightly different pixels for the same seed"
)


def augmenters():
    """The ``imgaug.augmenters`` module, imported safely (about 1 s the first time)."""
    restore_numpy_names()
    _import_cv2_keeping_qt_plugin_path()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import imgaug.augmenters as iaa
    return iaa
