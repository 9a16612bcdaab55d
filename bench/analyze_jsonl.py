#!/usr/bin/env python3
"""How `optimizer analyze` over JSONL compares with the floor and with what a user would pick instead.

For each case, generates the traces (examples/generate_traces.py) into a temporary directory, then
runs, each in its own subprocess, one after the other over the same file, ``--repeat`` times:

  cat         ``cat FILE > /dev/null``: reading the bytes;
  json.loads  a bare stdlib pass: ``for line in f: json.loads(line)`` (the 1.0x every ratio is of);
  orjson      the same loop with ``orjson.loads``: the parse the analysis itself starts from;
  analyze     ``optimizer analyze --traces FILE ... --format json``, the whole command, start-up included;
  duckdb      DuckDB reading the same file and doing the numeric aggregation per agent and prompt
              version (traces, distinct sessions, cost sum, mean and deviation, token sums, latency
              p50/p95 and mean, escalations, corrections, feedback, errors): no text analysis.

The cases: 10k, 100k and 1M ordinary traces, and the worst case for the text analysis: traces
whose every user question is distinct (six words drawn from a vocabulary of 30,000, so the words
are new, the token cache fills and the question clusters fill and overflow) and unanswered.

Each subprocess is started by its own small wrapper that reports wall time and the peak RSS of its
only child (``RUSAGE_CHILDREN`` in a process with a single child), so runs never mix. A ratio is
taken within one repetition (the runs side by side, under the same load) and the median over the
repetitions is printed. Figures and ratios only; nothing here asserts a time.

    python bench/analyze_jsonl.py                                   # 10k, 100k, 1M and the worst case
    python bench/analyze_jsonl.py --sizes 10000 --worst-size 10000  # a quick one
    python bench/analyze_jsonl.py --sizes 1000000 --repeat 3 --no-worst
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import statistics
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
DEFAULT_WORST = 1_000_000
BASE = "json.loads"

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

ORJSON_LOOP = """
import orjson, sys
n = 0
with open(sys.argv[1], "rb") as f:
    for line in f:
        orjson.loads(line)
        n += 1
