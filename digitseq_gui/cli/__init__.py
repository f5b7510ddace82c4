"""The ``digitseq`` command line: the same engine as the window, one subcommand per job."""

from __future__ import annotations

import sys

from . import export, generate, gui, inspect, merge
from .common import OneLineArgumentParser, run_guarded

SUBCOMMANDS = [generate, export, merge, inspect, gui]


def build_parser() -> OneLineArgumentParser:
    from ..version import __version__

    parser = OneLineArgumentParser(
        prog="digitseq",
        description="Images of digit sequences made of real handwritten MNIST digits.",
        epilog="run 'digitseq COMMAND --help' for a command's options",
    )
    parser.add_argument("--version", action="version", version=f"digitseq {__version__}")
    subparsers = parser.add_subparsers(
        title="commands", metavar="COMMAND", dest="command", parser_class=OneLineArgumentParser
    )
    subparsers.required = True
    for module in SUBCOMMANDS:
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_guarded(
        f"digitseq {args.command}", lambda: args.run(args)
    )  # as argparse names it in its errors


if __name__ == "__main__":
    sys.exit(main())
