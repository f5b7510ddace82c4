"""Command lines that reproduce what the window shows: ``digitseq generate`` and ``digitseq export``.

The command line has flags for everything but the individual augmentations. When those differ
from the defaults (and the transform is on, so they matter), the copied text first writes them to
a small JSON config with a shell here-document and passes it with ``--config``: pasted into a
POSIX shell, the text reproduces the window's settings exactly.
"""

from __future__ import annotations

import json
import shlex
from typing import TYPE_CHECKING

from ..engine.config import Config, default_augmentations
from ..engine.presets import PRESET_PREFIX

if TYPE_CHECKING:  # the window's start does not import export
    from ..export import ExportRequest

CONFIG_FILE_NAME = "digitseq-preview.json"


def needs_config_file(config: Config) -> bool:
    return config.image.transform and config.image.augmentations != default_augmentations()


def generation_args(config: Config) -> list[str]:
    """The flags ``digitseq generate`` and ``digitseq export`` share, for ``config``."""
    args = [
        "--min-spacing",
        str(config.spacing.min),
        "--max-spacing",
        str(config.spacing.max),
        "--width",
        str(config.image.width),
        "--height",
        str(config.image.height),
        "--fit",
        config.image.fit,
        "--spacing-type",
        config.spacing.type,
        "--spacing-subtype",
        config.spacing.subtype,
        "--transform" if config.image.transform else "--no-transform",
        "--trim" if config.image.trim_padding else "--no-trim",
    ]
    if (config.dataset.source, config.dataset.split) != ("mnist", "train"):
        args += ["--dataset", config.dataset.source, "--dataset-split", config.dataset.split]
    if config.sampling.writer != "any":
        args += ["--writer", config.sampling.writer]
    if config.separators.style != "gap":
        args += ["--separators", config.separators.style]
    return args


def sequence_option(text: str) -> list[str]:
    """The export option for the window's Sequence text: ``--preset NAME`` for ``preset:NAME``,
    else ``--pattern TEXT``."""
    text = text.strip()
    if text.startswith(PRESET_PREFIX):
        return ["--preset", text[len(PRESET_PREFIX) :].strip()]
    return ["--pattern", text]


def _with_config_file(config: Config, head: list[str], rest: list[str]) -> str:
    """``head + rest`` as shell text, preceded by the augmentation config when it is needed."""
    if not needs_config_file(config):
        return shlex.join(head + rest)
    augmentations = {
        name: {"enabled": a.enabled, "strength": a.strength} for name, a in config.image.augmentations.items()
    }
    document = json.dumps({"image": {"transform": True, "augmentations": augmentations}}, indent=2)
    return f"cat > {CONFIG_FILE_NAME} <<'EOF'\n{document}\nEOF\n" + shlex.join(
        head + ["--config", CONFIG_FILE_NAME] + rest
    )


def command_line(config: Config, digits: str, seed: int, program: str = "digitseq") -> str:
    """The ``digitseq generate`` command that makes exactly the image of ``digits`` and ``seed``."""
    return _with_config_file(
        config, [program, "generate", digits], generation_args(config) + ["--seed", str(seed)]
    )


def export_command_line(
    config: Config,
    what: list[str],
    *,
    count: int,
    seed: int,
    output: str,
    format: str,
    separator_width: int,
    unique: bool = False,
    splits: str | None = None,
    workers: int = 1,
    compression: str = "default",
    program: str = "digitseq",
) -> str:
    """The ``digitseq export`` command for these settings; ``what`` is ``["--pattern", P]``,
    ``["--length", "4-8"]`` or ``["--sequences", FILE]``."""
    rest = what + [
        "--count",
        str(count),
        "--seed",
        str(seed),
        "--format",
        format,
        "--separator-width",
        str(separator_width),
    ]
    if unique:
        rest.append("--unique")
    if splits:
        rest += ["--split", splits]
    if compression != "default":
        rest += ["--compression", compression]
    rest += generation_args(config) + ["--workers", str(workers), "--output", output]
    return _with_config_file(config, [program, "export"], rest)


def request_command_line(request: ExportRequest, what: list[str], program: str = "digitseq") -> str:
    """The ``digitseq export`` command that makes the data set ``request`` describes; ``what`` is
    the option naming its sequences (see export_command_line)."""
    return export_command_line(
        request.config,
        what,
        count=request.count,
        seed=request.seed,
        output=str(request.output),
        format=request.format,
        separator_width=request.separator_width,
        unique=request.unique,
        splits=request.splits,
        workers=request.workers,
        compression=request.compression,
        program=program,
    )
