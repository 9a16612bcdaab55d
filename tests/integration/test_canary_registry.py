"""Canary records on both registries (the local file, Supabase through the PostgREST-like layer): one
running per agent, promotion as a deploy of the canary's files, and the keys that may touch them."""

from __future__ import annotations

import psycopg
import pytest

from optimizer.config import CanarySettings, SupabaseSettings
from optimizer.deploy.artifacts import AgentBuild
from optimizer.deploy.canary import BACK_TO_STABLE, plan_canaries, promote, start_canaries, stop
from optimizer.deploy.errors import RegistryError
from optimizer.deploy.local import LocalRegistry
from optimizer.deploy.model import Artifact, Canary
from optimizer.deploy.remote import SupabaseRegistry
from optimizer.runtime.stores import SupabaseArtifactStore
from optimizer.traces.rest import RestClient, RestError
from tests.support.supabase_like import supabase_like_fixture  # noqa: F401 (fixture)

STABLE, CANARY, LATER = "1" * 40, "2" * 40, "3" * 40
SYSTEM = Artifact("frontdesk", "prompts/frontdesk/system.md", "prompt", "Stable.\n")
SOUL = Artifact("frontdesk", "souls/frontdesk.yaml", "soul", "name: frontdesk\n")
OTHER = Artifact("concierge", "prompts/concierge/system.md", "prompt", "Concierge.\n")
SETTINGS = CanarySettings(0.2, 50, 24.0)


@pytest.fixture(params=["local", "supabase"])
def registry(request, tmp_path):
    if request.param == "local":
        return LocalRegistry(tmp_path / ".optimizer" / "registry.sqlite3")
    rest = request.getfixturevalue("rest")
    return SupabaseRegistry(rest.url, rest.key("service_role"), SupabaseSettings())


def build(text: str) -> AgentBuild:
    return AgentBuild("frontdesk", (SOUL, Artifact("frontdesk", SYSTEM.path, "prompt", text)))


def deploy_stable(registry) -> None:
    registry.deploy(STABLE, [SOUL, SYSTEM, OTHER])


def test_a_changed_agent_gets_a_canary_and_the_next_merge_replaces_it(registry):
    deploy_stable(registry)
    plan = plan_canaries(registry, [build("Canary.\n")], registry.active())
    [first] = start_canaries(registry, plan, CANARY, SETTINGS, {"frontdesk": STABLE})
    assert (first.agent, first.git_sha, first.stable_sha, first.share, first.state) == (
        "frontdesk",
        CANARY,
        STABLE,
        0.2,
        "running",
    )
    assert registry.canary_contents(first.id) == {SOUL.path: SOUL.content, SYSTEM.path: "Canary.\n"}
    same = plan_canaries(registry, [build("Canary.\n")], registry.active())
    assert (same.start, [b.agent for b in same.kept]) == ((), ["frontdesk"])  # deploying it again starts nothing

    later = plan_canaries(registry, [build("Later.\n")], registry.active())
    [second] = start_canaries(registry, later, LATER, SETTINGS, {"frontdesk": STABLE})
    assert [c.id for c in registry.canaries()] == [second.id]
    assert [(c.git_sha, c.state) for c in registry.canaries("frontdesk", running=False)] == [
        (LATER, "running"),
        (CANARY, "replaced"),
    ]


def test_a_commit_back_at_the_stable_files_stops_the_canary(registry):
    deploy_stable(registry)
    start_canaries(registry, plan_canaries(registry, [build("Canary.\n")], registry.active()), CANARY, SETTINGS,
                   {"frontdesk": STABLE})  # fmt: skip
    back = plan_canaries(registry, [build("Stable.\n")], registry.active())
    start_canaries(registry, back, LATER, SETTINGS, {"frontdesk": STABLE})
    [ended] = registry.canaries("frontdesk", running=False)
    assert (ended.state, ended.reason) == ("stopped", BACK_TO_STABLE)


