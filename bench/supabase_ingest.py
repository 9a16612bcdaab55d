#!/usr/bin/env python3
"""Writing traces to Supabase as agents write them, with the rollups kept, side by side in one run.

Each writer is its own connection logged in as the trace writer role (optimizer_trace_writer),
calling optimizer_record_traces as PostgREST would, one transaction per call, on a fresh database
(OPTIMIZER_TEST_DATABASE_URL, else the server on 127.0.0.1:5432, else a throwaway cluster, as the
tests find it) with the migrations applied. Traces come from examples/generate_traces.py.

1. single-row inserts, one writer: one trace per call (one per turn, as an agent writes them);
2. the same with four concurrent writers (threads, each its own connection), and the ratio to one;
3. batches of 500 traces per call, one writer;
4. the roll-up the reader runs before an analysis (optimizer_roll_up in chunks), and whether the
   rolled-up session count equals a COUNT(DISTINCT) over the raw rows after the concurrent writers;
5. for comparison, 1 and 2 with the rollups computed in the insert (the trigger before the queue,
   restored in a second database).

Figures only; nothing here asserts a time.

    python bench/supabase_ingest.py                 # 3,000 rows a phase
    python bench/supabase_ingest.py --rows 1000     # a quicker one
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

from tests.support.postgres import PostgresServer, apply_migrations, find_server  # noqa: E402

GENERATOR = ROOT / "examples" / "generate_traces.py"
RECORD = "select public.optimizer_record_traces(%s::jsonb)"
WRITERS = 4
BATCH = 500
# The insert trigger before 20261203160000: every statement rolled its rows up at once.
SYNCHRONOUS_ROLLUPS = """
create or replace function public.optimizer_rollup_on_insert() returns trigger language plpgsql
security definer set search_path = public, pg_temp as $$
begin
  perform public.optimizer_rollup_add(array(select id from new_rows));
  return null;
end
$$
"""


def generate(count: int) -> list[str]:
    """``count`` generated traces, each its JSON text (one line of the file)."""
    with tempfile.TemporaryDirectory(prefix="optimizer-bench-") as tmp:
        out = Path(tmp) / "traces.jsonl"
        subprocess.run(
            [sys.executable, str(GENERATOR), "--count", str(count), "--out", str(out), "--days", "1"],
            check=True,
            capture_output=True,
        )
        return out.read_text(encoding="utf-8").splitlines()


@contextmanager
def fresh_database(postgres: PostgresServer) -> Iterator[str]:
    name = f"optimizer_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres.admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    try:
        url = postgres.url(name)
        apply_migrations(url)
        yield url
    finally:
        postgres.drop_database(name)


def writer(url: str) -> psycopg.Connection:
    conn = psycopg.connect(url, autocommit=True)
    conn.execute("set role optimizer_trace_writer")
    return conn


def write_calls(url: str, calls: list[str]) -> None:
    with writer(url) as conn:
        for body in calls:
            conn.execute(RECORD, [body])


def rows_per_second(url: str, lines: list[str], writers: int, batch: int) -> float:
    """Rows/s writing ``lines`` in calls of ``batch`` traces, spread over ``writers`` connections."""
    calls = ["[" + ",".join(lines[i : i + batch]) + "]" for i in range(0, len(lines), batch)]
    shares = [calls[w::writers] for w in range(writers)]
    threads = [threading.Thread(target=write_calls, args=(url, share)) for share in shares]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(lines) / (time.perf_counter() - began)


def roll_up(url: str) -> tuple[int, float]:
    """What the reader does before an analysis: optimizer_roll_up in chunks until the queue is empty."""
    rolled, began = 0, time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("set role service_role")
        while True:
            row = conn.execute("select public.optimizer_roll_up(20000)").fetchone()
            rolled += row[0] if row else 0
            if not row or row[0] < 20000:
                break
    return rolled, time.perf_counter() - began


def sessions(url: str) -> tuple[int, int]:
    """(sessions the analysis reports for the day, distinct sessions in the raw rows)."""
    with psycopg.connect(url) as conn:
        [(lo, hi)] = conn.execute(
            "select min(started_at), max(started_at) + interval '1 second' from public.optimizer_traces"
        ).fetchall()
        [(analysis,)] = conn.execute("select public.optimizer_analyze(%s, %s)", [lo, hi]).fetchall()
        [(raw,)] = conn.execute(
            "select count(*) from (select distinct agent, coalesce(nullif(prompt_version, ''), 'unknown'),"
            " session_hash from public.optimizer_traces) s"
        ).fetchall()
    return sum(v["sessions"] for v in analysis["traces"]["versions"]), raw


def phases(url: str, lines: list[str], rows: int) -> dict[str, float]:
    single, rest = lines[:rows], lines[rows:]
    concurrent, rest = rest[: rows * WRITERS], rest[rows * WRITERS :]
    figures = {
        "single": rows_per_second(url, single, 1, 1),
        "four": rows_per_second(url, concurrent, WRITERS, 1),
    }
    figures["batch"] = rows_per_second(url, rest[: rows * 4], 1, BATCH) if rest else 0.0
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=3000, help="rows per writer and phase (batches: 4x)")
    parser.add_argument("--skip-before", action="store_true", help="skip the comparison with rollups in the insert")
    args = parser.parse_args()

    per_database = args.rows * (1 + WRITERS + 4)
    print(f"generate {2 * per_database:,} traces ...", flush=True)
    lines = generate(2 * per_database)
    postgres = find_server()
    try:
        with fresh_database(postgres) as url:
            now = phases(url, lines[:per_database], args.rows)
            rolled, seconds = roll_up(url)
            counted, raw = sessions(url)
        before: dict[str, float] = {}
        if not args.skip_before:
            with fresh_database(postgres) as url:
                with psycopg.connect(url, autocommit=True) as conn:
                    conn.execute(SYNCHRONOUS_ROLLUPS)
                before = phases(url, lines[per_database:], args.rows)
                before_counted, before_raw = sessions(url)
    finally:
        postgres.close()

    print()
    print(f"{'rows/s (trace writer, one call per row unless batched)':<58}{'queue':>10}{'in-insert':>12}")
    labels = {"single": "single-row, 1 writer", "four": f"single-row, {WRITERS} writers", "batch": f"{BATCH}-row batches"}
    for key, label in labels.items():
        old = f"{before[key]:>12,.0f}" if before else ""
        print(f"{label:<58}{now[key]:>10,.0f}{old}")
    ratio = now["four"] / now["single"]
    old_ratio = f"{before['four'] / before['single']:>11.2f}x" if before else ""
    print(f"{f'{WRITERS} writers / 1 writer':<58}{ratio:>9.2f}x{old_ratio}")
    print(f"roll-up before the read: {rolled:,} traces in {seconds:.2f} s ({rolled / seconds:,.0f} rows/s)")
    print(f"sessions (the run includes {WRITERS} concurrent writers): rolled up {counted:,}, distinct in raw rows {raw:,}", end="")
    print(" (exact)" if counted == raw else f" (off by {counted - raw:+,})")
    if before:
        off = before_counted - before_raw
        print(f"  rollups in the insert: {before_counted:,} vs {before_raw:,} ({off / before_raw:+.1%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
