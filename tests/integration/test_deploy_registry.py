"""Both registries (the local SQLite file, Supabase through supabase-py) keep the same promises:
only changed content gets a row, re-running is a no-op, history stays, a failure part-way
leaves the previous state."""

from __future__ import annotations

import sqlite3

import httpx
import psycopg
import pytest
from supabase import ClientOptions, create_client

from optimizer.config import SupabaseSettings
from optimizer.deploy.errors import RegistryError
from optimizer.deploy.local import LocalRegistry
from optimizer.deploy.model import Artifact, DeployResult, RunRecord
from optimizer.deploy.remote import SupabaseRegistry
from optimizer.traces.supabase_client import SupabaseError
from tests.support.postgres import postgrest

SHA_1, SHA_2, SHA_3 = "1" * 40, "2" * 40, "3" * 40
SOUL = Artifact("frontdesk", "souls/frontdesk.yaml", "soul", "name: frontdesk\n")
SYSTEM = Artifact("frontdesk", "prompts/frontdesk/system.md", "prompt", "You are the front desk.\n")
TOOLS = Artifact("frontdesk", "prompts/frontdesk/tools.md", "prompt", "Call check_availability.\n")


def edited(artifact: Artifact, text: str) -> Artifact:
    return Artifact(artifact.agent, artifact.path, artifact.kind, text)


class Local:
    """The local registry, and a way to make its next insert of ``path`` fail."""

    def __init__(self, tmp_path):
        self.registry = LocalRegistry(tmp_path / ".optimizer" / "registry.sqlite3")

    def fail_on(self, path):
        with sqlite3.connect(self.registry.path) as conn:
            conn.execute(
                "create trigger fail_insert before insert on deployments"
                f" when new.path = '{path}' begin select raise(abort, 'disk full'); end"
            )

    def rows(self):
        with sqlite3.connect(self.registry.path) as conn:
            return conn.execute("select path, git_sha, active from deployments order by id").fetchall()


class Remote:
    def __init__(self, database_url, rest):
        self.url = database_url
        self.registry = SupabaseRegistry(rest.url, rest.key("service_role"), SupabaseSettings())

    def fail_on(self, path):
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(
                """
                create function fail_insert() returns trigger language plpgsql as $$
                begin
                  if new.path = %s then raise exception 'disk full'; end if;
                  return new;
                end $$
                """.replace("%s", f"'{path}'")
            )
            conn.execute(
                "create trigger fail_insert before insert on optimizer_deployments"
                " for each row execute function fail_insert()"
            )

    def rows(self):
        with psycopg.connect(self.url) as conn:
            return [
                (path, sha, int(active))
                for path, sha, active in conn.execute(
                    "select path, git_sha, active from optimizer_deployments order by id"
                ).fetchall()
            ]


@pytest.fixture(params=["local", "supabase"])
def store(request, tmp_path):
    if request.param == "local":
        return Local(tmp_path)
    return Remote(request.getfixturevalue("database_url"), request.getfixturevalue("rest"))


def active(store):
    return {(row.path, row.git_sha) for row in store.registry.active()}


def test_a_first_deploy_inserts_every_artifact(store):
    result = store.registry.deploy(SHA_1, [SOUL, SYSTEM, TOOLS])
    assert result == DeployResult(SHA_1, tuple((a.agent, a.path) for a in (SYSTEM, TOOLS, SOUL)), (), 0)
    assert active(store) == {(SOUL.path, SHA_1), (SYSTEM.path, SHA_1), (TOOLS.path, SHA_1)}


def test_deploying_the_same_commit_again_changes_nothing(store):
    store.registry.deploy(SHA_1, [SOUL, SYSTEM])
    before = store.rows()
    again = store.registry.deploy(SHA_1, [SOUL, SYSTEM])
    assert not again.changed and again.unchanged == 2
    assert store.rows() == before


