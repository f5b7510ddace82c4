"""Packaging for DigitSeq.

Versions, and why:
- numpy >=1.24, 1.x or 2.x: imgaug 0.4.0 (its last release) uses names that numpy removed
  (np.bool, np.complex, ... in 1.24; np.sctypes in 2.0). digitseq_gui's imgaug_compat restores
  them before importing imgaug; tests run on numpy 1.26 and on the newest numpy 2.
- imgaug 0.4.0 rather than the fork imaug: the fork pins opencv below 4.13 (both the GUI and
  headless wheels) and gives different pixels for the same seed.
- opencv-python: any 4.x or newer; pip picks one that matches the installed numpy.
- PyQt5 5.15.x: 5.15.11 ships an abi3 wheel that installs on Python 3.10 to 3.13 without a compiler.
"""

import re
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
VERSION = re.search(
    r'^__version__ = "([^"]+)"', (HERE / "digitseq_gui" / "__init__.py").read_text(), re.M
).group(1)

setup(
    name="digitseq",
    version=VERSION,
    description="Images of digit sequences made of real handwritten MNIST digits: desktop app, Python API and CLI",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="MIT (code); CC BY-SA 3.0 (the embedded MNIST data)",
    python_requires=">=3.10",
    packages=find_packages(include=["digitseq_gui", "digitseq_gui.*"]) + ["digitseq_gui.resources"],
    package_dir={"digitseq_gui.resources": "resources"},
    package_data={"digitseq_gui.resources": ["mnist/*.gz", "mnist/*.txt", "mnist/*.md", "icons/*", "*.json"]},
    include_package_data=True,
    install_requires=[
        "numpy>=1.24",
        "imgaug==0.4.0",
        "opencv-python>=4.5",
        "Pillow>=9.0",
        "platformdirs>=3.0",
        "tqdm>=4.60",
        "PyQt5>=5.15.9,<5.16",
        # export: --format lmdb writes the database deep-text-recognition-benchmark reads, with
        # the same library they read it with; filelock: one writer per export folder (flock on
        # Unix, msvcrt on Windows, released when a process dies, unlike a hand-made lock file)
        "lmdb>=1.4",
        "filelock>=3.12",
    ],
    extras_require={
        "test": [
            "pytest>=7.0",
            "pytest-qt>=4.2",
            "dask[distributed]>=2023.1",
            "webdataset>=0.2",  # reads --format webdataset back the way training code does
            "setuptools>=64",  # tests/test_packaging.py asks it which packages a wheel ships
        ],
        # SequenceDataset works without torch; this extra is for DataLoader use and examples/train_crnn.py.
        "torch": [
            "torch>=2.1",
        ],
    },
    entry_points={
        "console_scripts": [
            "digitseq=digitseq_gui.cli:main",
            "generate-numbers-sequence=digitseq_gui.cli.numbers_sequence:main",
            "generate-phone-numbers=digitseq_gui.cli.phone_numbers:main",
        ],
        "gui_scripts": [
            "digitseq-gui=digitseq_gui.gui.app:main",
        ],
    },
    classifiers=[
        "Programming Language :: Python :: 3",
        "Environment :: X11 Applications :: Qt",
        "Topic :: Scientific/Engineering :: Image Recognition",
    ],
)
