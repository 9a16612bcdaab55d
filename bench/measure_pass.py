#!/usr/bin/env python3
"""What the measurement adds to a daily run over JSONL: the lean second pass over a week of traces.

Generates N example traces spread over 7 days (examples/generate_traces.py), then times, in this
process, over the whole week:

  (a) the daily pass (traces.sources.observe: every detector's counts, text analysis included);
  (b) the measurement pass (TraceSource.versions: counts and moments per prompt version);
  (c) the report pass (TraceSource.days: (b) plus counts per UTC day);

and, in a second round under tracemalloc, the peak memory of (b) and (c), which must not grow with
N. Figures and ratios only; nothing here asserts a time.

    python bench/measure_pass.py                  # 100k and 1M traces
    python bench/measure_pass.py --sizes 20000    # a quick one
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from optimizer.config import Settings
from optimizer.traces.source import open_source

ROOT = Path(__file__).resolve().parents[1]
START = datetime(2026, 11, 13, tzinfo=UTC)
END = START + timedelta(days=7)


def generate(count: int, folder: Path) -> Path:
    path = folder / f"traces-{count}.jsonl"
    args = ["--count", str(count), "--out", str(path), "--start", START.date().isoformat(), "--days", "7"]
    subprocess.run([sys.executable, str(ROOT / "examples" / "generate_traces.py"), *args], check=True)
    return path


def timed(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def peak_mib(action: Callable[[], object]) -> float:
    tracemalloc.start()
    action()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    sizes = parser.parse_args().sizes
    settings = Settings(repo=ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            path = generate(size, Path(tmp))
            passes = {
                "daily pass (all detectors)": lambda p=path: open_source(settings, p).observe(START, END, None),
                "measurement pass (versions)": lambda p=path: open_source(settings, p).versions(START, END, None),
                "report pass (versions + days)": lambda p=path: open_source(settings, p).days(START, END, None),
            }
            seconds = {name: timed(action) for name, action in passes.items()}
            daily = seconds["daily pass (all detectors)"]
            print(f"\n{size:,} traces over 7 days ({path.stat().st_size / 2**20:,.0f} MiB)")
            for name, value in seconds.items():
                print(f"  {name:32} {value:7.2f} s  {value / daily:5.2f}x the daily pass  {size / value:,.0f}/s")
            for name in list(passes)[1:]:
                print(f"  peak traced memory, {name:20} {peak_mib(passes[name]):6.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
