"""optimizer.runtime against Supabase (the REST layer over a real PostgreSQL) and locally."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from optimizer.config import SupabaseSettings
from optimizer.deploy.local import LocalRegistry
from optimizer.deploy.model import Artifact
from optimizer.deploy.remote import SupabaseRegistry
from optimizer.deploy.stores import LocalArtifactStore, SupabaseArtifactStore
from optimizer.runtime import Runtime, TraceRejected
from optimizer.traces.sinks import JsonlTraceSink, SupabaseTraceSink
from optimizer.traces.supabase import SupabaseAnalysis

SHA = "c" * 40
SOUL = Artifact("frontdesk", "souls/frontdesk.yaml", "soul", "name: frontdesk\ntone: warm\n")
SYSTEM = Artifact("frontdesk", "prompts/frontdesk/system.md", "prompt", "You are the deployed front desk.\n")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def repo(tmp_path) -> Path:
    root = tmp_path / "agent-repo"
    (root / "souls").mkdir(parents=True)
    (root / "prompts" / "frontdesk").mkdir(parents=True)
    (root / "souls" / "frontdesk.yaml").write_text("name: frontdesk\n")
    (root / "prompts" / "frontdesk" / "system.md").write_text("You are the front desk (repo copy).\n")
    return root


def supabase_runtime(rest, repo, clock):
    store = SupabaseArtifactStore(rest.url, rest.key("anon"))
    sink = SupabaseTraceSink(rest.url, rest.key("service_role"))
    return Runtime("frontdesk", store=store, sink=sink, repo=repo, clock=clock)


def test_load_reads_the_deployed_version_with_the_anon_key_and_caches_it(rest, repo):
    SupabaseRegistry(rest.url, rest.key("service_role"), SupabaseSettings()).deploy(SHA, [SOUL, SYSTEM])
    clock = Clock()
    with supabase_runtime(rest, repo, clock) as runtime:
        active = runtime.load()
        assert (active.version, active.source) == (SHA, "supabase")
        assert active.soul == SOUL.content
        assert active.prompt("system") == SYSTEM.content
        calls = len(rest.requests)
        clock.now += 30
        assert runtime.load() is active  # within the minute: no request
        assert len(rest.requests) == calls
        clock.now += 31
        runtime.load()
        assert len(rest.requests) == calls + 1


def test_an_unreachable_store_serves_the_last_version_read(rest, repo):
    SupabaseRegistry(rest.url, rest.key("service_role"), SupabaseSettings()).deploy(SHA, [SOUL, SYSTEM])
    clock = Clock()
    with supabase_runtime(rest, repo, clock) as runtime:
        runtime.load()
        rest.down = True
        clock.now += 120
        stale = runtime.load()
        assert (stale.version, stale.source, stale.prompt("system")) == (SHA, "cache", SYSTEM.content)
        assert "PGRST000" in (runtime.last_error or "")


def test_with_no_store_reached_yet_the_repo_files_are_used(rest, repo):
    rest.down = True
    with supabase_runtime(rest, repo, Clock()) as runtime:
        active = runtime.load()
    assert active.source == "repo"
    assert active.prompt("system") == "You are the front desk (repo copy).\n"
    assert active.version == "unversioned"  # not a git repository


def test_recorded_traces_carry_the_version_and_are_analysed(rest, repo):
    SupabaseRegistry(rest.url, rest.key("service_role"), SupabaseSettings()).deploy(SHA, [SOUL, SYSTEM])
    started = datetime(2026, 11, 19, 10, tzinfo=UTC)
    with supabase_runtime(rest, repo, Clock()) as runtime:
        for n in range(3):
            runtime.record(
                {
                    "trace_id": f"rt-{n}",
                    "started_at": (started + timedelta(minutes=n)).isoformat(),
                    "messages": [{"role": "user", "content": "Can I bring my dog?"}],
                    "cost_usd": 0.01,
                }
            )
        runtime.record({"trace_id": "rt-0", "started_at": started.isoformat()})  # a retry: ignored
    states = SupabaseAnalysis(rest.url, rest.key("service_role"), SupabaseSettings()).aggregate(
        started, started + timedelta(hours=1)
    )
    assert list(states["frontdesk"].versions) == [SHA]
    assert states["frontdesk"].traces == 3


def test_a_trace_breaking_the_contract_is_refused_and_not_written(rest, repo):
    with supabase_runtime(rest, repo, Clock()) as runtime:
        with pytest.raises(TraceRejected, match="sentiment must be one of"):
            runtime.record({"trace_id": "bad", "sentiment": "angry", "prompt_version": "v1"})
        with pytest.raises(TraceRejected, match="unknown field"):
            runtime.record({"trace_id": "bad", "mood": "angry", "prompt_version": "v1"})
    assert not any(method == "POST" and path.endswith("optimizer_traces") for method, path in rest.requests)


def test_locally_the_registry_and_a_jsonl_file_do_the_same(tmp_path, repo):
    registry = LocalRegistry(tmp_path / "registry.sqlite3")
    registry.deploy(SHA, [SOUL, SYSTEM])
    traces = tmp_path / "traces" / "frontdesk.jsonl"
    runtime = Runtime("frontdesk", store=LocalArtifactStore(registry), sink=JsonlTraceSink(traces), repo=repo)
    assert runtime.load().source == "local"
    written = runtime.record({"messages": [{"role": "user", "content": "hi"}]})
    runtime.record({"prompt_version": "v-pinned"})
    lines = [json.loads(line) for line in traces.read_text().splitlines()]
    assert [line["prompt_version"] for line in lines] == [SHA, "v-pinned"]
    assert lines[0] == written and lines[0]["agent"] == "frontdesk" and lines[0]["trace_id"]


def test_from_config_reads_optimizer_yaml(tmp_path, repo, rest, monkeypatch):
    (repo / "optimizer.yaml").write_text(
        "traces: {source: supabase}\ndeploy: {target: supabase}\nsupabase: {url_env: MY_URL, anon_key_env: MY_ANON}\n"
    )
    SupabaseRegistry(rest.url, rest.key("service_role"), SupabaseSettings()).deploy(SHA, [SOUL, SYSTEM])
    env = {"MY_URL": rest.url, "MY_ANON": rest.key("anon"), "SUPABASE_SERVICE_ROLE_KEY": rest.key("service_role")}
    with Runtime.from_config("frontdesk", repo, env) as runtime:
        assert runtime.load().version == SHA
        runtime.record({"trace_id": "cfg-1"})
    with pytest.raises(Exception, match="MY_ANON is not set"):
        Runtime.from_config("frontdesk", repo, {"MY_URL": rest.url})
