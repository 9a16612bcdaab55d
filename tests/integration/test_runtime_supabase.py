"""optimizer.runtime against Supabase (the REST layer over a real PostgreSQL) and locally."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest

from optimizer.config import SupabaseSettings
from optimizer.deploy.local import LocalRegistry
from optimizer.deploy.model import Artifact
from optimizer.deploy.remote import SupabaseRegistry
from optimizer.deploy.snapshot import write_snapshots
from optimizer.runtime import NoVersion, Runtime, TraceRejected
from optimizer.runtime.stores import LocalArtifactStore, SupabaseArtifactStore
from optimizer.traces.sinks import JsonlTraceSink, SupabaseTraceSink
from optimizer.traces.supabase import SupabaseAnalysis
from tests.support.clock import ManualClock

SHA_A = "a" * 40
SHA_B = "b" * 40
SOUL = Artifact("frontdesk", "souls/frontdesk.yaml", "soul", "name: frontdesk\ntone: warm\n")
SYSTEM = Artifact("frontdesk", "prompts/frontdesk/system.md", "prompt", "You are the deployed front desk.\n")
SYSTEM_B = Artifact("frontdesk", "prompts/frontdesk/system.md", "prompt", "You are the front desk, version B.\n")
STARTED = datetime(2026, 11, 19, 10, tzinfo=UTC)
TRACE_WRITER = "optimizer_trace_writer"


def deploy(rest, sha, *artifacts):
    registry = SupabaseRegistry(rest.url, rest.key("service_role"), SupabaseSettings())
    registry.deploy(sha, list(artifacts))
    return registry


def supabase_runtime(rest, clock, **kwargs):
    store = SupabaseArtifactStore(rest.url, rest.key("anon"), rest.key(TRACE_WRITER))
    sink = SupabaseTraceSink(rest.url, rest.key(TRACE_WRITER), anon_key=rest.key("anon"))
    return Runtime("frontdesk", store=store, sink=sink, clock=clock, **kwargs)


def rpc_calls(rest, function):
    return sum(1 for method, path in rest.requests if method == "POST" and path.endswith(f"/rpc/{function}"))


def analysed(rest):
    states = SupabaseAnalysis(rest.url, rest.key("service_role"), SupabaseSettings()).aggregate(
        STARTED, STARTED + timedelta(hours=1)
    )
    return states["frontdesk"]


def test_load_reads_with_the_agent_key_serves_the_cache_and_refreshes_it_in_the_background(rest):
    deploy(rest, SHA_A, SOUL, SYSTEM)
    clock = ManualClock()
    with supabase_runtime(rest, clock, ttl=60) as runtime:
        active = runtime.load()
        assert (active.version, active.source, active.fallback) == (SHA_A, "supabase", False)
        assert active.soul == SOUL.content
        assert active.prompt("system") == SYSTEM.content
        clock.now += 30
        assert runtime.load() == active  # within the TTL: no request
        assert rpc_calls(rest, "optimizer_active_artifacts") == 1
        deploy(rest, SHA_B, SOUL, SYSTEM_B)
        clock.now += 31
        assert runtime.load().version == SHA_A  # expired: served at once, refreshed behind it
        runtime.wait_for_refresh()
        assert rpc_calls(rest, "optimizer_active_artifacts") == 2
        assert runtime.load().version == SHA_B


def test_a_conversation_loaded_on_a_and_recorded_after_b_was_deployed_carries_a(rest):
    deploy(rest, SHA_A, SOUL, SYSTEM)
    clock = ManualClock()
    with supabase_runtime(rest, clock, ttl=60) as runtime:
        assert runtime.load(session_id="s-old").version == SHA_A
        deploy(rest, SHA_B, SOUL, SYSTEM_B)
        clock.now += 61
        runtime.load()
        runtime.wait_for_refresh()
        assert runtime.load(session_id="s-new").version == SHA_B
        assert runtime.load(session_id="s-old").prompt("system") == SYSTEM.content  # still A, whole
        for n, session in enumerate(["s-old", "s-new", "s-old"]):
            started = (STARTED + timedelta(minutes=n)).isoformat()
            runtime.record({"trace_id": f"t{n}", "session_id": session, "started_at": started})
        assert runtime.flush()
    versions = analysed(rest).versions
    assert {name: state.traces for name, state in versions.items()} == {SHA_A: 2, SHA_B: 1}


def test_during_an_outage_the_store_is_asked_a_handful_of_times_and_the_last_version_served(rest):
    deploy(rest, SHA_A, SOUL, SYSTEM)
    clock = ManualClock()
    with supabase_runtime(rest, clock, ttl=60) as runtime:
        runtime.load()
        rest.down = True
        clock.now += 61
        served = set()
        for _ in range(600):  # two minutes of outage, a load every 0.2 s
            active = runtime.load()
            served.add((active.version, active.source))
            runtime.wait_for_refresh()
            clock.now += 0.2
        asked = rpc_calls(rest, "optimizer_active_artifacts") - 1
        assert 1 <= asked <= 8, asked  # back-off: 1, 2, 4 ... seconds apart, not 600 times
        assert served == {(SHA_A, "supabase"), (SHA_A, "cache")}
        assert "PGRST000" in (runtime.last_error or "")
        rest.down = False
        clock.now += 61
        runtime.load()
        runtime.wait_for_refresh()
        assert runtime.load().source == "supabase"  # back once the store answers


def test_a_cold_start_with_the_store_down_serves_the_deployed_snapshot_flagged_as_fallback(rest, tmp_path):
    registry = deploy(rest, SHA_A, SOUL, SYSTEM)
    [snapshot] = write_snapshots(tmp_path / "snapshots", registry)
    rest.down = True
    clock = ManualClock()
    with supabase_runtime(rest, clock, fallback=snapshot) as runtime:
        active = runtime.load(session_id="s1")
        assert (active.version, active.source, active.fallback) == (SHA_A, "snapshot", True)
        assert active.prompt("system") == SYSTEM.content
        for _ in range(50):
            runtime.load()
            clock.now += 0.5
        assert rpc_calls(rest, "optimizer_active_artifacts") <= 6
        record = runtime.record({"trace_id": "fb-1", "session_id": "s1", "started_at": STARTED.isoformat()})
        assert record["metadata"] == {"fallback": True} and record["prompt_version"] == SHA_A


def test_with_the_store_down_and_no_snapshot_load_says_so(rest, tmp_path):
    rest.down = True
    with (
        supabase_runtime(rest, ManualClock(), fallback=tmp_path / "missing.json") as runtime,
        pytest.raises(NoVersion, match=r"frontdesk: no deployed version could be read .*missing.json"),
    ):
        runtime.load()


def test_record_during_an_outage_never_raises_and_counts_what_it_dropped(rest, caplog):
    deploy(rest, SHA_A, SOUL, SYSTEM)
    runtime = supabase_runtime(rest, ManualClock())
    runtime.load()
    rest.down = True
    for n in range(5):
        runtime.record({"trace_id": f"out-{n}", "started_at": STARTED.isoformat()})
    assert runtime.flush()
    stats = runtime.stats()
    assert (stats.submitted, stats.written, stats.dropped_write_failed, stats.pending) == (5, 0, 5, 0)
    rest.down = False
    runtime.record({"trace_id": "after", "started_at": STARTED.isoformat()})
    with caplog.at_level(logging.INFO, logger="optimizer.runtime"):
        runtime.close()
    assert runtime.stats().written == 1
    assert "1 trace(s) written, 5 dropped (0 queue full, 5 write failed)" in caplog.text
    assert rest.key(TRACE_WRITER) not in caplog.text


def test_traces_are_written_in_batches_with_the_trace_key_and_retries_are_ignored(rest):
    deploy(rest, SHA_A, SOUL, SYSTEM)
    with supabase_runtime(rest, ManualClock()) as runtime:
        runtime.load()
        for n in range(300):
            runtime.record({"trace_id": f"b-{n}", "started_at": (STARTED + timedelta(seconds=n)).isoformat()})
        runtime.record({"trace_id": "b-0", "started_at": STARTED.isoformat()})  # a retry: ignored
        assert runtime.flush()
        assert runtime.stats().written == 301
    assert rpc_calls(rest, "optimizer_record_traces") < 301 / 2  # batched
    assert not any(path.endswith("/optimizer_traces") for _, path in rest.requests)
    state = analysed(rest)
    assert state.traces == 300 and list(state.versions) == [SHA_A]


def test_a_trace_breaking_the_contract_is_refused_and_not_written(rest):
    with supabase_runtime(rest, ManualClock()) as runtime:
        with pytest.raises(TraceRejected, match="sentiment must be one of"):
            runtime.record({"trace_id": "bad", "sentiment": "angry", "prompt_version": "v1"})
        with pytest.raises(TraceRejected, match="unknown field"):
            runtime.record({"trace_id": "bad", "mood": "angry", "prompt_version": "v1"})
    assert rpc_calls(rest, "optimizer_record_traces") == 0


def test_locally_the_registry_and_a_jsonl_file_do_the_same(tmp_path):
    registry = LocalRegistry(tmp_path / "registry.sqlite3")
    registry.deploy(SHA_A, [SOUL, SYSTEM])
    traces = tmp_path / "traces" / "frontdesk.jsonl"
    with Runtime("frontdesk", store=LocalArtifactStore(registry), sink=JsonlTraceSink(traces)) as runtime:
        assert runtime.load().source == "local"
        written = runtime.record({"messages": [{"role": "user", "content": "hi"}]})
        runtime.record({"prompt_version": "v-pinned"})
        assert runtime.flush()
        lines = [json.loads(line) for line in traces.read_text().splitlines()]
    assert [line["prompt_version"] for line in lines] == [SHA_A, "v-pinned"]
    assert lines[0] == written and lines[0]["agent"] == "frontdesk" and lines[0]["trace_id"]


def test_from_config_reads_optimizer_yaml_and_needs_no_service_role_key(tmp_path, rest):
    folder = tmp_path / "agent-host"  # optimizer.yaml only: no prompts, no git
    folder.mkdir()
    (folder / "optimizer.yaml").write_text(
        "traces: {source: supabase}\ndeploy: {target: supabase}\nruntime: {ttl: 5}\n"
        "supabase: {url_env: MY_URL, anon_key_env: MY_ANON, trace_key_env: MY_TRACES}\n"
    )
    deploy(rest, SHA_A, SOUL, SYSTEM)
    env = {"MY_URL": rest.url, "MY_ANON": rest.key("anon"), "MY_TRACES": rest.key(TRACE_WRITER)}
    with Runtime.from_config("frontdesk", folder, env) as runtime:
        assert runtime.ttl == 5
        assert runtime.load().version == SHA_A
        runtime.record({"trace_id": "cfg-1", "started_at": STARTED.isoformat()})
        assert runtime.flush() and runtime.stats().written == 1
    assert analysed(rest).traces == 1
    with pytest.raises(Exception, match="MY_TRACES is not set"):
        Runtime.from_config("frontdesk", folder, {"MY_URL": rest.url, "MY_ANON": rest.key("anon")})


def test_from_config_without_a_deploy_target_reads_supabase_when_its_url_is_set(tmp_path, rest):
    folder = tmp_path / "agent-host"  # the rule `optimizer deploy` follows: the URL names the store
    folder.mkdir()
    (folder / "optimizer.yaml").write_text("traces: {source: supabase}\n")
    deploy(rest, SHA_A, SOUL, SYSTEM)
    env = {
        "SUPABASE_URL": rest.url,
        "SUPABASE_ANON_KEY": rest.key("anon"),
        "SUPABASE_TRACE_KEY": rest.key(TRACE_WRITER),
    }
    with Runtime.from_config("frontdesk", folder, env) as runtime:
        assert runtime.load().version == SHA_A
