"""The cost of ink, paper and capture (issue 18), side by side in one process.

    python benchmarks/bench_paper.py                 # 2,048 images of 4-8 digits, 5 rounds
    python benchmarks/bench_paper.py --count 512 --rounds 2
    python benchmarks/bench_paper.py --instructions  # the same ratio counted in instructions

Today: ``generate_batch`` with augmentation on (rotation, shear, scale, blur), uint8, width 200.
Realistic: ``generate_batch`` of the same texts with the default realistic combination
(image.color rgb, ink black or blue with pressure, paper grain + ruled, capture at its defaults),
which takes the engine's one route (engine.compose: the same digits, then finish.py). Both per
image, the best round of each (this machine is shared and noisy; the two take turns within each
round), then the ratio; the ratio of each round too (the two ran side by side, so a slow spell of
the machine slows both), with its median and range, in wall-clock and in CPU time; then the time
of each finishing stage alone, so it shows what dominates,
and the JPEG codec's own encode + decode time (libjpeg-turbo through OpenCV), the floor of that
stage.

``--instructions`` counts instead of timing, for a figure that does not depend on what else the
machine is doing: valgrind's callgrind runs this script once for each of the two, counting only
while its one batch is made (``callgrind_control -i on`` / ``off`` around it; two runs agree to
0.1%), and prints each one's instructions per image and their ratio. Instructions are not time
(a cache miss costs more than an add), so it complements the timings rather than replacing them.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--count", type=int, help="images per round, a multiple of 64 (default 2048; 512 with --instructions)"
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--instructions", action="store_true", help="count instructions under valgrind instead of timing"
    )
    parser.add_argument("--phase", choices=("today", "realistic"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.count is None:
        args.count = 512 if args.instructions else 2048
    if args.instructions:
        return _count_instructions(args.count)

    from digitseq_gui.engine import capture as capture_module
    from digitseq_gui.engine import ink as ink_module
    from digitseq_gui.engine import paper as paper_module
    from digitseq_gui.engine import seeding
    from digitseq_gui.engine.finish import finish

    today, realistic, generator, realistic_generator, texts = _setup(args.count)
    if args.phase:  # one run of --instructions, under callgrind: count one batch of the one asked for
        chosen = generator if args.phase == "today" else realistic_generator
        _callgrind("on")
        chosen.generate_batch(texts, seed=100, as_uint8=True)
        _callgrind("off")
        return 0

    best_today = best_real = float("inf")
    ratios: list[float] = []
    cpu_ratios: list[float] = []
    stages: dict[str, float] = {}
    for round_number in range(args.rounds):
        seed = 100 + round_number
        # The two take turns, and which goes first alternates, so neither always follows the
        # stage timing below (or the other's memory churn).
        seconds, cpu = {}, {}
        for name in ("today", "realistic") if round_number % 2 == 0 else ("realistic", "today"):
            start, cpu_start = time.perf_counter(), time.process_time()
            result = (generator if name == "today" else realistic_generator).generate_batch(
                texts, seed=seed, as_uint8=True
            )
            seconds[name], cpu[name] = time.perf_counter() - start, time.process_time() - cpu_start
            if name == "today":
                batch = result
        best_today = min(best_today, seconds["today"])
        best_real = min(best_real, seconds["realistic"])
        ratios.append(seconds["realistic"] / seconds["today"])
        cpu_ratios.append(cpu["realistic"] / cpu["today"])
        for name, seconds in _stage_times(
            realistic, batch.images, batch.boxes, seed, seeding, ink_module, paper_module, capture_module
        ).items():
            stages[name] = min(stages.get(name, float("inf")), seconds)
    finished = finish(realistic, batch.images, batch.boxes, 0, 0).images
    codec = _codec_time(finished)

    per = 1000 / args.count
    print(f"{args.count} images of 4-8 digits, 28 x 200, best of {args.rounds} rounds (ms per image)")
    print(f"  today (augmented generate_batch):          {best_today * per:.3f}")
    print(f"  realistic (generate_batch, + ink, paper, capture): {best_real * per:.3f}")
    print(f"  ratio: {best_real / best_today:.2f}x (goal <= 2x)")
    for name, values in (("wall-clock", ratios), ("CPU time", cpu_ratios)):
        print(
            f"  ratio of each round, {name}: median {float(np.median(values)):.2f}x"
            f" (from {min(values):.2f}x to {max(values):.2f}x)"
        )
    print("finishing stages (ms per image):")
    for name, seconds in sorted(stages.items(), key=lambda kv: -kv[1]):
        print(f"  {name:36s} {seconds * per:.3f}")
    print(f"  of which the JPEG codec alone (encode + decode, the stage's floor): {codec * per:.3f}")
    return 0


def _setup(count: int):
    """The two configurations, their generators (warmed up) and ``count`` texts of 4-8 digits."""
    from digitseq_gui import DigitSequence
    from digitseq_gui.engine.config import Config
    from digitseq_gui.engine.finish_config import realistic_combination

    today = Config.from_dict({"image": {"transform": True}})
    document = realistic_combination()
    document["image"]["transform"] = True  # the same augmented digits as today's
    realistic = Config.from_dict(document)
    generator, realistic_generator = DigitSequence(today), DigitSequence(realistic)
    rng = np.random.default_rng(0)
    texts = ["".join(map(str, rng.integers(0, 10, rng.integers(4, 9)))) for _ in range(count)]
    for warm in (generator, realistic_generator):  # imgaug's import and warm-up
        warm.generate_batch(texts[:64], seed=0, as_uint8=True)
    return today, realistic, generator, realistic_generator, texts


def _count_instructions(count: int) -> int:
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        print(
            "bench_paper: --instructions needs valgrind (Debian: apt-get install valgrind)", file=sys.stderr
        )
        return 2
    per_image = {}
    for phase in ("today", "realistic"):
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--callgrind-out-file=/dev/null"]
            + [sys.executable, __file__, "--phase", phase, "--count", str(count)],
            env={**os.environ, "PYTHONHASHSEED": "0"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        found = re.search(r"I\s+refs:\s+([\d,]+)", run.stderr)
        if run.returncode or not found:
            print(
                f"bench_paper: the {phase} run under valgrind failed:\n{run.stderr[-2000:]}", file=sys.stderr
            )
            return 1
        per_image[phase] = int(found.group(1).replace(",", "")) / count
    today, realistic = per_image["today"], per_image["realistic"]
    print(f"{count} images of 4-8 digits, 28 x 200, one batch each, instructions per image (callgrind)")
    print(f"  today (augmented generate_batch):          {today / 1e6:.3f} M")
    print(f"  realistic (generate_batch, + ink, paper, capture): {realistic / 1e6:.3f} M")
    print(f"  ratio: {realistic / today:.2f}x (goal <= 2x)")
    return 0


def _callgrind(state: str) -> None:
    """Start or stop callgrind's counting in this process (it runs under valgrind)."""
    subprocess.run(["callgrind_control", "-i", state, str(os.getpid())], check=True, capture_output=True)


