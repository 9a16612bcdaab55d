#!/usr/bin/env python3
"""How `optimizer analyze` over OTLP/JSON compares with the floor, a bare `json.loads` pass over
the same file, and with `optimizer analyze` over the same conversations as trace records.

For each size N, generates N example traces (examples/generate_traces.py), writes them as the
Collector's file exporter would have written the OpenTelemetry SDK's spans of them (the SDK and its
OTLP encoder, tests/support/otlp_export.py: one agent span, one model call and one span per tool
call, ~3 spans a trace, 64 spans a line), then times, each in its own subprocess (the wrapper of
bench/analyze_jsonl.py: wall time and the child's peak RSS):

  (a) a bare stdlib pass over the OTLP file: ``for line in f: json.loads(line)``;
  (b) ``optimizer analyze`` over the OTLP file;
  (c) ``optimizer analyze`` over the JSONL file, for the cost of folding spans.

Flat memory means (b)'s peak stays put as N grows. Figures and ratios only; nothing asserts a time.

    python bench/analyze_otlp.py                    # 10k, 100k and 330k traces (~1M spans)
    python bench/analyze_otlp.py --sizes 10000      # a quick one
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.analyze_jsonl import (
    GENERATOR,
    JSON_LOADS_LOOP,
    ROOT,
    START,
    BenchError,
    measure,
    optimizer_command,
)
from tests.support.otlp_export import write_otlp

DEFAULT_SIZES = (10_000, 100_000, 330_000)
_SPANS = re.compile(r"OTLP/JSON: (\d+) span")


def records(path: Path) -> Iterator[dict]:
    with path.open("rb") as lines:
        for line in lines:
            yield orjson.loads(line)


def analyze(optimizer: list[str], traces: Path, end: str, out: Path) -> tuple[float, float, dict]:
    argv = [*optimizer, "analyze", "--traces", str(traces), "--repo", str(ROOT), "--agent", "frontdesk"]
    run = measure([*argv, "--window-hours", "100000", "--now", end, "--format", "json"], out)
    return run.seconds, run.peak_mib, orjson.loads(out.read_bytes())["source"]


def bench_size(n: int, days: int, workdir: Path, optimizer: list[str]) -> dict[str, object]:
    canonical, otlp = workdir / f"frontdesk-{n}.jsonl", workdir / f"frontdesk-{n}.otlp.json"
    start = START.strftime("%Y-%m-%dT%H:%M:%SZ")
    argv = [sys.executable, str(GENERATOR), "--count", str(n), "--out", str(canonical), "--start", start]
    measure([*argv, "--days", str(days)], Path("/dev/null"))
    began = time.perf_counter()
    write_otlp(otlp, records(canonical))
    written = time.perf_counter() - began
    bare = measure([sys.executable, "-c", JSON_LOADS_LOOP, str(otlp)], workdir / "bare.out")
    end = (START + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
    otlp_s, otlp_peak, source = analyze(optimizer, otlp, end, workdir / "otlp.out")
    jsonl_s, jsonl_peak, jsonl_source = analyze(optimizer, canonical, end, workdir / "jsonl.out")
    if source["traces_in_window"] != jsonl_source["traces_in_window"] or source["skipped"]:
        raise BenchError(f"N={n}: the OTLP file read {source}, the JSONL {jsonl_source}")
    spans = _SPANS.search(source["description"])
    row = {
        "n": n,
        "spans": int(spans.group(1)) if spans else 0,
        "file_mib": otlp.stat().st_size / (1 << 20),
        "write_s": written,
        "bare_s": bare.seconds,
        "bare_peak_mib": bare.peak_mib,
        "otlp_s": otlp_s,
        "otlp_peak_mib": otlp_peak,
        "jsonl_s": jsonl_s,
        "jsonl_peak_mib": jsonl_peak,
    }
    canonical.unlink()
    otlp.unlink()
    return row


def table(rows: list[dict]) -> str:
    head = ("traces", "spans", "OTLP MB", "json.loads s", "analyze OTLP s", "vs json.loads", "analyze JSONL s")
    head += ("OTLP peak MB", "JSONL peak MB", "json.loads peak MB")
    body = [
        (
            f"{r['n']:,}",
            f"{r['spans']:,}",
            f"{r['file_mib']:.0f}",
            f"{r['bare_s']:.2f}",
            f"{r['otlp_s']:.2f}",
            f"{r['otlp_s'] / r['bare_s']:.1f}x",
            f"{r['jsonl_s']:.2f}",
            f"{r['otlp_peak_mib']:.0f}",
            f"{r['jsonl_peak_mib']:.0f}",
            f"{r['bare_peak_mib']:.0f}",
        )
        for r in rows
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
    return "\n".join(lines + ["| " + " | ".join(cells) + " |" for cells in body])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="comma-separated trace counts")
    parser.add_argument("--days", type=int, default=3, help="days the generated traces span (default 3)")
    parser.add_argument("--cli", help='command that runs the optimizer (default: "optimizer" or python -m)')
    args = parser.parse_args(argv)
    optimizer = optimizer_command(args.cli)
    rows = []
    with tempfile.TemporaryDirectory(prefix="optimizer-bench-otlp-") as tmp:
        for n in (int(size) for size in args.sizes.split(",")):
            print(f"N={n:,}: generating, writing spans, json.loads pass, analyze OTLP and JSONL ...", file=sys.stderr)
            try:
                rows.append(bench_size(n, args.days, Path(tmp), optimizer))
            except BenchError as err:
                print(f"N={n:,}: {err}", file=sys.stderr)
                return 1
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
