"""The local read path: a TTL, pinned sessions in bounded memory, the snapshot as the only fallback."""

from __future__ import annotations

import pytest

from optimizer.deploy.local import LocalRegistry
from optimizer.deploy.model import Artifact
from optimizer.deploy.snapshot import snapshot_path, write_snapshots
from optimizer.runtime import NoVersion, Runtime
from optimizer.runtime.stores import LocalArtifactStore
from optimizer.traces.sinks import JsonlTraceSink
from tests.support.clock import ManualClock

PROMPT = "prompts/frontdesk/system.md"


def deploy(registry: LocalRegistry, sha: str, text: str) -> None:
    registry.deploy(sha, [Artifact("frontdesk", PROMPT, "prompt", text)])


@pytest.fixture
def registry(tmp_path) -> LocalRegistry:
    return LocalRegistry(tmp_path / ".optimizer" / "registry.sqlite3")


def make_runtime(registry, tmp_path, clock, **kwargs) -> Runtime:
    sink = JsonlTraceSink(tmp_path / "traces.jsonl")
    return Runtime("frontdesk", store=LocalArtifactStore(registry), sink=sink, clock=clock, **kwargs)


def test_a_session_keeps_its_version_until_it_ends(registry, tmp_path):
    deploy(registry, "a" * 40, "A\n")
    clock = ManualClock()
    with make_runtime(registry, tmp_path, clock, ttl=10) as runtime:
        assert runtime.load("s1").version == "a" * 40
        deploy(registry, "b" * 40, "B\n")
        clock.now += 11
        runtime.load()
        runtime.wait_for_refresh()
        assert runtime.load().version == "b" * 40
        assert runtime.load("s1").prompt("system") == "A\n"
        runtime.end_session("s1")
        assert runtime.load("s1").version == "b" * 40


def test_pins_are_bounded_and_the_oldest_is_forgotten(registry, tmp_path):
    deploy(registry, "a" * 40, "A\n")
    clock = ManualClock()
    with make_runtime(registry, tmp_path, clock, ttl=10, max_sessions=2) as runtime:
        for session in ("s1", "s2"):
            runtime.load(session)
        deploy(registry, "b" * 40, "B\n")
        clock.now += 11
        runtime.load()
        runtime.wait_for_refresh()
        runtime.load("s1")  # used again: s2 is now the oldest
        runtime.load("s3")
        assert [runtime.load(s).version[0] for s in ("s1", "s3", "s2")] == ["a", "b", "b"]


def test_nothing_deployed_and_no_snapshot_is_an_error_naming_both(registry, tmp_path):
    with make_runtime(registry, tmp_path, ManualClock()) as runtime, pytest.raises(NoVersion, match="nothing deployed"):
        runtime.load()


def test_the_snapshot_a_deploy_wrote_is_served_when_the_registry_cannot_be_read(registry, tmp_path):
    deploy(registry, "a" * 40, "A\n")
    folder = tmp_path / "snapshots"
    write_snapshots(folder, registry)
    registry.path.unlink()
    registry.path.mkdir()  # the registry file is now a folder: unreadable
    with make_runtime(registry, tmp_path, ManualClock(), fallback=snapshot_path(folder, "frontdesk")) as runtime:
        active = runtime.load()
        assert (active.version, active.fallback, active.prompt("system")) == ("a" * 40, True, "A\n")
        assert "registry.sqlite3" in (runtime.last_error or "")
