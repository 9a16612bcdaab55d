"""The agent's trace key can insert traces and nothing else, on a database set up as Supabase sets
one up: migrations applied by a non-superuser owner under Supabase's default privileges, and the
REST layer logged in as ``authenticator``, switching to the role each key names."""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg
import pytest
from psycopg import sql

from optimizer.traces.rest import RestClient, RestError
from optimizer.traces.sinks import SupabaseTraceSink
from tests.support.supabase_like import API_ROLES, supabase_like_fixture  # noqa: F401 (fixture)

WRITER = "optimizer_trace_writer"
TRACE = {"trace_id": "k-1", "agent": "frontdesk", "started_at": datetime(2026, 11, 19, tzinfo=UTC).isoformat()}
READS = ("optimizer_traces", "optimizer_deployments", "optimizer_runs", "optimizer_rollup_versions")
FUNCTIONS = {
    "optimizer_analyze": {"p_start": "2026-11-19T00:00:00Z", "p_end": "2026-11-20T00:00:00Z"},
    "optimizer_deploy": {"p_git_sha": "b" * 40, "p_artifacts": []},
}


def test_the_agent_key_inserts_traces_reads_its_active_files_and_nothing_else(supabase_like):
    rest = supabase_like
    sink = SupabaseTraceSink(rest.url, rest.key(WRITER), anon_key=rest.key("anon"))
    writer = RestClient(rest.url, rest.key("anon"), bearer=rest.key(WRITER))
    try:
        sink.write([TRACE, {**TRACE, "trace_id": "k-2", "usage": {"input_tokens": 5}}])
        sink.write([TRACE])  # a retry
        assert writer.rpc("write", "optimizer_record_traces", {"p_traces": [TRACE]}) == 0
        assert writer.rpc("read", "optimizer_active_artifacts", {"p_agent": "frontdesk"})["artifacts"] == []
        for function, args in FUNCTIONS.items():
            with pytest.raises(RestError, match="403: 42501"):
                writer.rpc(function, function, args)
    finally:
        sink.close()
        writer.close()
    with psycopg.connect(rest.pool.url) as conn:
        conn.execute("set role " + WRITER)
        for table in READS:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql.SQL("select * from public.{}").format(sql.Identifier(table)))
            conn.rollback()
            conn.execute("set role " + WRITER)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("insert into public.optimizer_traces (trace_id, agent, started_at) values ('x', 'a', now())")
        conn.rollback()
        conn.execute("set role service_role")
        rows = conn.execute("select trace_id, usage from public.optimizer_traces order by trace_id").fetchall()
    assert rows == [("k-1", None), ("k-2", {"input_tokens": 5})]


def test_the_public_keys_cannot_write_traces(supabase_like):
    rest = supabase_like
    for role in ("anon", "authenticated"):
        client = RestClient(rest.url, rest.key("anon"), bearer=rest.key(role))
        try:
            with pytest.raises(RestError, match="42501"):
                client.rpc("write", "optimizer_record_traces", {"p_traces": [TRACE]})
        finally:
            client.close()
    with psycopg.connect(rest.pool.url) as conn:
        granted = conn.execute(
            "select r.rolname from pg_roles r where has_function_privilege(r.oid,"
            " 'public.optimizer_record_traces(jsonb)', 'execute') and r.rolname = any(%s) order by 1",
            [[*API_ROLES, WRITER]],
        ).fetchall()
        definer = conn.execute(
            "select prosecdef, proconfig from pg_proc where proname = 'optimizer_record_traces'"
        ).fetchone()
    assert [row[0] for row in granted] == [WRITER, "service_role"]
    assert definer == (True, ["search_path=public, pg_temp"])  # lint 0011: a fixed search_path
