"""Which packages the wheel holds; everything else about the package is in pyproject.toml.

The embedded data lives in resources/ at the top of the repository and installs as
digitseq_gui.resources. pyproject.toml can map that folder (package-dir) only with an explicit list
of every package; here find_packages keeps finding new subpackages by itself.
"""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["digitseq_gui", "digitseq_gui.*"]) + ["digitseq_gui.resources"],
    package_dir={"digitseq_gui.resources": "resources"},
)
