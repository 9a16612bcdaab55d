#!/usr/bin/env python3
"""The agent's runtime, measured side by side in one run: what each call costs the agent's request.

1. Import: ``python -c "import optimizer.runtime"`` against ``python -c pass`` and against the
   libraries the runtime imported before it was slimmed (supabase-py, GitPython, the config's
   jsonschema), each ROUNDS times in a fresh subprocess, interleaved; medians.
2. ``load()`` per call from a warm cache (no session; a pinned session), against reading the local
   registry on every call (what a cache miss costs).
3. ``record()`` per call (checked and queued; the background writer appends to a JSONL file),
   against writing each trace synchronously to the same file, and the time to flush the queue.
4. Trace write throughput to Supabase through the layer the tests use (the PostgREST emulator,
   tests/fakes/postgrest.py, over a real PostgreSQL with the migrations applied, reached with the
   insert-only trace key): the runtime's batches against one request per trace.

Figures and ratios only; nothing here asserts a time.

    python bench/runtime.py                 # 200,000 loads, 50,000 records, 20,000 Supabase traces
    python bench/runtime.py --quick         # a tenth of each
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from optimizer.deploy.local import LocalRegistry  # noqa: E402
from optimizer.deploy.model import Artifact  # noqa: E402
from optimizer.runtime import Runtime  # noqa: E402
from optimizer.runtime.stores import LocalArtifactStore  # noqa: E402
from optimizer.traces.sinks import JsonlTraceSink, SupabaseTraceSink  # noqa: E402
from tests.fakes.postgrest import PostgrestServer  # noqa: E402
from tests.support.postgres import apply_migrations, find_server  # noqa: E402

SHA = "a" * 40
PROMPT = Artifact("frontdesk", "prompts/frontdesk/system.md", "prompt", "---\ntools: []\n---\nYou are {{ROLE}}.\n")
STARTED = datetime(2026, 11, 19, tzinfo=UTC)
IMPORTS = {
    "python -c pass": "pass",
    "import optimizer.runtime": "import optimizer.runtime",
    "before: supabase + git + config": "import supabase, git, optimizer.config",
}


def per_call(calls: int, fn: Callable[[int], Any]) -> float:
    """Microseconds per call of ``fn(n)``, n = 0 .. calls-1."""
    start = time.perf_counter()
    for n in range(calls):
        fn(n)
    return (time.perf_counter() - start) / calls * 1e6


def imports(rounds: int) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in IMPORTS}
    for _ in range(rounds):
        for name, code in IMPORTS.items():
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) * 1000 for name, values in times.items()}


def trace(n: int) -> dict[str, Any]:
    return {
        "trace_id": f"bench-{uuid.uuid4().hex[:12]}-{n}",
        "session_id": f"s{n % 1000}",
        "started_at": (STARTED + timedelta(seconds=n)).isoformat(),
        "usage": {"input_tokens": 1200, "output_tokens": 80},
        "cost_usd": 0.004,
        "messages": [{"role": "user", "content": "Can I bring my dog?"}, {"role": "assistant", "content": "Yes."}],
    }


def local_figures(folder: Path, loads: int, records: int) -> dict[str, float]:
    registry = LocalRegistry(folder / "registry.sqlite3")
    registry.deploy(SHA, [PROMPT])
    store = LocalArtifactStore(registry)
    figures: dict[str, float] = {}
    sink = JsonlTraceSink(folder / "queued.jsonl")
    # A queue as long as the run: the figure is the cost of queueing, not of dropping (a full queue drops).
    with Runtime("frontdesk", store=store, sink=sink, max_queue=records) as runtime:
        runtime.load()
        figures["load() warm, no session"] = per_call(loads, lambda n: runtime.load())
        figures["load() warm, pinned session"] = per_call(loads, lambda n: runtime.load(f"s{n % 1000}"))
        figures["store read per call (a miss)"] = per_call(max(loads // 100, 100), lambda n: store.load("frontdesk"))
        built = [trace(n) for n in range(records)]  # outside the timing: the agent has its record already
        figures["record() queued"] = per_call(records, lambda n: runtime.record(built[n]))
        start = time.perf_counter()
        runtime.flush()
        figures["flush() after the records, total ms"] = (time.perf_counter() - start) * 1000
        figures["dropped"] = runtime.stats().dropped
    sink = JsonlTraceSink(folder / "direct.jsonl")
    figures["synchronous write per trace"] = per_call(records, lambda n: sink.write([built[n]]))
    return figures


def supabase_figures(traces: int) -> dict[str, float]:
    postgres = find_server()
    name = postgres.create_database()
    try:
        apply_migrations(postgres.url(name))
        with PostgrestServer(postgres.url(name)) as rest:
            anon, writer = rest.key("anon"), rest.key("optimizer_trace_writer")
            sink = SupabaseTraceSink(rest.url, writer, anon_key=anon)
            batched = Runtime("frontdesk", store=None, sink=sink, max_queue=traces)
            start = time.perf_counter()
            for n in range(traces):
                batched.record({**trace(n), "prompt_version": SHA})
            batched.flush()
            batched_seconds = time.perf_counter() - start
            stats = batched.stats()
            batched.close()
            single = SupabaseTraceSink(rest.url, writer, anon_key=anon)
            one_by_one = max(traces // 10, 200)
            start = time.perf_counter()
            for n in range(one_by_one):
                single.write([{**trace(n), "agent": "frontdesk", "prompt_version": SHA}])
            single_seconds = time.perf_counter() - start
            single.close()
            requests = sum(1 for _, path in rest.requests if path.endswith("/rpc/optimizer_record_traces"))
    finally:
        postgres.drop_database(name)
        postgres.close()
    return {
        "batched traces/s": stats.written / batched_seconds,
        "batched traces written": stats.written,
        "batched dropped": stats.dropped,
        "one request per trace traces/s": one_by_one / single_seconds,
        "requests for both": requests,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a tenth of the calls")
    parser.add_argument("--rounds", type=int, default=9, help="subprocess rounds for the import times")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    loads, records, remote = 200_000 // scale, 50_000 // scale, 20_000 // scale

    print(f"import, median of {args.rounds} fresh interpreters (ms):")
    imported = imports(args.rounds)
    floor = imported["python -c pass"]
    for label, ms in imported.items():
        print(f"  {label:34} {ms:8.1f}   x{ms / floor:5.2f} of the floor   +{ms - floor:6.1f} ms")
    before = imported["before: supabase + git + config"]
    print(f"  the runtime's import against before: x{imported['import optimizer.runtime'] / before:.2f}")

    with tempfile.TemporaryDirectory() as folder:
        local = local_figures(Path(folder), loads, records)
    print(f"\nper call, local registry and JSONL ({loads:,} loads, {records:,} records) (µs):")
    for label, value in local.items():
        print(f"  {label:38} {value:10.2f}")
    miss = local["store read per call (a miss)"]
    print(f"  a warm load() is x{miss / local['load() warm, pinned session']:.0f} cheaper than a store read")
    ratio = local["synchronous write per trace"] / local["record() queued"]
    print(f"  record() against a synchronous append to a local file: x{ratio:.1f}")

    remote_figures = supabase_figures(remote)
    print(f"\nSupabase through the test layer (PostgREST emulator over PostgreSQL), {remote:,} traces, trace key:")
    for label, value in remote_figures.items():
        print(f"  {label:34} {value:12,.1f}")
    speedup = remote_figures["batched traces/s"] / remote_figures["one request per trace traces/s"]
    print(f"  batching writes x{speedup:.1f} the traces per second of one request per trace")
    request_us = 1e6 / remote_figures["one request per trace traces/s"]
    print(f"  record() against a synchronous Supabase request per trace: x{request_us / local['record() queued']:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
