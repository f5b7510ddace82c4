"""``digitseq merge``: join the shard outputs of ``digitseq export --shard I/N`` into one data set."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "join complete shard exports (--shard 1/N .. N/N) into one data set, identical to a single run"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "merge",
        help=HELP,
        description=HELP.capitalize() + ".",
        epilog="example: digitseq merge shard-1 shard-2 shard-3 --output data",
    )
    parser.add_argument(
        "shards", nargs="+", type=Path, metavar="SHARD_DIR", help="the shard folders, in any order"
    )
    parser.add_argument(
        "--output", "-o", type=Path, metavar="DIR", required=True, help="the merged data set folder"
    )
    parser.add_argument("--overwrite", action="store_true", help="replace an existing export in --output")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..export.errors import ExportFolderError
    from ..export.merge import merge_exports
    from .export import cli_error

    try:
        result = merge_exports(args.shards, args.output, overwrite=args.overwrite)
    except ExportFolderError as exc:
        if exc.kind == "not_empty":
            exc.args = (str(exc),)
            raise cli_error(exc).__class__(
                f"{exc}; pass --overwrite to replace it", field=exc.field
            ) from None
        raise cli_error(exc) from None
    print(f"merged {len(args.shards)} shards: {result.written} images in {result.output}")
    return 0