def _codec_time(images: np.ndarray) -> float:
    """Seconds to encode and decode ``images`` (n, H, W, 3) as JPEG at the default qualities'
    mean (80), 64 at a time as capture.py does, padded to whole 16-row blocks; best of 3."""
    from digitseq_gui.engine.imgaug_compat import cv2

    cv = cv2()
    n, height = images.shape[:2]
    padded = np.empty((n, -(-height // 16) * 16, *images.shape[2:]), dtype=np.uint8)
    padded[:, :height] = images
    padded[:, height:] = images[:, -1:]
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for first in range(0, n, 64):
            tall = padded[first : first + 64].reshape(-1, *images.shape[2:])
            ok, data = cv.imencode(".jpg", tall, [cv.IMWRITE_JPEG_QUALITY, 80])
            cv.imdecode(data, cv.IMREAD_COLOR)
        best = min(best, time.perf_counter() - start)
    return best


def _stage_times(config, images, boxes, seed, seeding, ink_module, paper_module, capture_module):
    """Each stage of finish._finish_block timed alone over the whole run, block by block."""
    times: dict[str, float] = {}

    def timed(name, function, *a):
        start = time.perf_counter()
        result = function(*a)
        times[name] = times.get(name, 0.0) + time.perf_counter() - start
        return result

    effects = config.capture.enabled_effects()
    rgb = config.image.color == "rgb"
    for start in range(0, len(images), 64):
        grey, block_boxes = images[start : start + 64], boxes[start : start + 64]
        n, height, width = grey.shape
        stream = seeding.finish_stream(seed, start // 64)
        ink, paper = config.ink, config.paper
        inks, profile = timed(
            "ink draws", ink_module.draw_inks, ink.colours, ink.darkness, ink.pressure, stream, n, width
        )
        sheet = timed(
            f"paper {paper.background}",
            paper_module.draw_background,
            paper.background,
            stream,
            n,
            height,
            width,
        )
        timed(
            f"paper {paper.lines}",
            paper_module.draw_lines,
            paper.lines,
            sheet,
            stream,
            block_boxes,
            height,
            width,
        )
        light = timed("capture shadow (light)", capture_module.draw_light, effects, stream, n, height, width)
        finished = timed("ink over paper", ink_module.composite, grey, sheet, inks, profile, light, rgb)
        exposure = {k: v for k, v in effects.items() if k in ("brightness", "contrast", "gamma")}
        alone = [({k: v}, f"capture {k}") for k, v in effects.items() if k not in exposure and k != "shadow"]
        if exposure:  # one table look-up for all three
            alone.append((exposure, "capture " + "+".join(exposure)))
        for chosen, name in alone:
            timed(name, capture_module.capture, chosen, finished.copy(), block_boxes, stream)

    return times


if __name__ == "__main__":
    raise SystemExit(main())
