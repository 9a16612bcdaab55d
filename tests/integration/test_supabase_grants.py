"""What each API role may do, on a database set up as Supabase sets one up (its default privileges
grant everything new to anon, authenticated and service_role): exactly what the migrations intend."""

from __future__ import annotations

import psycopg

from tests.support.supabase_like import API_ROLES, supabase_like_fixture  # noqa: F401 (fixture)

TABLE_RIGHTS = ("select", "insert", "update", "delete", "truncate", "references", "trigger")
INTENDED = {
    "optimizer_traces": {"select", "insert", "update", "delete"},
    "optimizer_deployments": {"select", "insert", "update"},
    "optimizer_runs": {"select", "insert"},
    "optimizer_rollup_versions": {"select"},
    "optimizer_rollup_sessions": {"select"},
    "optimizer_rollup_queue": set(),  # only the owner's roll-up reads and empties it
}
OWNERS_ONLY = (
    "optimizer_rollup_add",
    "optimizer_rollup_fix_sessions",
    "optimizer_rollup_rebuild",
    "optimizer_rollup_lock",
    "optimizer_rollup_drain",
)
TRIGGERS = ("optimizer_rollup_on_insert", "optimizer_rollup_on_change", "optimizer_rollup_on_truncate")


def rights(conn: psycopg.Connection, role: str, table: str) -> set[str]:
    return {
        right
        for right in TABLE_RIGHTS
        if conn.execute("select has_table_privilege(%s, %s, %s)", [role, f"public.{table}", right]).fetchone()[0]
    }


def executors(conn: psycopg.Connection, function: str) -> set[str]:
    rows = conn.execute(
        "select r.rolname from pg_roles r, pg_proc p where p.proname = %s and r.rolname = any(%s)"
        " and has_function_privilege(r.oid, p.oid, 'execute')",
        [function, list(API_ROLES)],
    )
    return {name for (name,) in rows}


def test_the_service_role_has_what_the_optimizer_uses_and_no_more(supabase_like):
    with psycopg.connect(supabase_like.pool.url) as conn:
        for table, intended in INTENDED.items():
            assert rights(conn, "service_role", table) == intended, table
            assert rights(conn, "anon", table) == rights(conn, "authenticated", table) == set(), table


def test_rollup_writers_and_trigger_functions_are_the_owners_alone(supabase_like):
    with psycopg.connect(supabase_like.pool.url) as conn:
        for function in (*OWNERS_ONLY, *TRIGGERS):
            assert executors(conn, function) == set(), function
        assert executors(conn, "optimizer_analyze") == {"service_role"}
        assert executors(conn, "optimizer_deploy") == {"service_role"}
        assert executors(conn, "optimizer_active_artifacts") == {"service_role"}  # and the agent's key
        assert executors(conn, "optimizer_roll_up") == executors(conn, "optimizer_prune_traces") == {"service_role"}


def test_traces_written_by_the_service_role_still_reach_the_rollups(supabase_like):
    with psycopg.connect(supabase_like.pool.url, autocommit=True) as conn:
        conn.execute("set role service_role")
        conn.execute(
            "insert into public.optimizer_traces (trace_id, agent, started_at, prompt_version)"
            " values ('g-1', 'frontdesk', '2026-11-19T10:00:00Z', 'abc1234')"
        )
        assert conn.execute("select public.optimizer_roll_up()").fetchone() == (1,)  # what the reader does first
        [(traces,)] = conn.execute("select coalesce(sum(traces), 0) from public.optimizer_rollup_versions").fetchall()
        assert traces == 1
        [(analysis,)] = conn.execute(
            "select public.optimizer_analyze('2026-11-19T00:00:00Z', '2026-11-20T00:00:00Z')"
        ).fetchall()
        assert analysis["traces"]["versions"][0]["traces"] == 1
