#!/usr/bin/env python3
"""How long the CLI takes to start, against the floor: a bare ``python -c pass``.

Runs, interleaved so that both see the same machine: ``python -c pass``, ``optimizer --help``,
``optimizer --version`` and ``optimizer analyze`` over the shipped example's JSONL traces, each
ROUNDS times in a fresh subprocess. Prints the median wall time of each and its ratio to the
floor, and which heavy libraries each command imported (``python -X importtime``). Figures and
ratios only; nothing here asserts a time.

    python bench/startup.py               # 15 rounds
    python bench/startup.py --rounds 40
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("github", "git", "supabase", "postgrest", "anthropic", "httpx")
CLI = [sys.executable, "-m", "optimizer"]
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "optimizer --help": [*CLI, "--help"],
    "optimizer --version": [*CLI, "--version"],
    "optimizer analyze (example)": [*CLI, "analyze", "--repo", str(ROOT), "--format", "json"],
}


def _seconds(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, cwd=ROOT)
    return time.perf_counter() - start


def _heavy_imports(argv: list[str]) -> list[str]:
    """The heavy top-level packages a command imports, read from ``-X importtime`` on stderr."""
    traced = [argv[0], "-X", "importtime", *argv[1:]]
    stderr = subprocess.run(traced, capture_output=True, text=True, check=True, cwd=ROOT).stderr
    names = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in stderr.splitlines() if "|" in line}
    return sorted(names & set(HEAVY))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for argv in COMMANDS.values():
        _seconds(argv)  # warm the file cache once
    for _ in range(rounds):
        for name, argv in COMMANDS.items():
            times[name].append(_seconds(argv))
    floor = statistics.median(times["python -c pass"])
    print(f"{'command':30} {'median s':>9} {'x floor':>8}  heavy libraries imported")
    for name, argv in COMMANDS.items():
        median = statistics.median(times[name])
        heavy = ", ".join(_heavy_imports(argv)) or "none"
        print(f"{name:30} {median:9.3f} {median / floor:8.1f}  {heavy}")


if __name__ == "__main__":
    main()
