"""``digitseq generate``: one image, written to disk, its path printed."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from .common import add_engine_options, config_from_args, non_negative_int

HELP = "make one image of a digit sequence and print where it was written"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "generate",
        help=HELP,
        description=HELP.capitalize() + ".",
        epilog="example: digitseq generate 0123 --min-spacing 2 --max-spacing 8 --width 200 --seed 7",
    )
    parser.add_argument("digits", help="the digits to draw, e.g. 0123 (leading zeros are kept)")
    add_engine_options(parser)
    parser.add_argument("--seed", type=non_negative_int, metavar="N", help="make the image reproducible")
    parser.add_argument(
        "--output",
        "-o",
        metavar="PATH",
        default=".",
        help="a folder (the file is named seq_<digits>.png there; a path ending in / is "
        "created) or a .png/.jpg/.npy file path; default: .",
    )
    parser.add_argument("--force", action="store_true", help="overwrite --output if it is an existing file")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..engine.finish import is_plain
    from ..engine.generator import DigitSequence
    from .finishing import finished_image

    config = config_from_args(args)
    generator = DigitSequence(config)
    if is_plain(config):
        result = generator.generate(args.digits, config.spacing_range, config.image.width, seed=args.seed)
    else:  # ink, paper, colour or capture: the route that finishes images
        result = finished_image(generator, args.digits, args.seed)
    print(write_output(generator, result, args.output, args.force, text=args.digits))
    return 0


def write_output(generator, result, output: str | Path, force: bool, text: str | None = None) -> Path:
    """Write ``result`` (a .png carries its label, ``text``, seed and settings)."""
    from ..engine.errors import InvalidInputError
    from ..engine.files import check_name_length
    from ..engine.imagefile import FORMATS as IMAGE_FORMATS
    from ..engine.imagefile import check_target, write_array, write_image

    if str(output).endswith(("/", os.sep)):  # clearly a folder: make it
        Path(output).expanduser().mkdir(parents=True, exist_ok=True)
    output = Path(output).expanduser()
    check_name_length(output)  # before is_dir(), which raises ENAMETOOLONG on Python 3.13
    if output.is_dir():
        return generator.save_image(result.image, result.label, output, seed=result.seed, text=text)
    check_target(output, force)  # a device, a FIFO, or an existing file without --force
    if not output.suffix:
        raise FileNotFoundError(
            f"output folder {output} does not exist; create it, or give a file name "
            "ending in .png, .jpg or .npy"
        )
    if output.suffix.lower() == ".npy":
        return write_array(result.image, output, overwrite=force)
    if output.suffix.lower().lstrip(".") not in IMAGE_FORMATS:
        raise InvalidInputError(
            f"cannot tell the image format of {output.name!r}; end the name with .png, .jpg or .npy"
        )
    return write_image(
        result.image, output, overwrite=force, info=generator.image_info(result.label, result.seed, text)
    )
