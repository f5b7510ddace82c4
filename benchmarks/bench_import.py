"""Import time of the package's entry points, each in a fresh interpreter (median of N runs).

    python benchmarks/bench_import.py                 # digitseq_gui.engine.seeding and digitseq_gui
    python benchmarks/bench_import.py --repeat 20 digitseq_gui.export

Every export worker and DataLoader worker pays the import of what it uses: a worker that needs only
the seeding rules should not load the data set module, torch support or the generator.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def median_ms(code: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", default=["digitseq_gui.engine.seeding", "digitseq_gui"])
    parser.add_argument("--repeat", type=int, default=10, help="runs per module (default 10)")
    args = parser.parse_args()
    bare = median_ms("pass", args.repeat)
    print(f"{'python -c pass':32s} {bare:6.0f} ms")
    for module in args.modules:
        print(f"{'import ' + module:32s} {median_ms(f'import {module}', args.repeat):6.0f} ms")


if __name__ == "__main__":
    main()
