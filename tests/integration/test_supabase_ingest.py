"""Traces written as agents write them (one per call, several writers at once, each its own
connection through the PostgREST-like layer with the trace key) are counted exactly: every
session once per version, whatever the writers' interleaving, before and after the roll-up."""

from __future__ import annotations

import threading
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from optimizer.config import SupabaseSettings
from optimizer.traces.rest import RestClient, RestError
from optimizer.traces.supabase import SupabaseAnalysis
from tests.support.supabase_like import supabase_like_fixture  # noqa: F401 (fixture)

WRITER = "optimizer_trace_writer"
WRITERS = 4
PER_WRITER = 60
START = datetime(2026, 11, 19, tzinfo=UTC)
END = START + timedelta(days=1)
WINDOWS = [(START, END), (START + timedelta(minutes=17), END - timedelta(hours=2, minutes=41))]


def turns(writer: int) -> list[dict]:
    """At each step every writer writes a turn of the same session, each in another hour: the
    race in which a writer misses another's uncommitted row when it looks for the session's
    previous hour."""
    return [
        {
            "trace_id": f"w{writer}-{n}",
            "agent": "frontdesk",
            "session_id": f"s-{n // 2}",
            "prompt_version": f"v{n % 2}",
            "started_at": (START + timedelta(hours=(n + writer) % 5, minutes=(n * 13) % 60)).isoformat(),
        }
        for n in range(PER_WRITER)
    ]


def expected_sessions(records: list[dict], start: datetime, end: datetime) -> dict[str, int]:
    sessions: defaultdict[str, set[str]] = defaultdict(set)
    for record in records:
        if start <= datetime.fromisoformat(record["started_at"]) < end:
            sessions[record["prompt_version"]].add(record["session_id"])
    return {version: len(ids) for version, ids in sorted(sessions.items())}


def write_concurrently(rest) -> list[dict]:
    start_together = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def write(writer: int) -> None:
        client = RestClient(rest.url, rest.key("anon"), bearer=rest.key(WRITER))
        try:
            start_together.wait()
            for trace in turns(writer):
                assert client.rpc("write", "optimizer_record_traces", {"p_traces": [trace]}) == 1
        except BaseException as err:  # reported by the test, not lost in the thread
            failures.append(err)
        finally:
            client.close()

    threads = [threading.Thread(target=write, args=(writer,)) for writer in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    return [trace for writer in range(WRITERS) for trace in turns(writer)]


def sessions_read(rest, start: datetime, end: datetime) -> dict[str, int]:
    state = SupabaseAnalysis(rest.url, rest.key("service_role"), SupabaseSettings()).aggregate(start, end)
    return {name: v.sessions.count() for name, v in sorted(state["frontdesk"].versions.items())}


def queued(rest) -> int:
    with psycopg.connect(rest.pool.url) as conn:
        conn.execute("set role service_role")
        return len(conn.execute("select public.optimizer_queued_ids()").fetchone()[0])


def test_concurrent_writers_count_every_session_once(supabase_like):
    records = write_concurrently(supabase_like)
    assert queued(supabase_like) == WRITERS * PER_WRITER  # writing did no rollup work

    for start, end in WINDOWS:
        assert sessions_read(supabase_like, start, end) == expected_sessions(records, start, end)
    assert queued(supabase_like) == 0  # the first read rolled everything up


def test_a_read_counts_traces_still_queued(supabase_like):
    """optimizer_analyze called directly, before any roll-up: queued traces count, once."""
    rest = supabase_like
    records = write_concurrently(rest)
    with psycopg.connect(rest.pool.url, autocommit=True) as conn:
        conn.execute("set role service_role")
        assert conn.execute("select public.optimizer_roll_up(100)").fetchone() == (100,)  # some rolled up
        for start, end in WINDOWS:
            [(result,)] = conn.execute("select public.optimizer_analyze(%s, %s)", [start, end]).fetchall()
            got = {v["version"]: (v["sessions"], v["traces"]) for v in result["traces"]["versions"]}
            inside = [r for r in records if start <= datetime.fromisoformat(r["started_at"]) < end]
            want = {
                version: (sessions, sum(1 for r in inside if r["prompt_version"] == version))
                for version, sessions in expected_sessions(records, start, end).items()
            }
            assert got == want


def test_the_trace_key_cannot_roll_up_or_prune(supabase_like):
    client = RestClient(supabase_like.url, supabase_like.key("anon"), bearer=supabase_like.key(WRITER))
    try:
        for function, args in (
            ("optimizer_roll_up", {"p_limit": 10}),
            ("optimizer_prune_traces", {"p_before": END.isoformat()}),
        ):
            with pytest.raises(RestError, match="403: 42501"):
                client.rpc(function, function, args)
    finally:
        client.close()
