"""Sphinx configuration of DigitSeq's documentation site.

Build it (from the repository root, warnings are errors as in CI):

    pip install -e ".[docs]" && sphinx-build -W -b html docs docs/_build/html

The pages are Markdown (MyST, through myst-parser) so they read the same on GitHub; the API
reference is generated from the package's docstrings by autodoc.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# The package from this checkout, whether or not it is installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# autodoc imports the package; importing the window's modules needs no display this way.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from digitseq_gui.version import __version__  # noqa: E402

project = "DigitSeq"
author = "DigitSeq contributors"
copyright = "DigitSeq contributors; MNIST by LeCun, Cortes and Burges (CC BY-SA 3.0)"
release = __version__
version = __version__

extensions = [
    "myst_parser",  # Markdown pages
    "sphinx.ext.autodoc",  # the API reference from docstrings
    "sphinx.ext.napoleon",  # Google/numpy-style sections in docstrings
    "sphinx.ext.viewcode",  # a source link next to each documented name
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

# MyST: ```{directive} blocks, ::: fences, and anchors for headings down to ### so that
# pages can link to [a section](page.md#a-section).
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# autodoc: members in source order, with the signature's annotations in the description.
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": False}

html_theme = "furo"
html_title = f"DigitSeq {__version__}"
