"""Retention on Supabase: raw traces past retention.days go in chunks, their hours' rollups stay,
so an analysis of old days gives the same figures after the raw rows are gone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

from optimizer.config import Settings, SupabaseSettings
from optimizer.traces.retention import prune_traces
from optimizer.traces.supabase import SupabaseAnalysis
from optimizer.traces.supabase_client import connect
from tests.support.postgres import insert_traces

OLD_DAY = datetime(2026, 10, 1, tzinfo=UTC)
NEW_DAY = datetime(2026, 11, 19, tzinfo=UTC)


def traces(day: datetime, n: int, version: str) -> list[dict]:
    return [
        {
            "trace_id": f"{version}-{i}",
            "agent": "frontdesk",
            "session_id": f"s-{version}-{i // 2}",
            "started_at": (day + timedelta(minutes=i)).isoformat(),
            "prompt_version": version,
            "cost_usd": 0.01 * (1 + i % 3),
            "tool_calls": [{"name": "check_availability", "ok": i % 4 != 0}],
        }
        for i in range(n)
    ]


def versions_on(rest, day: datetime) -> list[tuple[str, int, float, int]]:
    analysis = SupabaseAnalysis(rest.url, rest.key("service_role"), SupabaseSettings())
    state = analysis.aggregate(day, day + timedelta(days=1))["frontdesk"]
    return [
        (name, v.traces, round(v.cost_total, 6), sum(t.failures for t in v.tools.values()))
        for name, v in state.versions.items()
    ]


def raw_rows(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        return conn.execute("select count(*) from public.optimizer_traces").fetchone()[0]


def test_old_raw_traces_go_and_the_rollups_keep_their_figures(database_url, rest, monkeypatch):
    insert_traces(database_url, traces(OLD_DAY, 60, "1111111") + traces(NEW_DAY, 40, "2222222"))
    before = versions_on(rest, OLD_DAY)
    monkeypatch.setenv("SUPABASE_URL", rest.url)
    monkeypatch.setenv("SUPABASE_SERVICE_ROLE_KEY", rest.key("service_role"))
    settings = Settings(repo=Path(), traces_source="supabase", retention_days=30)

    deleted, more = prune_traces(settings, NEW_DAY + timedelta(days=1))

    assert (deleted, more) == (60, False) and raw_rows(database_url) == 40
    assert versions_on(rest, OLD_DAY) == before and before[0][1] == 60  # from the rollups alone
    assert versions_on(rest, NEW_DAY)[0][1] == 40


def test_each_chunk_is_its_own_bounded_delete(database_url, rest):
    insert_traces(database_url, traces(OLD_DAY, 50, "1111111"))
    with connect(rest.url, rest.key("service_role")) as client:
        chunks = [
            client.rpc("optimizer_prune_traces", {"p_before": NEW_DAY.isoformat(), "p_limit": 20}).execute().data
            for _ in range(4)
        ]
    assert chunks == [20, 20, 10, 0]


def test_a_delete_by_hand_still_takes_its_rows_out_of_the_rollups(database_url, rest):
    insert_traces(database_url, traces(NEW_DAY, 40, "2222222"))
    with psycopg.connect(database_url) as conn:
        conn.execute("delete from public.optimizer_traces where trace_id like '2222222-1%'")
    assert versions_on(rest, NEW_DAY)[0][1] == 40 - 11  # 2222222-1 and -10 … -19


def test_traces_not_yet_rolled_up_are_rolled_up_before_they_are_pruned(database_url, rest):
    insert_traces(database_url, traces(OLD_DAY, 30, "1111111"))  # queued: no read has rolled them up
    with connect(rest.url, rest.key("service_role")) as client:
        gone = client.rpc("optimizer_prune_traces", {"p_before": NEW_DAY.isoformat(), "p_limit": 100}).execute().data
    assert gone == 30 and raw_rows(database_url) == 0
    assert versions_on(rest, OLD_DAY) == [("1111111", 30, 0.6, 8)]  # from the rollups alone
