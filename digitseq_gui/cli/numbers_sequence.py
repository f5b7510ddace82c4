"""``generate-numbers-sequence``: the original problem's script, on the DigitSeq engine.

    generate-numbers-sequence --sequence 0123 --min-spacing 2 --max-spacing 8 \\
        --image-width 200 --output-path out/
"""

from __future__ import annotations

import sys
from pathlib import Path

from .common import OneLineArgumentParser, non_negative_int, positive_int, run_guarded

PROG = "generate-numbers-sequence"


def build_parser() -> OneLineArgumentParser:
    parser = OneLineArgumentParser(
        prog=PROG,
        description="Write one image of a digit sequence made of MNIST digits, as the original problem's script did.",
        epilog="The image is saved as seq_<digits>.png in the output folder, or under the file name given.",
    )
    parser.add_argument("--sequence", "-s", required=True, metavar="DIGITS", help="the digits, e.g. 0123")
    parser.add_argument(
        "--min-spacing", required=True, type=non_negative_int, metavar="PX", help="smallest gap in pixels"
    )
    parser.add_argument(
        "--max-spacing", required=True, type=non_negative_int, metavar="PX", help="largest gap in pixels"
    )
    parser.add_argument(
        "--image-width", required=True, type=positive_int, metavar="PX", help="image width in pixels"
    )
    parser.add_argument(
        "--output-path",
        "-o",
        default=".",
        metavar="PATH",
        help="a folder (a path ending in / is created) or a .png/.jpg/.npy file path "
        "(default: the current folder)",
    )
    parser.add_argument(
        "--config", type=Path, metavar="FILE", help="JSON configuration (spacing type, transform...)"
    )
    parser.add_argument("--seed", type=non_negative_int, metavar="N", help="make the image reproducible")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def run() -> int:
        from ..engine.config import Config, load_config
        from ..engine.generator import DigitSequence
        from .generate import write_output

        config = load_config(args.config) if args.config else Config()
        generator = DigitSequence(config)
        result = generator.generate(
            args.sequence, (args.min_spacing, args.max_spacing), args.image_width, seed=args.seed
        )
        print(write_output(generator, result, args.output_path, force=False))
        return 0

    return run_guarded(PROG, run)


if __name__ == "__main__":
    sys.exit(main())
