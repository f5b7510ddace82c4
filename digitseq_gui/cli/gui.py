"""``digitseq gui``: start the desktop application."""

from __future__ import annotations


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "gui", help="start the desktop application", description="Start the DigitSeq window."
    )
    parser.set_defaults(run=run)


def run(args) -> int:
    from ..gui.app import main

    return main([])
