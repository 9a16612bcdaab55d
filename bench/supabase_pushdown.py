#!/usr/bin/env python3
"""The Supabase source's pushdown against pulling every row, on the same 1M traces, in one run.

1. Generates N example traces (examples/generate_traces.py --count N) and loads them into a
   fresh database with COPY (a real PostgreSQL: OPTIMIZER_TEST_DATABASE_URL, else the server on
   127.0.0.1:5432, else a throwaway cluster, as the tests find it), migrations applied; then rolls
   them up (optimizer_roll_up, as the reader does before it reads).
2. Serves it through the PostgREST-compatible layer of the tests (tests/fakes/postgrest.py).
3. Times, through supabase-py:
   (a) pushdown: one ``optimizer_analyze`` RPC, then the detectors (SupabaseAnalysis);
   (b) paged pull: every row of the window through GET /rest/v1/optimizer_traces, 1,000 rows
       a page (Supabase's cap), keyset-paginated on id (``id=gt.<last>``, cheaper for the
       server than offset paging), each row fed to the same streaming Aggregator and detectors.
4. Prints both times, the ratio, the bytes each moved over HTTP, and whether the findings agree.

With --budget it measures instead the read budget of a real project (issue 14, item 4): the
analysis RPC at 1M traces a day, over a 7-day look-back whose ends are not on hour boundaries,
with the unanswered-question candidates at their cap, against 2 s (a quarter of the 8 s
statement timeout the service role runs under). It loads one day of 1M traces, rolls them up
(timed), and extends them to seven days: the day's rollups are copied to the six days before
(session hashes and row ids shifted, so each day has its own sessions and candidates), and the
raw traces of the window's first, partial hour are copied from the same hour of the loaded day,
so both ends are as dense as each other. Then it times optimizer_analyze as the service role,
and each of its four parts, median of 3.

Figures only; nothing here asserts a time.

    python bench/supabase_pushdown.py                      # 1,000,000 traces
    python bench/supabase_pushdown.py --budget             # the item-4 read figures
    python bench/supabase_pushdown.py --count 100000       # a quicker one
    python bench/supabase_pushdown.py --keep               # keep the database (its name is printed)
    python bench/supabase_pushdown.py --reuse optimizer_bench_xyz   # skip generating and loading
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402
from supabase import ClientOptions, create_client  # noqa: E402

from optimizer.analysis.aggregate import AgentState, Aggregator  # noqa: E402
from optimizer.analysis.engine import analyze_agent  # noqa: E402
from optimizer.artifacts.files import WorkingTreeFiles  # noqa: E402
from optimizer.artifacts.loader import load_agent  # noqa: E402
from optimizer.config import SupabaseSettings, Thresholds  # noqa: E402
from optimizer.traces.fastcheck import started_at_if_valid  # noqa: E402
from optimizer.traces.supabase import ANALYZE_FUNCTION, analyze_params  # noqa: E402
from optimizer.traces.supabase_state import states_from_analysis  # noqa: E402
from tests.fakes.postgrest import make_key  # noqa: E402
from tests.support.postgres import TRACE_COLUMNS, apply_migrations, find_server  # noqa: E402

GENERATOR = ROOT / "examples" / "generate_traces.py"
START = datetime(2026, 11, 17, tzinfo=UTC)
END = datetime(2026, 11, 20, tzinfo=UTC)
PAGE = 1000
# --budget: one loaded day of 1M traces, extended to a 7-day look-back ending at 10:17 on it
BUDGET_DAY = datetime(2026, 11, 25, tzinfo=UTC)
BUDGET_END = BUDGET_DAY + timedelta(hours=10, minutes=17)
BUDGET_START = BUDGET_END - timedelta(days=7)
BUDGET_SECONDS = 2.0  # a quarter of the service role's 8 s statement timeout
ROLLUPS = ("versions", "latency", "sentiments", "sessions", "topics", "tools", "failures", "flagged", "candidates")
DAY_SHIFTED = {  # column -> its value in the copy k days earlier (its own sessions and row ids)
    "hour": "hour - {k} * interval '1 day'",
    "prev_hour": "prev_hour - {k} * interval '1 day'",
    "session_hash": "session_hash + {k}",
    "id": "id - {k} * 1000000000::bigint",
    "first_id": "first_id - {k} * 1000000000::bigint",
}
ANALYSIS_PARTS = {
    "trace stats (versions, sessions, topics)": (
        "optimizer_trace_stats(%(s)s, %(e)s, null, ln(1.01::float8), 20000, m.mid_lo, m.mid_hi)"
    ),
    "tool stats and errors": "optimizer_tool_stats(%(s)s, %(e)s, null, ln(1.01::float8), 20000, m.mid_lo, m.mid_hi)",
    "unanswered candidates": "optimizer_unanswered_candidates(%(s)s, %(e)s, null, 200000, m.mid_lo, m.mid_hi)",
    "conversation samples": "optimizer_conversation_samples(%(s)s, %(e)s, null, m.mid_lo, m.mid_hi)",
    "staff replies": "optimizer_human_replies(%(s)s, %(e)s, null)",
}


def generate(count: int, out: Path, start: datetime | None = None, days: int = 3) -> None:
    first = ["--start", start.isoformat()] if start else []
    subprocess.run(
        [sys.executable, str(GENERATOR), "--count", str(count), "--out", str(out), "--days", str(days), *first],
        check=True,
        capture_output=True,
    )


def load(url: str, path: Path) -> int:
    """COPY the JSONL lines into a staging table, then one INSERT ... SELECT into optimizer_traces."""
    columns = sql.SQL(", ").join(sql.Identifier(name) for name in TRACE_COLUMNS)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("set timezone = 'UTC'")
        conn.execute("create unlogged table bench_raw (n bigserial, doc jsonb)")
        # CSV with quote and delimiter characters that never occur in JSON text: each line as is.
        copy = "copy bench_raw (doc) from stdin with (format csv, quote e'\\x01', delimiter e'\\x02')"
        with conn.cursor() as cursor, cursor.copy(copy) as stream, path.open("rb") as lines:
            while chunk := lines.read(1 << 20):
                stream.write(chunk)
        conn.execute(
            sql.SQL(
                "insert into public.optimizer_traces ({}) select {} from bench_raw,"
                " jsonb_populate_record(null::public.optimizer_traces, doc) as r order by n"
            ).format(columns, sql.SQL(", ").join(sql.SQL("r.") + sql.Identifier(n) for n in TRACE_COLUMNS))
        )
        conn.execute("drop table bench_raw")
        conn.execute("vacuum analyze public.optimizer_traces")
        row = conn.execute("select count(*) from public.optimizer_traces").fetchone()
    return int(row[0]) if row else 0


def roll_up_all(url: str) -> tuple[int, float]:
    """optimizer_roll_up until the queue is empty, as the reader does before an analysis."""
    rolled, began = 0, time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        while (row := conn.execute("select public.optimizer_roll_up(20000)").fetchone()) and row[0]:
            rolled += row[0]
    return rolled, time.perf_counter() - began


def extend_to_a_week(url: str) -> None:
    """Copy the loaded day's rollups to the 7 days before it (the 7th from 11:00 on), and the raw
    traces of its 10:00 hour to the same hour 7 days earlier: the window's first, partial hour."""
    day, first_whole = BUDGET_DAY, BUDGET_START.replace(minute=0) + timedelta(hours=1)
    with psycopg.connect(url, autocommit=True) as conn:
        for table in ROLLUPS:
            name = f"optimizer_rollup_{table}"
            columns = [
                row[0]
                for row in conn.execute(
                    "select column_name from information_schema.columns where table_schema = 'public'"
                    " and table_name = %s order by ordinal_position",
                    [name],
                )
            ]
            for k in range(1, 8):
                values = sql.SQL(", ").join(
                    sql.SQL(DAY_SHIFTED[c].format(k=k)) if c in DAY_SHIFTED else sql.Identifier(c) for c in columns
                )
                low = max(day, first_whole + timedelta(days=k))
                conn.execute(
                    sql.SQL("insert into {} ({}) select {} from {} where hour >= %s and hour < %s").format(
                        sql.Identifier(name),
                        sql.SQL(", ").join(map(sql.Identifier, columns)),
                        values,
                        sql.Identifier(name),
                    ),
                    [low, day + timedelta(days=1)],
                )
        shifted = {
            "trace_id": "'w-' || trace_id",
            "started_at": "started_at - interval '7 days'",
            "ended_at": "ended_at - interval '7 days'",
        }
        conn.execute(
            sql.SQL(
                "insert into public.optimizer_traces ({}) select {} from public.optimizer_traces"
                " where started_at >= %s and started_at < %s"
            ).format(
                sql.SQL(", ").join(map(sql.Identifier, TRACE_COLUMNS)),
                sql.SQL(", ").join(sql.SQL(shifted[c]) if c in shifted else sql.Identifier(c) for c in TRACE_COLUMNS),
            ),
            [BUDGET_END.replace(minute=0), BUDGET_END.replace(minute=0) + timedelta(hours=1)],
        )
    roll_up_all(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("vacuum analyze")


def median_seconds(
    conn: psycopg.Connection, query: str | sql.Composable, params: dict[str, Any], runs: int = 3
) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        conn.execute(query, params).fetchone()
        times.append(time.perf_counter() - began)
    return sorted(times)[len(times) // 2]


def read_budget(url: str) -> None:
    """optimizer_analyze over the 7-day look-back as the service role, and its parts (no timeout,
    to see where the time goes); then the whole under the 8 s statement timeout a project has."""
    params = {"s": BUDGET_START, "e": BUDGET_END}
    middle = sql.SQL(" from public.optimizer_middle(%(s)s, %(e)s, ln(1.01::float8)) m")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("set role service_role")
        [(analysis,)] = conn.execute("select public.optimizer_analyze(%(s)s, %(e)s)", params).fetchall()
        conn.execute("set jit = off")  # as optimizer_analyze runs its parts
        parts = {
            label: median_seconds(conn, sql.SQL("select public.") + sql.SQL(call) + sql.SQL("::text") + middle, params)
            for label, call in ANALYSIS_PARTS.items()
        }
        total = median_seconds(conn, "select public.optimizer_analyze(%(s)s, %(e)s)::text", params)
        conn.execute("set statement_timeout = '8s'")
        try:
            conn.execute("select public.optimizer_analyze(%(s)s, %(e)s)::text", params)
            under_timeout = "completes"
        except psycopg.errors.QueryCanceled:
            under_timeout = "is CANCELLED"
    traces = sum(v["traces"] for v in analysis["traces"]["versions"])
    candidates = analysis["unanswered"]
    print(
        f"window {BUDGET_START:%Y-%m-%d %H:%M} to {BUDGET_END:%Y-%m-%d %H:%M} UTC: {traces:,} traces,"
        f" {len(candidates['rows']):,} candidates returned ({candidates['truncated']:,} past the cap)"
    )
    for label, seconds in parts.items():
        print(f"  {label:<44}{seconds:>8.2f} s")
    verdict = "inside" if total <= BUDGET_SECONDS else "OVER"
    print(f"optimizer_analyze (median of 3)               {total:>8.2f} s   {verdict} the {BUDGET_SECONDS:g} s budget")
    print(f"under the service role's 8 s statement timeout it {under_timeout}")


@contextmanager
def bench_database(postgres: Any, args: argparse.Namespace) -> Iterator[tuple[str, str, bool]]:
    """(name, url, whether to load it): a new migrated database, or the one --reuse names; dropped
    afterwards unless --keep."""
    name = args.reuse or f"optimizer_bench_{uuid.uuid4().hex[:8]}"
    url = postgres.url(name)
    try:
        if not args.reuse:
            with psycopg.connect(postgres.admin_url, autocommit=True) as conn:
                conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
            apply_migrations(url)
        yield name, url, not args.reuse
    finally:
        if not args.keep:
            postgres.drop_database(name)
        else:
            print(f"kept database {name} ({url})")
        postgres.close()


def budget(postgres: Any, args: argparse.Namespace) -> int:
    with bench_database(postgres, args) as (name, url, fresh):
        if fresh:
            with tempfile.TemporaryDirectory(prefix="optimizer-bench-") as tmp:
                path = Path(tmp) / "traces.jsonl"
                timed(f"generate {args.count:,} traces in one day", generate, args.count, path, BUDGET_DAY, 1)
                loaded, _ = timed("load with COPY", load, url, path)
                print(f"loaded {loaded:,} traces into {name}")
            rolled, seconds = roll_up_all(url)
            print(f"rolled up {rolled:,} traces in {seconds:.1f} s ({rolled / seconds:,.0f} rows/s)")
            timed("extend to a 7-day look-back", extend_to_a_week, url)
        read_budget(url)
    return 0


def findings(states: dict[str, AgentState]) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """Per finding: kind, subject, figures and sample trace ids (floats to 9 significant digits)."""
    artifacts = load_agent(WorkingTreeFiles(ROOT), "frontdesk")
    out = []
    for name, state in sorted(states.items()):
        analysis = analyze_agent(state, artifacts if name == "frontdesk" else None, Thresholds())
        for f in analysis.findings:
            figures = ", ".join(f"{k}={v:.9g}" if isinstance(v, float) else f"{k}={v}" for k, v in f.figures.items())
            out.append((f.kind, f.subject, figures, f.evidence.trace_ids))
    return out


class CountingTransport(httpx.HTTPTransport):
    """Counts the response body bytes the client receives (as sent: the server does not compress)."""

    received = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        response.read()
        CountingTransport.received += len(response.content)
        return response


def client_options() -> ClientOptions:
    return ClientOptions(httpx_client=httpx.Client(timeout=3600, transport=CountingTransport()))


def pushdown(url: str) -> dict[str, AgentState]:
    """What SupabaseAnalysis.aggregate does (one RPC, then the state), through a counting client."""
    options = client_options()
    try:
        client = create_client(url, make_key("service_role"), options)
        params = analyze_params(START, END, None, SupabaseSettings())
        result = client.rpc(ANALYZE_FUNCTION, params).execute().data
    finally:
        if options.httpx_client is not None:
            options.httpx_client.close()
    states, _truncation = states_from_analysis(result)
    return states


def rows(url: str) -> Iterator[dict[str, Any]]:
    options = client_options()
    try:
        client = create_client(url, make_key("service_role"), options)
        last = 0
        while True:
            page = (
                client.table("optimizer_traces")
                .select(",".join(("id", *TRACE_COLUMNS)))
                .gte("started_at", START.isoformat())
                .lt("started_at", END.isoformat())
                .gt("id", last)
                .order("id")
                .limit(PAGE)
                .execute()
                .data
            )
            if not page:  # never trust a page's size: the project's max rows may be below PAGE
                return
            yield from page
            last = page[-1]["id"]
    finally:
        if options.httpx_client is not None:
            options.httpx_client.close()


def paged_pull(url: str) -> dict[str, AgentState]:
    aggregator = Aggregator()
    for row in rows(url):
        trace = {key: value for key, value in row.items() if key != "id"}
        started = started_at_if_valid(trace)
        if started is not None:
            aggregator.observe(trace, started)
    return aggregator.agents


def timed(label: str, func: Any, *args: Any) -> tuple[Any, float]:
    print(f"{label} ...", flush=True)
    began = time.perf_counter()
    result = func(*args)
    seconds = time.perf_counter() - began
    print(f"{label}: {seconds:.1f} s", flush=True)
    return result, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", metavar="DB", help="an already loaded database (from --keep)")
    parser.add_argument("--traces", type=Path, help="load this JSONL file instead of generating one")
    parser.add_argument("--skip-pull", action="store_true", help="time the pushdown only")
    parser.add_argument("--budget", action="store_true", help="the read budget: 7-day look-back at 1M traces a day")
    args = parser.parse_args()

    postgres = find_server()
    if args.budget:
        return budget(postgres, args)
    with bench_database(postgres, args) as (name, url, fresh):
        if fresh:
            with tempfile.TemporaryDirectory(prefix="optimizer-bench-") as tmp:
                path = args.traces or Path(tmp) / "traces.jsonl"
                if args.traces is None:
                    timed(f"generate {args.count:,} traces", generate, args.count, path)
                size = path.stat().st_size
                loaded, _seconds = timed(f"load {size / 1e6:,.0f} MB with COPY", load, url, path)
                print(f"loaded {loaded:,} traces into {name}")
            rolled, seconds = roll_up_all(url)  # as SupabaseAnalysis does before it reads
            print(f"rolled up {rolled:,} traces in {seconds:.1f} s")
        server = subprocess.Popen(
            [sys.executable, "-m", "tests.fakes.postgrest", url], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        try:
            api = (server.stdout.readline() if server.stdout else "").strip()
            pushed, push_seconds = timed("pushdown (optimizer_analyze + detectors)", pushdown, api)
            pushed_findings = findings(pushed)
            push_bytes = CountingTransport.received
            traces = sum(state.traces for state in pushed.values())
            print(f"  {traces:,} traces, {len(pushed_findings)} findings, {push_bytes / 1e6:,.2f} MB transferred")
            if args.skip_pull:
                return 0
            CountingTransport.received = 0
            pulled, pull_seconds = timed("paged pull (GET 1,000 rows a page + aggregator + detectors)", paged_pull, api)
            pulled_findings = findings(pulled)
            pull_bytes = CountingTransport.received
            print(f"  {sum(s.traces for s in pulled.values()):,} traces, {pull_bytes / 1e6:,.0f} MB transferred")
        finally:
            server.terminate()
            server.wait()
        same = pushed_findings == pulled_findings
        print()
        print(f"traces                 {traces:>12,}")
        print(f"pushdown               {push_seconds:>12.1f} s   {push_bytes / 1e6:>10,.2f} MB")
        print(f"paged pull             {pull_seconds:>12.1f} s   {pull_bytes / 1e6:>10,.2f} MB")
        speedup, fewer = pull_seconds / push_seconds, pull_bytes / push_bytes
        print(f"ratio (pull/pushdown)  {speedup:>12.1f} x   {fewer:>10,.0f} x fewer bytes")
        print(f"same findings          {'yes (kinds, subjects, figures, sample ids)' if same else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
