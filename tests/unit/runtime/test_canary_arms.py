"""A canary's sessions: picked by a stable hash of the session id, pinned, and stamped on their traces."""

from __future__ import annotations

import json

import pytest

from optimizer.deploy.local import LocalRegistry
from optimizer.deploy.model import Artifact, Canary
from optimizer.runtime import Runtime
from optimizer.runtime.arms import arm_of
from optimizer.runtime.stores import LocalArtifactStore
from optimizer.traces.sinks import JsonlTraceSink
from tests.support.clock import ManualClock

PROMPT = "prompts/frontdesk/system.md"
STABLE, CANARY = "a" * 40, "b" * 40


def test_the_same_session_always_lands_in_the_same_arm_and_the_share_is_kept():
    ids = [f"session-{n}" for n in range(20_000)]
    arms = [arm_of(sid, CANARY, 0.2) for sid in ids]
    assert arms == [arm_of(sid, CANARY, 0.2) for sid in ids]
    assert 0.19 < arms.count("canary") / len(ids) < 0.21
    assert {arm_of(sid, CANARY, share) for sid in ids[:50] for share in (0.0,)} == {"stable"}


def test_each_canary_draws_its_own_sessions():
    ids = [f"session-{n}" for n in range(2_000)]
    first = {sid for sid in ids if arm_of(sid, CANARY, 0.2) == "canary"}
    second = {sid for sid in ids if arm_of(sid, "c" * 40, 0.2) == "canary"}
    assert first != second and 0.1 < len(first & second) / len(first) < 0.35  # about 20% overlap by chance


@pytest.fixture
def registry(tmp_path) -> LocalRegistry:
    registry = LocalRegistry(tmp_path / ".optimizer" / "registry.sqlite3")
    registry.deploy(STABLE, [Artifact("frontdesk", PROMPT, "prompt", "Stable.\n")])
    return registry


def start_canary(registry: LocalRegistry, share: float = 0.2) -> Canary:
    trial = Canary(0, "frontdesk", CANARY, STABLE, share, 100, 72.0, "")
    return registry.start_canary(trial, {PROMPT: "Canary.\n"})


def test_a_running_canary_serves_its_share_of_sessions_and_each_trace_says_its_arm(registry, tmp_path):
    start_canary(registry)
    traces = tmp_path / "traces.jsonl"
    with Runtime("frontdesk", store=LocalArtifactStore(registry), sink=JsonlTraceSink(traces)) as runtime:
        for n in range(1_000):
            active = runtime.load(f"s{n}")
            assert active.prompt("system") == ("Canary.\n" if active.arm == "canary" else "Stable.\n")
            runtime.record({"session_id": f"s{n}"})
        runtime.record({})  # no session: the stable version
    records = [json.loads(line) for line in traces.read_text().splitlines()]
    by_arm = {(r["arm"], r["prompt_version"]) for r in records}
    assert by_arm == {("canary", CANARY), ("stable", STABLE)}
    canary = [r for r in records if r["arm"] == "canary"]
    assert 150 < len(canary) < 250
    assert {r["session_id"] for r in canary} == {
        f"s{n}" for n in range(1_000) if arm_of(f"s{n}", CANARY, 0.2) == "canary"
    }
    assert records[-1]["arm"] == "stable"


def test_a_stopped_canary_sends_new_sessions_back_to_stable_and_its_sessions_keep_their_version(registry, tmp_path):
    canary = start_canary(registry, share=0.5)
    clock = ManualClock()
    sink = JsonlTraceSink(tmp_path / "traces.jsonl")
    with Runtime("frontdesk", store=LocalArtifactStore(registry), sink=sink, ttl=10, clock=clock) as runtime:
        on_canary = next(f"s{n}" for n in range(100) if runtime.load(f"s{n}").arm == "canary")
        assert registry.end_canary(canary.id, "stopped", "worse")
        clock.now += 11
        runtime.load()
        runtime.wait_for_refresh()
        fresh = [runtime.load(f"new-{n}") for n in range(50)]
        assert {(a.version, a.arm) for a in fresh} == {(STABLE, None)}
        assert runtime.load(on_canary).version == CANARY  # a conversation keeps the version it started on


def test_without_a_canary_traces_carry_no_arm(registry, tmp_path):
    traces = tmp_path / "traces.jsonl"
    with Runtime("frontdesk", store=LocalArtifactStore(registry), sink=JsonlTraceSink(traces)) as runtime:
        runtime.load("s1")
        record = runtime.record({"session_id": "s1"})
    assert "arm" not in record and "arm" not in json.loads(traces.read_text())
