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
   restored in a second database);
6. the machine's ceiling: 1 and 2 into a bare copy of the table (the same columns, the unique
   trace_id, no derived columns, other indexes or triggers) through the same function, in the same
   rounds: how far four writers can get past one on this machine at all.

Each figure is the median of --repeats rounds, the phases interleaved in each round (the machine
may be busy with other work). Figures only; nothing here asserts a time.

    python bench/supabase_ingest.py                             # 3,000 rows a phase, median of 3 rounds
    python bench/supabase_ingest.py --rows 1000 --skip-before   # a quicker one
"""

from __future__ import annotations

import argparse
import statistics
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
BARE_RECORD = "select public.bench_record_bare(%s::jsonb)"
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


# A bare copy of the table, written by the same function body (read back from the catalog).
BARE_TABLE = """
create table public.bench_bare_traces (like public.optimizer_traces including defaults including identity);
alter table public.bench_bare_traces add primary key (id), add unique (trace_id)
"""


def add_bare_copy(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(BARE_TABLE)
        [(body,)] = conn.execute(
            "select pg_get_functiondef('public.optimizer_record_traces(jsonb)'::regprocedure)"
        ).fetchall()
        bare = body.replace("public.optimizer_traces", "public.bench_bare_traces")
        conn.execute(bare.replace("public.optimizer_record_traces(", "public.bench_record_bare("))
        conn.execute("grant execute on function public.bench_record_bare(jsonb) to optimizer_trace_writer")


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


def write_calls(url: str, calls: list[str], statement: str) -> None:
    with writer(url) as conn:
        for body in calls:
            conn.execute(statement, [body])


def rows_per_second(url: str, lines: list[str], writers: int, batch: int, statement: str = RECORD) -> float:
    """Rows/s writing ``lines`` in calls of ``batch`` traces, spread over ``writers`` connections."""
    calls = ["[" + ",".join(lines[i : i + batch]) + "]" for i in range(0, len(lines), batch)]
    shares = [calls[w::writers] for w in range(writers)]
    threads = [threading.Thread(target=write_calls, args=(url, share, statement)) for share in shares]
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


def phases(url: str, lines: list[str], rows: int, repeats: int, *, ceiling: bool) -> dict[str, float]:
    """Median rows/s of each phase over ``repeats`` rounds, the phases interleaved in each round;
    with ``ceiling``, the bare copy's phases too (add_bare_copy first)."""
    plan = {
        "single": (1, 1, rows, RECORD),
        "four": (WRITERS, 1, rows * WRITERS, RECORD),
        "batch": (1, BATCH, rows * 4, RECORD),
    }
    if ceiling:
        plan |= {"bare single": (1, 1, rows, BARE_RECORD), "bare four": (WRITERS, 1, rows * WRITERS, BARE_RECORD)}
    figures: dict[str, list[float]] = {key: [] for key in plan}
    position = 0
    for _ in range(repeats):
        for key, (writers, batch, count, statement) in plan.items():
            chunk = lines[position : position + count]
            figures[key].append(rows_per_second(url, chunk, writers, batch, statement))
            position += count
    return {key: statistics.median(values) for key, values in figures.items()}


def report(now: dict[str, float], before: dict[str, float]) -> None:
    print(f"{'rows/s (trace writer, one call per row unless batched)':<58}{'queue':>10}{'in-insert':>12}")
    labels = {
        "single": "single-row, 1 writer",
        "four": f"single-row, {WRITERS} writers",
        "batch": f"{BATCH}-row batches",
    }
    for key, label in labels.items():
        old = f"{before[key]:>12,.0f}" if before else ""
        print(f"{label:<58}{now[key]:>10,.0f}{old}")
    old_ratio = f"{before['four'] / before['single']:>11.2f}x" if before else ""
    print(f"{f'{WRITERS} writers / 1 writer':<58}{now['four'] / now['single']:>9.2f}x{old_ratio}")
    print()
    print("the machine's ceiling: the same calls into a bare copy of the table (no derived columns,")
    print("indexes but the two unique ones, or triggers), in the same rounds:")
    print(f"{'  single-row, 1 writer':<58}{now['bare single']:>10,.0f}")
    print(f"{f'  single-row, {WRITERS} writers':<58}{now['bare four']:>10,.0f}")
    print(f"{f'  {WRITERS} writers / 1 writer':<58}{now['bare four'] / now['bare single']:>9.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=3000, help="rows per writer and phase (batches: 4x)")
    parser.add_argument("--repeats", type=int, default=3, help="rounds; each figure is their median")
    parser.add_argument("--skip-before", action="store_true", help="skip the comparison with rollups in the insert")
    args = parser.parse_args()

    per_database = args.rows * (1 + WRITERS + 4 + 1 + WRITERS) * args.repeats
    print(f"generate {2 * per_database:,} traces ...", flush=True)
    lines = generate(2 * per_database)
    postgres = find_server()
    before: dict[str, float] = {}
    try:
        with fresh_database(postgres) as url:
            add_bare_copy(url)
            now = phases(url, lines[:per_database], args.rows, args.repeats, ceiling=True)
            rolled, seconds = roll_up(url)
            counted, raw = sessions(url)
        if not args.skip_before:
            with fresh_database(postgres) as url:
                with psycopg.connect(url, autocommit=True) as conn:
                    conn.execute(SYNCHRONOUS_ROLLUPS)
                before = phases(url, lines[per_database:], args.rows, args.repeats, ceiling=False)
                before_counted, before_raw = sessions(url)
    finally:
        postgres.close()

    print()
    report(now, before)
    print(f"roll-up before the read: {rolled:,} traces in {seconds:.2f} s ({rolled / seconds:,.0f} rows/s)")
    print(f"sessions after the run (it includes {WRITERS} concurrent writers): rolled up {counted:,},", end="")
    print(f" distinct in the raw rows {raw:,}", "(exact)" if counted == raw else f"(off by {counted - raw:+,})")
    if before:
        off = before_counted - before_raw
        print(f"  with rollups in the insert: {before_counted:,} vs {before_raw:,} ({off / before_raw:+.1%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
