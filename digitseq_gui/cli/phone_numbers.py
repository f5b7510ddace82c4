"""``generate-phone-numbers``: the original problem's data set of Japanese phone numbers.

Unique sequences shaped like Japanese mobile numbers, 0X0-XXXX-XXXX with 070, 080 or 090 first
(pattern ``0[789]0-####-####``; each hyphen is a blank gap of --separator-width pixels), made by
the export engine: parallel, reproducible, safe to stop and --resume.

    generate-phone-numbers --min-spacing 2 --max-spacing 8 --image-width 200 --num-images 1000 --output phones
"""

from __future__ import annotations

import sys

from .common import OneLineArgumentParser, positive_int, run_guarded
from .export import add_export_options, request_from_args, run_request

PROG = "generate-phone-numbers"
PATTERN = "0[789]0-####-####"


def build_parser() -> OneLineArgumentParser:
    parser = OneLineArgumentParser(
        prog=PROG,
        conflict_handler="resolve",
        description=f"Images of unique Japanese mobile phone numbers ({PATTERN}) made of MNIST digits, with labels.",
        epilog=f"example: {PROG} --min-spacing 2 --max-spacing 8 --image-width 200 --num-images 1000 --output phones",
    )
    parser.add_argument(
        "--num-images",
        "--count",
        dest="count",
        type=positive_int,
        metavar="N",
        required=True,
        help="how many images (all numbers different)",
    )
    add_export_options(parser)
    parser.add_argument(
        "--image-width",
        "--width",
        dest="width",
        type=positive_int,
        metavar="PX",
        help="image width in pixels (default 200)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def action() -> int:
        from ..engine import sequences

        args.unique = True
        return run_request(request_from_args(args, sequences.pattern(PATTERN)), PROG, args.quiet)

    return run_guarded(PROG, action)


if __name__ == "__main__":
    sys.exit(main())
