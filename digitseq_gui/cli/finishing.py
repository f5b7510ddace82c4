"""The finishing stage's command-line options (--color, --ink, --paper, --capture), shared by
generate and export through cli/common.py; each lays its value over the config's."""

from __future__ import annotations

import argparse

from ..engine.capture import CAPTURE_BY_NAME
from ..engine.errors import ConfigError
from ..engine.paper import BACKGROUNDS, LINES


def add_finishing_options(group) -> None:
    group.add_argument(
        "--color", choices=("gray", "rgb"), help="gray: (H, W) images (default); rgb: (H, W, 3) colour images"
    )
    group.add_argument(
        "--ink",
        metavar="COLOURS",
        help="ink colour: black (default), blue, pencil or #RRGGBB; several, comma-separated, "
        "are picked at random per image",
    )
    group.add_argument(
        "--paper",
        metavar="LAYERS",
        help=f"what the digits are written on, comma-separated: a background ({', '.join(BACKGROUNDS)} "
        f"or a folder of images), lines ({', '.join(LINES[1:])}) and 'printed' (a printed mark "
        "beside the number, not in the label); e.g. grain,ruled",
    )
    group.add_argument(
        "--capture",
        nargs="?",
        const="",
        metavar="EFFECTS",
        help="camera/scanner effects: alone, the default set; or only those named, "
        f"comma-separated, each optionally =STRENGTH ({', '.join(CAPTURE_BY_NAME)}); e.g. jpeg=60,motion",
    )


def apply_finishing_options(config, args: argparse.Namespace) -> None:
    """Lay the given options over ``config`` (validated afterwards by the caller)."""
    if getattr(args, "color", None) is not None:
        config.image.color = args.color
    if getattr(args, "ink", None) is not None:
        colours = [c.strip() for c in args.ink.split(",") if c.strip()]
        config.ink.color = colours[0] if len(colours) == 1 else colours
    if getattr(args, "paper", None) is not None:
        _apply_paper(config, args.paper)
    if getattr(args, "capture", None) is not None:
        _apply_capture(config, args.capture)


def _apply_paper(config, text: str) -> None:
    backgrounds = []
    for layer in (part.strip() for part in text.split(",")):
        if not layer:
            continue
        if layer in LINES:
            config.paper.lines = layer
        elif layer == "printed":
            config.paper.printed = True
        else:
            backgrounds.append(layer)  # a name, or a folder (the config's validation checks it)
    if len(backgrounds) > 1:
        raise ConfigError(f"--paper takes one background, got {', '.join(backgrounds)}; keep one of them")
    if backgrounds:
        config.paper.background = backgrounds[0]


def _apply_capture(config, text: str) -> None:
    config.capture.enabled = True
    named = [part.strip() for part in text.split(",") if part.strip()]
    if not named:
        return  # the default set
    for effect in config.capture.effects.values():
        effect.enabled = False
    for part in named:
        name, _, strength = part.partition("=")
        spec = CAPTURE_BY_NAME.get(name)
        if spec is None:
            raise ConfigError(f"--capture: unknown effect {name!r}; known: {', '.join(CAPTURE_BY_NAME)}")
        effect = config.capture.effects[name]
        effect.enabled = True
        if strength:
            try:
                effect.strength = int(strength) if spec.integer else float(strength)
            except ValueError:
                raise ConfigError(f"--capture: {name}={strength!r} is not a number") from None