print(n)
"""

# What the analysis reports per agent x prompt_version, less the text analysis and the tool table.
DUCKDB_AGGREGATION = """
import duckdb, json, sys
columns = {
    "agent": "VARCHAR", "prompt_version": "VARCHAR", "session_id": "VARCHAR", "trace_id": "VARCHAR",
    "cost_usd": "DOUBLE", "latency_ms": "DOUBLE", "escalated": "BOOLEAN", "owner_corrected": "BOOLEAN",
    "feedback": "VARCHAR", "error": "JSON",
    "usage": "STRUCT(input_tokens BIGINT, output_tokens BIGINT, cache_read_input_tokens BIGINT,"
    " cache_creation_input_tokens BIGINT)",
}
rows = duckdb.sql(
    "SELECT agent, coalesce(prompt_version, 'unknown') AS version, count(*) AS traces,"
    " count(DISTINCT coalesce(session_id, trace_id)) AS sessions,"
    " sum(cost_usd), avg(cost_usd), stddev_samp(cost_usd),"
    " sum(usage.input_tokens), sum(usage.output_tokens), sum(usage.cache_read_input_tokens),"
    " sum(usage.cache_creation_input_tokens),"
    " quantile_cont(latency_ms, 0.5), quantile_cont(latency_ms, 0.95), avg(latency_ms), stddev_samp(latency_ms),"
    " count(*) FILTER (escalated), count(*) FILTER (owner_corrected),"
    " count(*) FILTER (feedback = 'up'), count(*) FILTER (feedback = 'down'),"
    " count(*) FILTER (error IS NOT NULL AND error::VARCHAR <> 'null')"
    " FROM read_json($path, format = 'newline_delimited', columns = $columns)"
    " GROUP BY ALL ORDER BY ALL",
    params={"path": sys.argv[1], "columns": columns},
).fetchall()
print(json.dumps([[str(value) for value in row] for row in rows]))
"""

# A distinct question from its number: six pseudo-words of a 30,000-word vocabulary.
SYLLABLES = (
    "ka", "lo", "mi", "ven", "tor", "sa", "bel", "qui", "dra", "pon", "fe", "zu", "rin", "ost", "gal",
    "mer", "ti", "nax", "cor", "ul", "bra", "sel", "wy", "op", "har", "ju", "lek", "dom", "spi", "ne",
)  # fmt: skip
VOCABULARY = 30_000
UNANSWERED = "I'm sorry, I don't have information about that."


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


def _word(number: int) -> str:
    letters = []
    number += 900  # three syllables at least
    while number:
        number, syllable = divmod(number, len(SYLLABLES))
        letters.append(SYLLABLES[syllable])
    return "".join(letters)


def distinct_question(number: int) -> str:
    state = (number * 2654435761) & 0xFFFFFFFF
    words = []
    for _ in range(6):
        state = (state * 1103515245 + 12345) & 0x7FFFFFFF
        words.append(_word(state % VOCABULARY))
    return "Do you have {} {} for the {} {} and {} {}?".format(*words)


def make_worst_case(ordinary: Path, out: Path) -> None:
    """The ordinary traces, each asking one distinct question the agent cannot answer (no topic given)."""
    with ordinary.open(encoding="utf-8") as source, out.open("w", encoding="utf-8") as sink:
        for number, line in enumerate(source):
            trace = json.loads(line)
            at = trace["started_at"]
            trace["messages"] = [
                {"role": "user", "content": distinct_question(number), "at": at},
                {"role": "assistant", "content": UNANSWERED, "at": at},
            ]
            trace["metadata"] = {"locale": "en-GB"}
            sink.write(json.dumps(trace, separators=(",", ":")) + "\n")


def generate(n: int, days: int, out: Path) -> float:
    generated = measure(
        [
            sys.executable,
            str(GENERATOR),
            "--count",
            str(n),
            "--out",
            str(out),
            "--start",
            START.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "--days",
            str(days),
        ],
        Path("/dev/null"),
    )
    return generated.seconds


def commands(traces: Path, days: int, optimizer: list[str], duckdb: bool) -> dict[str, list[str]]:
    end = START + timedelta(days=days)
    analyze = [
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
    ]
    found = {
        "cat": ["cat", str(traces)],
        BASE: [sys.executable, "-c", JSON_LOADS_LOOP, str(traces)],
        "orjson": [sys.executable, "-c", ORJSON_LOOP, str(traces)],
        "analyze": analyze,
    }
    if duckdb:
        found["duckdb"] = [sys.executable, "-c", DUCKDB_AGGREGATION, str(traces)]
    return found


def bench_case(
    name: str, n: int, traces: Path, days: int, repeat: int, tools: dict[str, list[str]], notes: list[str]
) -> dict[str, object]:
    runs: dict[str, list[Run]] = {tool: [] for tool in tools}
    for _ in range(repeat):
        for tool, argv in tools.items():
            runs[tool].append(measure(argv, traces.parent / f"{tool}.out"))
        counted = int(runs[BASE][-1].stdout.read_text().strip())
        if counted != n:
            raise BenchError(f"expected {n} lines in {traces}, the bare pass read {counted}")
        read = in_window(runs["analyze"][-1].stdout)
        if read is not None and read != n:
            notes.append(f"{name}: analyze reported {read} traces in the window, not {n}")
    figures: dict[str, object] = {"case": name, "n": n, "file_mib": traces.stat().st_size / (1 << 20)}
    for tool, done in runs.items():
        ratios = [run.seconds / base.seconds for run, base in zip(done, runs[BASE], strict=True)]
        figures[tool] = {
            "seconds": statistics.median(run.seconds for run in done),
            "ratio": statistics.median(ratios),
            "ratios": ratios,
            "peak_mib": max(run.peak_mib for run in done),
        }
    for tool in tools:
        (traces.parent / f"{tool}.out").unlink(missing_ok=True)
    return figures


def table(rows: list[dict[str, object]], tools: list[str]) -> str:
    head = ("case", "N", "file MB", *(f"{tool} s (x)" for tool in tools), *(f"{tool} MB" for tool in tools))
    body = []
    for row in rows:
        cells = [str(row["case"]), f"{row['n']:,}", f"{row['file_mib']:.0f}"]
        figures = [row[tool] for tool in tools]
        cells += [f"{f['seconds']:.2f} ({f['ratio']:.2f}x)" for f in figures]  # type: ignore[index]
        cells += [f"{f['peak_mib']:.0f}" for f in figures]  # type: ignore[index]
        body.append(tuple(cells))
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


def _positive(text: str) -> int:
    sizes = _sizes(text)
    if len(sizes) != 1:
        raise argparse.ArgumentTypeError("one count")
    return sizes[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=list(DEFAULT_SIZES),
        help="comma-separated trace counts (default 10000,100000,1000000)",
    )
    parser.add_argument("--worst-size", type=_positive, default=DEFAULT_WORST, help="traces of the worst case")
    parser.add_argument("--no-worst", action="store_true", help="leave the distinct-question worst case out")
    parser.add_argument("--repeat", type=_positive, default=1, help="paired repetitions; medians are printed")
    parser.add_argument("--days", type=int, default=3, help="days the generated traces span (default 3)")
    parser.add_argument("--cli", help='command that runs the optimizer (default: "optimizer" or python -m)')
    parser.add_argument("--workdir", type=Path, help="where to generate (default: a temporary directory)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args(argv)

    optimizer = optimizer_command(args.cli)
    duckdb = importlib.util.find_spec("duckdb") is not None
    notes = [] if duckdb else ["duckdb is not installed (it is in the dev extra: pip install -e '.[dev]')"]
    cases = [(f"{n:,}", n, False) for n in args.sizes]
    if not args.no_worst:
        cases.append((f"worst {args.worst_size:,}", args.worst_size, True))
    rows = []
    with tempfile.TemporaryDirectory(prefix="optimizer-bench-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        print(f"optimizer: {' '.join(optimizer)}", file=sys.stderr)
        for name, n, worst in cases:
            traces = workdir / f"frontdesk-{n}.jsonl"
            print(f"{name}: generating ...", file=sys.stderr)
            try:
                generate(n, args.days, traces)
                if worst:
                    ordinary, traces = traces, workdir / f"distinct-{n}.jsonl"
                    make_worst_case(ordinary, traces)
                    ordinary.unlink()
                tools = commands(traces, args.days, optimizer, duckdb)
                print(f"{name}: {', '.join(tools)} x{args.repeat} ...", file=sys.stderr)
                rows.append(bench_case(name, n, traces, args.days, args.repeat, tools, notes))
            except BenchError as err:
                print(f"{name}: {err}", file=sys.stderr)
                return 1
            finally:
                traces.unlink(missing_ok=True)
            analyzed = rows[-1]["analyze"]
            print(f"{name}: analyze {analyzed['seconds']:.2f}s, {analyzed['ratio']:.2f}x json.loads", file=sys.stderr)  # type: ignore[index]
    print(table(rows, list(tools)))
    print(f"(x) = time over the {BASE} loop's in the same repetition, median of {args.repeat}; MB = peak RSS")
    for note in notes:
        print(f"note: {note}")
    if args.json:
        print(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
