"""What every command shares: one-line errors, config loading, exit codes."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from ..engine.errors import DigitSeqError
from .finishing import add_finishing_options, apply_finishing_options

EXIT_USAGE = 2
# engine/presets.py's names (not imported here, so that --help stays fast; a test holds them equal)
PRESET_HELP = (
    "the numbers people write, valid values only, drawn separators: zip, amount, date, time, "
    "phone, meter, house; realistic, in colour on paper: amount-cheque, zip-boxes, date-form, meter-photo"
)
EXIT_INTERRUPTED = 130


class OneLineArgumentParser(argparse.ArgumentParser):
    """argparse, but a bad argument is one line on stderr (and exit 2), not usage + error."""

    def error(self, message: str):  # noqa: D102 - argparse's hook
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


EXIT_BROKEN_PIPE = 141  # what a shell reports for a command ended by SIGPIPE


def fail(prog: str, message: str, code: int = EXIT_USAGE) -> int:
    print(f"{prog}: error: {message}", file=sys.stderr)
    return code


def run_guarded(prog: str, action: Callable[[], int]) -> int:
    """Run ``action``; turn a user's mistake or a file-system problem into one line and exit 2."""
    try:
        code = action()
        sys.stdout.flush()  # a closed pipe shows up here, inside the guard, not at exit
        return code
    except DigitSeqError as exc:
        return fail(prog, str(exc))
    except BrokenPipeError:  # the reader went away (`digitseq inspect F | head`): stop quietly,
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # as Python's docs advise
        return EXIT_BROKEN_PIPE
    except OSError as exc:
        detail = exc.strerror if exc.strerror and exc.filename else str(exc)
        where = f"{exc.filename}: " if exc.filename and str(exc.filename) not in detail else ""
        return fail(prog, f"{where}{detail}")
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative; use 0 or more")
    return value


def whole_number(text: str) -> int:
    """Any whole number (the engine checks the range and says why)."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def positive_int(text: str) -> int:
    value = whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not allowed; use 1 or more")
    return value


def add_engine_options(parser: argparse.ArgumentParser) -> None:
    """Options that shape generation, shared by generate and export; None means 'from --config'."""
    group = parser.add_argument_group("generation (defaults come from --config, else built-in defaults)")
    group.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="JSON configuration file (the earlier version's files load too)",
    )
    group.add_argument(
        "--min-spacing",
        type=whole_number,
        metavar="PX",
        help="smallest gap in pixels (default 2; down to -8: neighbouring digits overlap)",
    )
    group.add_argument(
        "--max-spacing", type=whole_number, metavar="PX", help="largest gap in pixels (default 8)"
    )
    group.add_argument("--width", type=positive_int, metavar="PX", help="image width in pixels (default 200)")
    group.add_argument(
        "--height", type=whole_number, metavar="PX", help="image height in pixels, 16-128 (default 28)"
    )
    group.add_argument(
        "--fit",
        choices=("stretch", "keep-aspect"),
        help="stretch: the digits fill height x width (default); keep-aspect: digits keep their "
        "shape, centred and padded with background (scaled down when they do not fit)",
    )
    group.add_argument(
        "--spacing-type",
        choices=("variable", "fixed"),
        help="variable: random gaps; fixed: equal gaps filling the width",
    )
    group.add_argument(
        "--spacing-subtype",
        choices=("between", "edge"),
        help="between: gaps between digits; edge: also at both ends",
    )
    group.add_argument(
        "--transform",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="augment each digit (rotation, shear, scale, blur unless the config names others)",
    )
    group.add_argument(
        "--trim",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="trim each digit's blank columns so spacing is the visible gap",
    )
    group.add_argument(
        "--separators",
        choices=("gap", "drawn"),
        help="gap: a separator is a blank gap, left out of the label (default); drawn: the symbols "
        "- . , / : ( ) + are drawn as pen strokes and kept in the label (a space stays a gap)",
    )
    group.add_argument(
        "--dataset", metavar="SOURCE", help="'mnist' (embedded), a folder of IDX files, or a Keras mnist.npz"
    )
    group.add_argument(
        "--writer",
        choices=("any", "same"),
        help="any: each digit by any writer (default); same: all digits of a sequence by one writer "
        "(the embedded MNIST knows its writers; your own data set needs a writers file)",
    )
    group.add_argument(
        "--dataset-split",
        dest="split",
        choices=("train", "test"),
        help="which file of the data set to draw digits from (default train)",
    )
    add_finishing_options(group)


def config_from_args(args: argparse.Namespace):
    """The Config from --config with the command-line options laid over it, validated."""
    from ..engine.config import Config, load_config

    config = load_config(args.config) if args.config else Config()
    if getattr(args, "preset", None):  # a preset's settings, under the options given here
        from ..engine.presets import preset_config

        config = preset_config(args.preset, config)
    overrides = {
        ("separators", "style"): args.separators,
        ("spacing", "min"): args.min_spacing,
        ("spacing", "max"): args.max_spacing,
        ("image", "width"): args.width,
        ("image", "height"): args.height,
        ("image", "fit"): args.fit,
        ("spacing", "type"): args.spacing_type,
        ("spacing", "subtype"): args.spacing_subtype,
        ("image", "transform"): args.transform,
        ("image", "trim_padding"): args.trim,
        ("dataset", "source"): args.dataset,
        ("dataset", "split"): args.split,
        ("sampling", "writer"): args.writer,
    }
    for (section, key), value in overrides.items():
        if value is not None:
            setattr(getattr(config, section), key, value)
    apply_finishing_options(config, args)
    return config.validated()