def test_promotion_deploys_the_canary_for_everyone_and_leaves_the_other_agents(registry):
    deploy_stable(registry)
    [canary] = start_canaries(
        registry, plan_canaries(registry, [build("Canary.\n")], registry.active()), CANARY, SETTINGS,
        {"frontdesk": STABLE},
    )  # fmt: skip
    result = promote(registry, canary, "no guarded metric worse")
    assert result.inserted == (("frontdesk", SYSTEM.path),)
    assert {(row.path, row.git_sha) for row in registry.active()} == {
        (SOUL.path, STABLE),
        (SYSTEM.path, CANARY),
        (OTHER.path, STABLE),
    }
    assert registry.canaries() == []
    assert not stop(registry, canary, "too late")  # ended already: nothing changes
    [done] = registry.canaries(running=False)
    assert (done.state, done.reason) == ("promoted", "no guarded metric worse")


def test_an_unknown_canary_is_a_registry_error(registry):
    deploy_stable(registry)
    with pytest.raises(RegistryError, match="no canary 99"):
        registry.canary_contents(99)


def test_the_agent_key_reads_its_running_canary_and_writes_nothing(rest):
    service = SupabaseRegistry(rest.url, rest.key("service_role"), SupabaseSettings())
    deploy_stable(service)
    service.start_canary(Canary(0, "frontdesk", CANARY, STABLE, 0.2, 50, 24.0, ""), {SYSTEM.path: "Canary.\n"})
    store = SupabaseArtifactStore(rest.url, rest.key("anon"), rest.key("optimizer_trace_writer"))
    try:
        active = store.load("frontdesk")
    finally:
        store.close()
    assert active is not None and (active.version, active.canary_share) == (STABLE, 0.2)
    assert active.canary is not None and active.canary.prompts == {SYSTEM.path: "Canary.\n"}
    writer = RestClient(rest.url, rest.key("anon"), bearer=rest.key("optimizer_trace_writer"))
    anon = RestClient(rest.url, rest.key("anon"))
    try:
        with pytest.raises(RestError):
            writer.rpc("end", "optimizer_end_canary", {"p_id": 1, "p_state": "stopped", "p_reason": "x"})
        with pytest.raises(RestError):
            anon.rpc("read", "optimizer_active_canary", {"p_agent": "frontdesk"})
    finally:
        writer.close()
        anon.close()
    assert [c.state for c in service.canaries()] == ["running"]


def test_on_a_supabase_like_database_only_the_service_role_manages_canaries(supabase_like):
    with psycopg.connect(supabase_like.pool.url) as conn:
        for role in ("anon", "authenticated", "optimizer_trace_writer"):
            assert not conn.execute(
                "select has_table_privilege(%s, 'public.optimizer_canaries', 'select')", [role]
            ).fetchone()[0]
        rights = {
            right
            for right in ("select", "insert", "update", "delete", "truncate", "references", "trigger")
            if conn.execute(
                "select has_table_privilege('service_role', 'public.optimizer_canaries', %s)", [right]
            ).fetchone()[0]
        }
        assert rights == {"select"}  # it writes through the two functions only
        for function, allowed in (
            ("optimizer_start_canary", {"service_role"}),
            ("optimizer_end_canary", {"service_role"}),
            ("optimizer_active_canary", {"service_role", "optimizer_trace_writer"}),
        ):
            rows = conn.execute(
                "select r.rolname from pg_roles r, pg_proc p where p.proname = %s"
                " and r.rolname = any(%s) and has_function_privilege(r.oid, p.oid, 'execute')",
                [function, ["anon", "authenticated", "service_role", "optimizer_trace_writer"]],
            ).fetchall()
            assert {name for (name,) in rows} == allowed, function


def test_a_project_without_the_canary_migration_still_serves_its_stable_version(database_url, rest):
    deploy_stable(SupabaseRegistry(rest.url, rest.key("service_role"), SupabaseSettings()))
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("drop function public.optimizer_active_canary(text)")
    store = SupabaseArtifactStore(rest.url, rest.key("anon"), rest.key("optimizer_trace_writer"))
    try:
        first, second = store.load("frontdesk"), store.load("frontdesk")
    finally:
        store.close()
    assert first is not None and second is not None
    assert (first.version, first.canary, second.version) == (STABLE, None, STABLE)