def test_only_changed_content_gets_a_row_and_the_previous_version_stays(store):
    store.registry.deploy(SHA_1, [SOUL, SYSTEM, TOOLS])
    result = store.registry.deploy(SHA_2, [SOUL, edited(SYSTEM, "You are the concierge.\n"), TOOLS])
    assert result.inserted == (("frontdesk", SYSTEM.path),) and result.unchanged == 2
    assert store.rows() == [
        (SYSTEM.path, SHA_1, 0),  # history
        (TOOLS.path, SHA_1, 1),
        (SOUL.path, SHA_1, 1),
        (SYSTEM.path, SHA_2, 1),
    ]
    assert [release.git_sha for release in store.registry.releases("frontdesk")] == [SHA_2, SHA_1]


def test_a_file_the_commit_no_longer_has_is_deactivated(store):
    store.registry.deploy(SHA_1, [SOUL, SYSTEM, TOOLS])
    result = store.registry.deploy(SHA_2, [SOUL, SYSTEM])
    assert result.deactivated == (("frontdesk", TOOLS.path),)
    assert active(store) == {(SOUL.path, SHA_1), (SYSTEM.path, SHA_1)}
    assert (TOOLS.path, SHA_1, 0) in store.rows()


def test_a_failure_part_way_leaves_the_previous_state(store):
    store.registry.deploy(SHA_1, [SOUL, SYSTEM, TOOLS])
    before = store.rows()
    store.fail_on(TOOLS.path)
    # SOUL and SYSTEM change first (sorted by path: prompts/.../system.md < prompts/.../tools.md < souls/)
    changes = [edited(SOUL, "name: frontdesk\ntone: warm\n"), edited(SYSTEM, "New.\n"), edited(TOOLS, "New.\n")]
    with pytest.raises((RegistryError, SupabaseError), match="disk full"):
        store.registry.deploy(SHA_2, sorted(changes, key=lambda a: a.path))
    assert store.rows() == before
    assert active(store) == {(SOUL.path, SHA_1), (SYSTEM.path, SHA_1), (TOOLS.path, SHA_1)}


def test_supabase_refuses_content_that_does_not_match_its_hash(database_url, rest):
    """The SQL function checks each artifact before the deploy commits: the first is valid, the
    second is not, and nothing of either is written."""
    store = Remote(database_url, rest)
    store.registry.deploy(SHA_1, [SOUL])
    before = store.rows()
    good, bad = edited(SYSTEM, "ok\n").to_dict(), edited(TOOLS, "tampered\n").to_dict()
    bad["content_sha256"] = "0" * 64
    with httpx.Client() as http:
        client = create_client(rest.url, rest.key("service_role"), ClientOptions(httpx_client=http))
        with pytest.raises(Exception, match="does not match its content_sha256"):
            client.rpc("optimizer_deploy", {"p_git_sha": SHA_2, "p_artifacts": [good, bad]}).execute()
    assert store.rows() == before


def test_run_records_are_kept_and_read_back(store):
    record = RunRecord(
        run_id="frontdesk-20261120T000000Z",
        agent="frontdesk",
        started_at="2026-11-20T06:00:00Z",
        finished_at="2026-11-20T06:01:00Z",
        outcome="proposed",
        window_start="2026-11-19T00:00:00Z",
        window_end="2026-11-20T00:00:00Z",
        traces=900,
        findings=({"key": "tool_failure:check_availability", "kind": "tool_failure", "score": 300.0},),
        proposals=({"fingerprint": "abc", "title": "Retry once", "finding_keys": ["tool_failure:check_availability"]},),
        analyst="heuristic",
        analysis_cost_usd=0.0,
    )
    store.registry.record_run(record)
    assert store.registry.runs("frontdesk") == [record]
    assert store.registry.runs("concierge") == []


def test_a_project_capping_pages_below_1000_rows_is_still_read_whole(database_url):
    artifacts = [
        Artifact("frontdesk", f"prompts/frontdesk/part{n:02d}.md", "prompt", f"Part {n}.\n") for n in range(17)
    ]
    with postgrest(database_url, max_rows=5) as capped:  # the project's max rows: 5
        registry = SupabaseRegistry(capped.url, capped.key("service_role"), SupabaseSettings())
        registry.deploy("c" * 40, artifacts)
        assert sorted(row.path for row in registry.active()) == sorted(a.path for a in artifacts)
