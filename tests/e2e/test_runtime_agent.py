"""The agent's side end to end: deploy, then the runtime as an agent uses it, then the optimizer
reading what it recorded."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from optimizer.runtime import Runtime
from tests.e2e.conftest import git, optimizer

SOUL = "souls/frontdesk.yaml"
UNWRITTEN = "  - question: Do you have parking?\n    answer: 'TODO(owner): write the answer'\n"
PLAYBOOK = "Late arrival: leave the key in the lockbox by the front door and text the guest its code. "
PLAYBOOKS = (PLAYBOOK * 30)[:2599] + "."  # 2,600 characters: ~650 tokens


def with_traces_in(repo, folder: str) -> None:
    config = repo / "optimizer.yaml"
    config.write_text(config.read_text().replace("path: examples/traces", f"path: {folder}"))
    git(repo, "commit", "-q", "-am", f"traces in {folder}")


def test_playbooks_injected_twice_at_run_time_are_found_from_the_traces(example_repo):
    with_traces_in(example_repo, "live-traces")
    assert optimizer("deploy", cwd=example_repo).code == 0
    started = datetime(2026, 11, 19, 9, tzinfo=UTC)
    with Runtime.from_config("frontdesk", example_repo) as runtime:
        for n in range(40):
            session = f"guest-{n}"
            active = runtime.load(session)
            # The agent's bug: the guest context it builds already carries the playbooks.
            active.compile("system", PLAYBOOKS=PLAYBOOKS, GUEST_CONTEXT=f"Guest {n}, room {n % 24}.\n\n{PLAYBOOKS}")
            at = (started + timedelta(minutes=n)).isoformat()
            runtime.record({"session_id": session, "started_at": at, "usage": {"input_tokens": 4000}})
        assert runtime.flush()
    lines = (example_repo / "live-traces" / "frontdesk.jsonl").read_text().splitlines()
    assert len(lines) == 40

    done = optimizer("analyze", "--repo", example_repo, "--format", "json")
    assert done.code == 0, done.err
    [agent] = json.loads(done.out)["agents"]
    [finding] = [f for f in agent["findings"] if f["kind"] == "prompt_duplication" and "run time" in f["title"]]
    assert finding["figures"]["wasted_tokens_per_turn"] == 650
    assert finding["figures"]["traces"] == 40 and finding["figures"]["copies"] == 2
    assert finding["title"] == (
        "a 650-token block injected twice in the system prompt at run time: ~650 tokens wasted per turn"
    )
    text = optimizer("analyze", "--repo", example_repo)
    assert "injected twice in the system prompt at run time" in text.out
    assert "wasted tokens per turn: 650" in text.out


def test_a_cold_start_without_the_store_serves_the_deployed_snapshot_not_the_working_tree(example_repo):
    deployed = git(example_repo, "rev-parse", "HEAD").strip()
    done = optimizer("deploy", cwd=example_repo)
    assert done.code == 0 and "snapshot for the runtime's fallback" in done.out
    soul = example_repo / SOUL
    family = "  - question: Do you have family rooms?\n"
    soul.write_text(soul.read_text().replace(family, UNWRITTEN + family))
    git(example_repo, "commit", "-q", "-am", "parking: answer to come")
    refused = optimizer("deploy", cwd=example_repo)
    assert refused.code == 1 and "TODO(owner)" in refused.err
    (example_repo / ".optimizer" / "registry.sqlite3").unlink()  # the store is gone; the snapshot stays

    with Runtime.from_config("frontdesk", example_repo) as runtime:
        active = runtime.load("s1")
        trace = runtime.record({"session_id": "s1"})
    assert (active.version, active.fallback) == (deployed, True)
    assert "TODO(owner)" not in (active.soul or "") and "TODO(owner)" in soul.read_text()
    assert trace["prompt_version"] == deployed and trace["metadata"] == {"fallback": True}
