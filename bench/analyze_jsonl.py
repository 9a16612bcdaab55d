#!/usr/bin/env python3
"""How `optimizer analyze` over JSONL compares with the floor: a bare `json.loads` pass.

For each size N, generates N example traces (examples/generate_traces.py) into a temporary
directory, then times, each in its own subprocess:

  (a) a bare stdlib pass over the same file: ``for line in f: json.loads(line)``;
  (b) ``optimizer analyze --traces FILE --repo <this repo> --agent frontdesk --window-hours 100000
      --now <end> --format json``, the whole command, output to a file.

Each subprocess is started by its own small wrapper that reports wall time and the peak RSS of
its only child (``RUSAGE_CHILDREN`` in a process with a single child), so the two never mix.
Figures and ratios only; nothing here asserts a time.

    python bench/analyze_jsonl.py                    # 10k, 100k and 1M traces
    python bench/analyze_jsonl.py --sizes 10000      # a quick one
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "examples" / "generate_traces.py"
START = datetime(2026, 11, 17, tzinfo=UTC)
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)

# Runs argv with stdout to a file (or /dev/null); prints {"rc", "seconds", "maxrss_kib"} as JSON.
WRAPPER = """
import json, resource, subprocess, sys, time
out = sys.argv[1]
t0 = time.perf_counter()
with open(out, "wb") as stdout:
    rc = subprocess.call(sys.argv[2:], stdout=stdout)
seconds = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
if sys.platform == "darwin":
    peak //= 1024  # bytes there, KiB on Linux
print(json.dumps({"rc": rc, "seconds": seconds, "maxrss_kib": peak}))
"""

JSON_LOADS_LOOP = """
import json, sys
n = 0
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        json.loads(line)
        n += 1
print(n)
"""


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mib: float
    stdout: Path


class BenchError(Exception):
    pass


def measure(argv: list[str], stdout: Path) -> Run:
    """Run ``argv`` in its own wrapper process; wall time and the child's peak RSS."""
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, str(stdout), *argv],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError) as err:
        raise BenchError(f"wrapper failed for {argv}: {done.stderr.strip()}") from err
    if report["rc"] != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        raise BenchError(f"exit {report['rc']}: {' '.join(argv)}\n{tail}")
    return Run(report["seconds"], report["maxrss_kib"] / 1024, stdout)


def optimizer_command(cli: str | None) -> list[str]:
    """The command that runs the optimizer: --cli, else `optimizer` on PATH, else this repo's package."""
    if cli:
        return cli.split()
    found = shutil.which("optimizer")
    if found:
        return [found]
    return [sys.executable, "-m", "optimizer"]


def in_window(path: Path) -> int | None:
    """Traces the analysis says it read, when its JSON output says so."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        value = data["source"]["traces_in_window"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return value if isinstance(value, int) else None


def bench_size(n: int, days: int, workdir: Path, optimizer: list[str], env_note: list[str]) -> dict[str, object]:
    traces = workdir / f"frontdesk-{n}.jsonl"
    end = START + timedelta(days=days)
    generated = measure(
        [
            sys.executable,
            str(GENERATOR),
            "--count",
            str(n),
            "--out",
            str(traces),
            "--start",
            START.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "--days",
            str(days),
        ],
        Path("/dev/null"),
    )
    bare = measure([sys.executable, "-c", JSON_LOADS_LOOP, str(traces)], workdir / "bare.out")
    counted = int(bare.stdout.read_text().strip())
    if counted != n:
        raise BenchError(f"expected {n} lines in {traces}, the bare pass read {counted}")
    analysis_out = workdir / f"analysis-{n}.json"
    analyze = measure(
        [
            *optimizer,
            "analyze",
            "--traces",
            str(traces),
            "--repo",
            str(ROOT),
            "--agent",
            "frontdesk",
            "--window-hours",
            "100000",
            "--now",
            end.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "--format",
            "json",
        ],
        analysis_out,
    )
    read = in_window(analysis_out)
    if read is not None and read != n:
        env_note.append(f"N={n}: analyze reported {read} traces in the window, not {n}")
    size_mib = traces.stat().st_size / (1 << 20)
    traces.unlink()
    analysis_out.unlink()
    return {
        "n": n,
        "file_mib": size_mib,
        "generate_s": generated.seconds,
        "bare_s": bare.seconds,
        "bare_peak_mib": bare.peak_mib,
        "analyze_s": analyze.seconds,
        "analyze_peak_mib": analyze.peak_mib,
        "ratio": analyze.seconds / bare.seconds if bare.seconds else float("nan"),
        "in_window": read,
    }


def table(rows: list[dict[str, object]]) -> str:
    head = ("N", "file MB", "json.loads s", "analyze s", "ratio", "analyze peak MB", "json.loads peak MB")
    body = [
        (
            f"{r['n']:,}",
            f"{r['file_mib']:.1f}",
            f"{r['bare_s']:.2f}",
            f"{r['analyze_s']:.2f}",
            f"{r['ratio']:.1f}x",
            f"{r['analyze_peak_mib']:.0f}",
            f"{r['bare_peak_mib']:.0f}",
        )
        for r in rows
    ]
    widths = [max(len(cell) for cell in column) for column in zip(head, *body, strict=True)]
    lines = [
        "| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + " |",
        "|" + "|".join("-" * (w + 1) + ":" for w in widths) + "|",
    ]
    lines += ["| " + " | ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True)) + " |" for cells in body]
    return "\n".join(lines)


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of counts: {text!r}") from err
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes must be positive")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=list(DEFAULT_SIZES),
        help="comma-separated trace counts (default 10000,100000,1000000)",
    )
    parser.add_argument("--days", type=int, default=3, help="days the generated traces span (default 3)")
    parser.add_argument("--cli", help='command that runs the optimizer (default: "optimizer" or python -m)')
    parser.add_argument("--workdir", type=Path, help="where to generate (default: a temporary directory)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args(argv)

    optimizer = optimizer_command(args.cli)
    notes: list[str] = []
    rows = []
    with tempfile.TemporaryDirectory(prefix="optimizer-bench-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        print(f"optimizer: {' '.join(optimizer)}", file=sys.stderr)
        for n in args.sizes:
            print(f"N={n:,}: generating, json.loads pass, optimizer analyze ...", file=sys.stderr)
            try:
                rows.append(bench_size(n, args.days, workdir, optimizer, notes))
            except BenchError as err:
                print(f"N={n:,}: {err}", file=sys.stderr)
                return 1
            row = rows[-1]
            print(
                f"N={n:,}: generated in {row['generate_s']:.1f}s, "
                f"json.loads {row['bare_s']:.2f}s, analyze {row['analyze_s']:.2f}s",
                file=sys.stderr,
            )
    print(table(rows))
    for note in notes:
        print(f"note: {note}")
    if args.json:
        print(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
