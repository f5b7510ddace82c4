"""Peak memory and time to the first progress of an export, against --count (issue 8: planning
streams, so neither grows with the count).

    python benchmarks/bench_export_memory.py                      # 10^5, 10^6, 10^7
    python benchmarks/bench_export_memory.py --counts 100000,100000000 --unique

Each count runs in a fresh process: plan, check, start the export, write --images images, cancel.
It prints the peak resident memory of that process (ru_maxrss) and when the first progress came.
The folder is in a temporary directory (the export's room check still sees the whole count: a
count whose output cannot fit on this disk is refused, and the benchmark says so).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

CHILD = r"""
import json, resource, sys, tempfile, threading, time
from pathlib import Path
start = time.perf_counter()
from digitseq_gui import export
from digitseq_gui.engine import sequences
count, images, unique, fmt = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4]
cancel, first = threading.Event(), []
def progress(done, total):
    if not first:
        first.append(time.perf_counter() - start)
    if done >= images:
        cancel.set()
source = sequences.pattern("0[789]0-####-####") if unique else sequences.random_lengths(4, 8)
folder = Path(tempfile.mkdtemp(prefix="digitseq-mem-")) / "out"
try:
    result = export.run_export(export.ExportRequest(folder, source, count=count, unique=unique, format=fmt), progress, cancel)
    status = f"{result.status} after {result.written:,}"
except Exception as exc:
    status = f"refused: {exc}"
print(json.dumps({"first": first[0] if first else None, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "status": status, "seconds": time.perf_counter() - start}))
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="100000,1000000,10000000")
    parser.add_argument(
        "--images", type=int, default=4096, help="images written before cancelling (default 4096)"
    )
    parser.add_argument(
        "--unique", action="store_true", help="unique phone-number pattern instead of random lengths"
    )
    parser.add_argument("--format", default="npz")
    args = parser.parse_args(argv)
    print(f"{'count':>12} | {'peak RSS':>9} | first progress | {'time':>6} | status")
    for count in (int(c) for c in args.counts.split(",")):
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                CHILD,
                str(count),
                str(args.images),
                "1" if args.unique else "0",
                args.format,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        row = json.loads(out.stdout.strip().splitlines()[-1])
        first = f"{row['first']:.2f} s" if row["first"] is not None else "-"
        print(
            f"{count:>12,} | {row['rss']:>6.0f} MB | {first:>14} | {row['seconds']:5.1f}s | {row['status'][:90]}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
