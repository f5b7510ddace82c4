"""The package's version, defined here once: pyproject.toml reads it, ``digitseq --version`` prints
it, and PNG metadata and export manifests record it. Importing it loads nothing else."""

__version__ = "0.1.0"
