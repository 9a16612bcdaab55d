"""supabase/migrations on a real PostgreSQL: an empty database, applied twice, keys and RLS."""

from __future__ import annotations

import hashlib

import httpx
import psycopg
import pytest
from postgrest.exceptions import APIError
from supabase import ClientOptions, create_client

from optimizer.traces.rest import RestClient
from tests.support.postgres import PROJECT, apply_migrations, insert_traces, migration_files

TABLES = ("optimizer_traces", "optimizer_deployments", "optimizer_runs")
FUNCTIONS = ("optimizer_analyze", "optimizer_deploy", "optimizer_active_artifacts")
SUPABASE_DOC = PROJECT / "docs" / "supabase.md"
WINDOW = {"p_start": "2026-11-19T00:00:00Z", "p_end": "2026-11-20T00:00:00Z"}


@pytest.fixture
def empty_database(postgres):
    with postgres.database(migrated=False) as url:
        yield url


def client(rest, role):
    http = httpx.Client(timeout=30)
    return create_client(rest.url, rest.key(role), ClientOptions(httpx_client=http)), http


def test_migrations_follow_the_supabase_cli_layout():
    names = [path.name for path in migration_files()]
    assert names and all(name[:14].isdigit() and name[14] == "_" and name.endswith(".sql") for name in names)
    assert names == sorted(names)


def test_migrations_apply_to_an_empty_database_and_again(empty_database):
    apply_migrations(empty_database)
    apply_migrations(empty_database)  # a second run changes nothing and fails on nothing
    with psycopg.connect(empty_database) as conn:
        rls = dict(
            conn.execute(
                "select relname, relrowsecurity from pg_class where relname = any(%s) and relkind = 'r'", [list(TABLES)]
            ).fetchall()
        )
        functions = {row[0] for row in conn.execute("select proname from pg_proc where proname like 'optimizer_%'")}
        policies = conn.execute("select count(*) from pg_policies where tablename = any(%s)", [list(TABLES)]).fetchone()
    assert rls == dict.fromkeys(TABLES, True)
    assert set(FUNCTIONS) <= functions
    assert policies == (3,)


def test_the_agent_key_reads_active_versions_and_the_anon_key_nothing(database_url, rest):
    insert_traces(database_url, [{"trace_id": "t1", "agent": "frontdesk", "started_at": "2026-11-19T10:00:00Z"}])
    service, service_http = client(rest, "service_role")
    anon, anon_http = client(rest, "anon")
    try:
        content = "---\ntools: []\n---\nYou are the front desk.\n"
        artifact = {"agent": "frontdesk", "path": "prompts/frontdesk/system.md", "kind": "prompt", "content": content}
        artifact["content_sha256"] = hashlib.sha256(content.encode()).hexdigest()
        service.rpc("optimizer_deploy", {"p_git_sha": "a" * 40, "p_artifacts": [artifact]}).execute()

        agent = RestClient(rest.url, rest.key("anon"), bearer=rest.key("optimizer_trace_writer"))
        try:
            active = agent.rpc("read", "optimizer_active_artifacts", {"p_agent": "frontdesk"})
        finally:
            agent.close()
        assert active["version"] == "a" * 40
        assert [row["content"] for row in active["artifacts"]] == [content]
        with pytest.raises(APIError) as refused:  # the public key and a guessable name are not enough
            anon.rpc("optimizer_active_artifacts", {"p_agent": "frontdesk"}).execute()
        assert refused.value.code == "42501"

        for table in TABLES:
            with pytest.raises(APIError) as refused:
                anon.table(table).select("*").execute()
            assert refused.value.code == "42501"
        with pytest.raises(APIError) as refused:
            anon.table("optimizer_traces").insert({"trace_id": "t2", "agent": "x", "started_at": "2026"}).execute()
        assert refused.value.code == "42501"
        with pytest.raises(APIError) as refused:
            anon.rpc("optimizer_analyze", WINDOW).execute()
        assert refused.value.code == "42501"
        with pytest.raises(APIError) as refused:
            anon.rpc("optimizer_deploy", {"p_git_sha": "b" * 40, "p_artifacts": []}).execute()
        assert refused.value.code == "42501"

        rows = service.table("optimizer_traces").select("trace_id").execute().data
        assert [row["trace_id"] for row in rows] == ["t1"]
        assert service.rpc("optimizer_analyze", WINDOW).execute().data["traces"]["versions"][0]["traces"] == 1
    finally:
        service_http.close()
        anon_http.close()


def test_an_existing_traces_table_maps_onto_the_canonical_record_with_a_view(empty_database):
    """The recipe docs/supabase.md gives: the functions read a view over the user's own table, and the
    migrations still apply afterwards, leaving the view alone."""
    apply_migrations(empty_database)
    view = (SUPABASE_DOC.read_text().split("```sql\n-- map your table", 1)[1]).split("```", 1)[0]
    with psycopg.connect(empty_database, autocommit=True) as conn:
        conn.execute(
            """
            create table agent_logs (
              log_id text primary key, conversation text, bot text, created timestamptz, version text,
              dollars numeric, millis integer, transcript jsonb, handed_off boolean, mood text, extra jsonb,
              seq bigserial
            )
            """
        )
        conn.execute(
            """
            insert into agent_logs (log_id, conversation, bot, created, version, dollars, millis, transcript,
                                    handed_off, mood, extra)
            values ('L1', 'c1', 'frontdesk', '2026-11-19T10:00:00Z', 'v1', 0.01, 900,
                    '[{"role": "user", "content": "Can I bring my dog?"},
                      {"role": "assistant", "content": "I''m sorry, I don''t know."}]', true, 'negative', '{}'),
                   ('L2', 'c1', 'frontdesk', '2026-11-19T11:00:00Z', 'v1', 0.03, 1100, '[]', false, null, '{}')
            """
        )
        conn.execute("-- map your table" + view)
    apply_migrations(empty_database)  # re-applying keeps the view
    with psycopg.connect(empty_database) as conn:
        kind = conn.execute("select relkind from pg_class where relname = 'optimizer_traces'").fetchone()
        result = conn.execute(
            "select optimizer_analyze(%s::timestamptz, %s::timestamptz)", [WINDOW["p_start"], WINDOW["p_end"]]
        ).fetchone()
    assert kind == ("v",)
    versions = result[0]["traces"]["versions"]
    assert [(v["version"], v["traces"], v["sessions"], v["escalated"]) for v in versions] == [("v1", 2, 1, 1)]
    assert versions[0]["cost"]["sum"] == pytest.approx(0.04)
    candidates = result[0]["unanswered"]
    assert [candidates["texts"][row[5]] for row in candidates["rows"]] == ["Can I bring my dog?"]
