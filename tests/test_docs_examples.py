"""Every code example in README.md and docs/**/*.md runs, so that none can go stale.

What runs, each in a fresh temporary working folder:
- a ```python block: as a script, with DeprecationWarning, PendingDeprecationWarning and
  FutureWarning turned into errors (PYTHONWARNINGS, so worker processes inherit it), which must exit 0 with nothing on stderr that names
  a warning;
- a ```bash block whose first command starts with `digitseq `: each command in turn (a trailing `\\`
  continues a line), in the same folder, so that later lines see what earlier ones made. A command
  whose comment says `(exit N)` must exit with N; every other must exit 0. Its stderr, too, must name
  no warning. `digitseq gui` (which opens the window and waits) is not run;
- a ```json block: loaded with `load_config` (every configuration example is a valid file).

Small counts: an example may show a realistic size (`--count 100000`, `count=100_000`); here every
`--count N`, `count=N` and `--num-images N` is capped at SMALL_COUNT so that the whole file runs in
about a minute. The folder holds `numbers.txt` (40 sequences) and `my.json` (a configuration) for
the examples that read them.

A block opts out with a first line `# docs-test: skip (why)`, visible to readers; skipped blocks are
reported as skips. A block that imports a module that is not installed (torch on the stack without
the torch extra) is skipped too, with that reason.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SMALL_COUNT = 2048  # four export chunks of 512: enough for shards, splits and several workers
TIMEOUT = 600
SKIP_MARK = "# docs-test: skip"
NOT_RUN = {"digitseq gui", "digitseq-gui"}  # open the window and wait for it to close
WARNINGS = "error::DeprecationWarning,error::PendingDeprecationWarning,error::FutureWarning"


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # of the opening fence, 1-based
    language: str
    code: str

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def markdown_files() -> list[Path]:
    docs = [p for p in sorted((ROOT / "docs").rglob("*.md")) if "_build" not in p.parts]
    return [ROOT / "README.md", *docs]


def blocks_of(path: Path) -> list[Block]:
    found, lines = [], path.read_text(encoding="utf-8").splitlines()
    fence = re.compile(r"^(`{3,})(\w+)?\s*$")
    i = 0
    while i < len(lines):
        match = fence.match(lines[i])
        if not match:
            i += 1
            continue
        ticks, language, start = match.group(1), (match.group(2) or ""), i
        end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == ticks), len(lines))
        found.append(Block(path, start + 1, language, "\n".join(lines[start + 1 : end]) + "\n"))
        i = end + 1
    return found


def commands_of(code: str) -> list[str]:
    """The block's commands: comment-only and blank lines dropped, `\\` continuations joined."""
    commands, current = [], ""
    for line in code.splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        commands.append(current + line)
        current = ""
    return commands


def is_digitseq_bash(block: Block) -> bool:
    commands = commands_of(block.code)
    return (
        block.language in ("bash", "sh", "console") and bool(commands) and commands[0].startswith("digitseq ")
    )


def runnable(block: Block) -> bool:
    return block.language == "python" or block.language == "json" or is_digitseq_bash(block)


ALL_BLOCKS = [b for path in markdown_files() for b in blocks_of(path) if runnable(b)]


def small_counts(code: str) -> str:
    def cap(match: re.Match) -> str:
        value = int(match.group(2).replace("_", ""))
        return f"{match.group(1)}{min(value, SMALL_COUNT)}"

    return re.sub(r"(--count[ =]|--num-images[ =]|\bcount=)(\d[\d_]*)", cap, code)


def missing_modules(code: str) -> list[str]:
    names = re.findall(r"^\s*(?:from|import)\s+([A-Za-z_]\w*)", code, flags=re.M)
    return sorted({n for n in names if importlib.util.find_spec(n) is None})


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    numbers = [f"{i:04d}" for i in range(0, 10_000, 250)]  # 40 sequences, leading zeros included
    (tmp_path / "numbers.txt").write_text("\n".join(numbers) + "\n", encoding="utf-8")
    (tmp_path / "my.json").write_text(
        json.dumps({"image": {"transform": True, "width": 200}, "spacing": {"min": 2, "max": 8}}),
        encoding="utf-8",
    )
    return tmp_path


def environment() -> dict[str, str]:
    env = dict(os.environ, PYTHONWARNINGS=WARNINGS, QT_QPA_PLATFORM="offscreen")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def assert_no_warning(block: Block, what: str, stderr: str) -> None:
    assert "Warning" not in stderr, f"{block.name}: {what} printed a warning:\n{stderr}"


def run_python(block: Block, folder: Path) -> None:
    script = folder / "example.py"
    script.write_text(small_counts(block.code), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=folder,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, f"{block.name} failed:\n{done.stderr}"
    assert_no_warning(block, "the example", done.stderr)


def run_bash(block: Block, folder: Path) -> None:
    for command in commands_of(block.code):
        if command.split("#")[0].strip() in NOT_RUN:
            continue
        expected = re.search(r"#.*\(exit (\d+)\)", command)
        done = subprocess.run(
            ["bash", "-c", small_counts(command)],
            cwd=folder,
            env=environment(),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        want = int(expected.group(1)) if expected else 0
        assert done.returncode == want, (
            f"{block.name}: `{command}` exited {done.returncode}, not {want}:\n{done.stderr}"
        )
        assert_no_warning(block, f"`{command}`", done.stderr)


def run_json(block: Block, folder: Path) -> None:
    from digitseq_gui import Config, load_config

    path = folder / "config.json"
    path.write_text(block.code, encoding="utf-8")
    assert isinstance(load_config(path), Config), block.name


def test_the_examples_are_found():
    # a fence syntax this file no longer recognises must not make every example silently pass
    names = {b.path.name for b in ALL_BLOCKS}
    assert {"README.md", "python-api.md", "cli.md", "export.md", "configuration.md"} <= names
    assert sum(b.language == "python" for b in ALL_BLOCKS) >= 5
    assert sum(is_digitseq_bash(b) for b in ALL_BLOCKS) >= 3


def test_small_counts_caps_only_counts():
    code = "digitseq export --count 100000 --width 200\nx = Thing(count=100_000, seed=7)\n"
    assert small_counts(code) == (
        f"digitseq export --count {SMALL_COUNT} --width 200\nx = Thing(count={SMALL_COUNT}, seed=7)\n"
    )


@pytest.mark.parametrize("block", ALL_BLOCKS, ids=[b.name for b in ALL_BLOCKS])
def test_example_runs(block: Block, folder: Path):
    if block.code.startswith(SKIP_MARK):
        pytest.skip(block.code.splitlines()[0][len(SKIP_MARK) :].strip(" :()") or "marked in the docs")
    if block.language == "json":
        return run_json(block, folder)
    missing = missing_modules(block.code)
    if missing:
        pytest.skip(f"needs {', '.join(missing)}, not installed")
    if block.language == "python":
        run_python(block, folder)
    else:
        run_bash(block, folder)


def test_commands_are_split_as_bash_would():
    commands = commands_of("# comment\ndigitseq a \\\n  --b 1\n\ndigitseq c  # note\n")
    assert commands == ["digitseq a    --b 1", "digitseq c  # note"]
    assert shlex.split(commands[0]) == ["digitseq", "a", "--b", "1"]
