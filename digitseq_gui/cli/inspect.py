"""``digitseq inspect FILE``: what a DigitSeq PNG says about itself (label, text, seed, settings)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HELP = "print the label, text, seed and settings a DigitSeq PNG carries"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "inspect",
        help=HELP,
        description=HELP.capitalize() + ".",
        epilog="example: digitseq inspect seq_0123.png   (--json for one JSON object)",
    )
    parser.add_argument("file", type=Path, help="a PNG written by digitseq generate, export or the window")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of lines")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..engine.imageinfo import read_image_info

    info = read_image_info(args.file)
    if args.json:
        print(
            json.dumps(
                {
                    "label": info.label,
                    "text": info.text,
                    "seed": info.seed,
                    "index": info.index,
                    "part": info.part,
                    "settings": info.settings,
                    "software": info.software,
                    **(
                        {"writer": info.writer, "writers": list(info.writers or ())}
                        if info.writer is not None
                        else {}
                    ),
                },
                sort_keys=True,
            )
        )
        return 0
    print(f"label: {info.label}")
    print(f"text: {info.text}")
    print(f"seed: {'' if info.seed is None else info.seed}")
    if info.index is not None:
        print(f"index: {info.index}")
    if info.part:
        print(f"part: {info.part}")
    if info.writer is not None:
        print(f"writer: {info.writer}")
        print(f"writers: {','.join(map(str, info.writers or ()))}")
    print(f"settings: {json.dumps(info.settings, sort_keys=True)}")
    print(f"software: {info.software}")
    return 0
