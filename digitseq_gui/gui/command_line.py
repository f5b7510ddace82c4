""""Copy as command line": the ``digitseq generate`` command that reproduces the preview.

The command line has flags for everything but the individual augmentations. When those differ
from the defaults (and the transform is on, so they matter), the copied text first writes them to
a small JSON config with a shell here-document and passes it with ``--config``: pasted into a
POSIX shell, the text reproduces the preview exactly.
"""
from __future__ import annotations

import json
import shlex

from ..engine.config import Config, default_augmentations

CONFIG_FILE_NAME = "digitseq-preview.json"


def needs_config_file(config: Config) -> bool:
    return config.image.transform and config.image.augmentations != default_augmentations()


def command_line(config: Config, digits: str, seed: int, program: str = "digitseq") -> str:
    args = [program, "generate", digits,
            "--min-spacing", str(config.spacing.min), "--max-spacing", str(config.spacing.max),
            "--width", str(config.image.width),
            "--spacing-type", config.spacing.type, "--spacing-subtype", config.spacing.subtype,
            "--transform" if config.image.transform else "--no-transform",
            "--trim" if config.image.trim_padding else "--no-trim"]
    if (config.dataset.source, config.dataset.split) != ("mnist", "train"):
        args += ["--dataset", config.dataset.source, "--dataset-split", config.dataset.split]
    args += ["--seed", str(seed)]
    if not needs_config_file(config):
        return shlex.join(args)
    augmentations = {name: {"enabled": a.enabled, "strength": a.strength}
                     for name, a in config.image.augmentations.items()}
    document = json.dumps({"image": {"transform": True, "augmentations": augmentations}}, indent=2)
    return (f"cat > {CONFIG_FILE_NAME} <<'EOF'\n{document}\nEOF\n"
            + shlex.join(args[:3] + ["--config", CONFIG_FILE_NAME] + args[3:]))
