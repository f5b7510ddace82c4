"""``digitseq export``: a labelled data set on disk, with a progress bar, safe to stop and resume."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from .common import (
    EXIT_INTERRUPTED,
    PRESET_HELP,
    add_engine_options,
    config_from_args,
    non_negative_int,
    positive_int,
)

HELP = "make a labelled data set (png + labels.csv, jsonl, npz, lmdb, webdataset or parquet) in parallel, reproducibly"
EXAMPLES = """examples:
  digitseq export --count 100000 --length 4-8 --output data --format npz --workers 4 --seed 7
  digitseq export --count 5000 --pattern '0[789]0-####-####' --unique --output phones
  digitseq export --sequences numbers.txt --output data --split train=0.8,val=0.1,test=0.1
  digitseq export --count 1000 --preset date --output dates
  digitseq export ... --resume          (finish an interrupted export: same bytes as one run)
  digitseq export ... --shard 2/8       (the chunks shard 2 of 8 owns; join with 'digitseq merge')"""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "export",
        help=HELP,
        description=HELP.capitalize() + ".",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    what = parser.add_argument_group("what to generate (one of)").add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--length", metavar="MIN-MAX", help="random digits, length drawn from the range, e.g. 4-8"
    )
    what.add_argument(
        "--pattern",
        metavar="PATTERN",
        help="e.g. '0##-####-####': # random digit, [789] one of those, digits literal, - . / ( ) _ space separators",
    )
    what.add_argument(
        "--sequences",
        type=Path,
        metavar="FILE",
        help="a text file, one sequence per line (leading zeros kept)",
    )
    what.add_argument("--preset", metavar="NAME", help=PRESET_HELP)
    parser.add_argument(
        "--count",
        type=positive_int,
        metavar="N",
        help="how many images (default: one per line of --sequences)",
    )
    add_export_options(parser)
    parser.set_defaults(run=run)


def add_export_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``digitseq export`` and ``generate-phone-numbers``."""
    # The choices and defaults are the export's and the engine's own (one registry each).
    from ..engine.sequences import DEFAULT_SEPARATOR_WIDTH
    from ..export import (
        COMPRESSIONS,
        DEFAULT_CHUNK_SIZE,
        DEFAULT_COMPRESSION,
        DEFAULT_FORMAT,
        DEFAULT_SHARD_SIZE,
        FORMATS,
        default_workers,
    )

    add_engine_options(parser)  # its --dataset-split names the data file; --split below is train/val/test
    out = parser.add_argument_group("output")
    out.add_argument("--output", "-o", type=Path, metavar="DIR", required=True, help="the data set folder")
    out.add_argument(
        "--format",
        choices=tuple(FORMATS),
        default=DEFAULT_FORMAT,
        help="; ".join(f"{name}: {fmt.description}" for name, fmt in FORMATS.items())
        + f" (default {DEFAULT_FORMAT})",
    )
    out.add_argument(
        "--compression",
        choices=tuple(COMPRESSIONS),
        default=DEFAULT_COMPRESSION,
        help="deflate effort for png and npz (deflate is the ceiling of a compressed export): "
        f"fast (level 1), default, none (largest files, fastest) (default: {DEFAULT_COMPRESSION!r})",
    )
    out.add_argument(
        "--shard-size",
        type=positive_int,
        metavar="N",
        default=DEFAULT_SHARD_SIZE,
        help="samples per tar (--format webdataset) or per Parquet file (--format parquet) "
        f"(default {DEFAULT_SHARD_SIZE})",
    )
    out.add_argument(
        "--split",
        dest="splits",
        metavar="SPEC",
        help="e.g. train=0.8,val=0.1,test=0.1: digits for each part come from disjoint MNIST images",
    )
    out.add_argument("--unique", action="store_true", help="never repeat a sequence")
    out.add_argument(
        "--separator-width",
        type=non_negative_int,
        metavar="PX",
        default=DEFAULT_SEPARATOR_WIDTH,
        help="width of the blank gap a separator in a pattern or sequence becomes "
        f"(default {DEFAULT_SEPARATOR_WIDTH})",
    )
    out.add_argument(
        "--seed", type=non_negative_int, metavar="S", default=0, help="the data set's seed (default 0)"
    )
    run = parser.add_argument_group("running")
    run.add_argument(
        "--workers",
        type=positive_int,
        metavar="N",
        default=default_workers(),
        help="worker processes (default: the number of cores, at most 8); the output does not depend on it",
    )
    run.add_argument(
        "--chunk-size",
        type=positive_int,
        metavar="N",
        default=DEFAULT_CHUNK_SIZE,
        help=f"images per chunk, a multiple of 64 (default {DEFAULT_CHUNK_SIZE})",
    )
    run.add_argument("--shard", metavar="I/N", help="make only the chunks shard I of N owns")
    run.add_argument("--resume", action="store_true", help="finish an interrupted export in --output")
    run.add_argument("--overwrite", action="store_true", help="replace an existing export in --output")
    run.add_argument("--quiet", "-q", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from ..engine import sequences

    if args.preset is not None:
        from ..engine.presets import preset_source

        source = preset_source(args.preset)
    elif args.length is not None:
        source = sequences.parse_length_range(args.length)
    elif args.pattern is not None:
        source = sequences.pattern(args.pattern)
    else:
        source = sequences.from_file(args.sequences)
    if args.count is None and source.default_count() is None:
        from ..engine.errors import InvalidInputError

        raise InvalidInputError("--count is required with --length, --pattern and --preset")
    return run_request(request_from_args(args, source), "digitseq export", args.quiet)


def request_from_args(args: argparse.Namespace, source):
    from ..export.run import ExportRequest

    return ExportRequest(
        output=args.output,
        sequences=source,
        count=args.count,
        config=config_from_args(args),
        seed=args.seed,
        format=args.format,
        splits=args.splits,
        unique=args.unique,
        separator_width=args.separator_width,
        chunk_size=args.chunk_size,
        workers=args.workers,
        shard=args.shard,
        resume=args.resume,
        overwrite=args.overwrite,
        compression=args.compression,
        shard_size=args.shard_size,
    )


def cli_error(exc):
    """The export error with the advice for its kind (export/errors.ADVICE)."""
    from ..engine.errors import InvalidInputError
    from ..export.errors import with_advice

    return InvalidInputError(with_advice(exc), field=exc.field)


class _Interrupt(threading.Event):
    """Ctrl+C: the first stops after the chunks being made; a second stops at once."""

    def __init__(self):
        super().__init__()
        self.at_once = threading.Event()

    def stop_now(self) -> bool:
        return self.at_once.is_set()


def run_request(request, prog: str, quiet: bool = False) -> int:
    """Run the export with a tqdm bar. The first Ctrl+C stops cleanly after the current chunk
    (the folder is left consistent, resumable); a second one stops at once, also resumable, as
    any kill is: one line either way, never a traceback."""
    from ..export.errors import ExportFolderError

    cancel = _Interrupt()
    output = request.output

    def on_sigint(signum, frame):
        if cancel.at_once.is_set():  # a third: the export is somewhere it cannot be stopped from
            sys.stderr.write(f"{prog}: stopped; {output} can be finished with --resume\n")
            sys.stderr.flush()
            os._exit(EXIT_INTERRUPTED)  # any kill point is resumable; workers die with us
        if cancel.is_set():
            cancel.at_once.set()
            return
        cancel.set()

    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, on_sigint) if main else None
    try:
        try:
            result = _run_with_bar(request, quiet, cancel)
        except ExportFolderError as exc:
            raise cli_error(exc) from None
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    if result.status != "complete":
        print(
            f"{prog}: interrupted after {result.written} of {result.total} images; {result.output} is consistent. "
            "Run the same command with --resume to finish it.",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    print(f"wrote {result.written} images to {result.output} (manifest: {result.manifest})")
    return 0


def _run_with_bar(request, quiet: bool, cancel):
    from tqdm import tqdm

    from ..export.run import run_export

    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if quiet:
            return
        if bar is None:
            bar = tqdm(
                total=total, initial=done, unit="img", file=sys.stderr, dynamic_ncols=True, smoothing=0.1
            )
        bar.update(done - bar.n)

    try:
        return run_export(request, progress, cancel)
    finally:
        if bar is not None:
            bar.close()
