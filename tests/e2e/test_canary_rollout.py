"""A canary rollout end to end, on the local registry and on Supabase: a merged change deployed to 20%
of sessions, traces recorded per arm through the runtime, and one daily run that promotes a harmless
canary, or stops a harmful one and opens its revert pull request with both arms side by side."""

from __future__ import annotations

from datetime import timedelta

import pytest

from optimizer.config import load_settings
from optimizer.deploy.registry import open_registry, runs_registry
from optimizer.runtime import Runtime
from optimizer.timeutil import parse_timestamp
from tests.e2e.conftest import optimizer
from tests.e2e.test_github_measure import merge_a_change
from tests.fakes.github.fixtures import (  # noqa: F401 (fixtures)
    BOT_TOKEN,
    agent_repo_fixture,
    clean_env_fixture,
    git,
    github_fixture,
)
from tests.support.postgres import database_url, postgres, rest

__all__ = ["database_url", "postgres", "rest"]

ROLLBACK = "optimizer/rollback-frontdesk"
CANARY = "deploy:\n  canary: {share: 0.2, min_traces: 100, max_hours: 48}\n"
SESSIONS = 1500


@pytest.fixture(params=["local", "supabase"])
def store(request, agent_repo, monkeypatch) -> dict[str, str]:
    """optimizer.yaml for a canary on this store; the environment the CLI and the runtime need."""
    config = agent_repo / "optimizer.yaml"
    text = config.read_text().replace("path: examples/traces", "path: live-traces")
    if request.param == "local":
        config.write_text(text + CANARY)
        return {}
    server = request.getfixturevalue("rest")
    text = text.replace("source: jsonl", "source: supabase")
    config.write_text(text + CANARY.replace("deploy:\n", "deploy:\n  target: supabase\n"))
    env = {
        "SUPABASE_URL": server.url,
        "SUPABASE_SERVICE_ROLE_KEY": server.key("service_role"),
        "SUPABASE_ANON_KEY": server.key("anon"),
        "SUPABASE_TRACE_KEY": server.key("optimizer_trace_writer"),
    }
    for name, value in env.items():  # for the registry reads of the test itself
        monkeypatch.setenv(name, value)
    return env


def deploy_canary(github, tmp_path, agent_repo, env) -> tuple[str, str]:
    old = github.git.sha("main")
    first = optimizer("deploy", "--at", old, cwd=agent_repo, env=env)
    assert first.code == 0 and "  canary   " not in first.out, first.err  # the first deploy has nothing to compare with
    _, new = merge_a_change(github, tmp_path)
    git(agent_repo, "fetch", "-q", str(github.git.path), "main")
    done = optimizer("deploy", "--at", new, cwd=agent_repo, env=env)
    assert done.code == 0, done.err
    assert f"  canary   frontdesk  20% of its sessions; the others stay on {old[:12]}" in done.out
    assert f"frontdesk: canary {new[:12]} started for 20% of its sessions beside {old[:12]}" in done.out
    return old, new


def record_traffic(agent_repo, env, *, canary_failure_every: int) -> dict[str, int]:
    """Sessions through the runtime; the canary's tool call fails 1 in ``canary_failure_every`` turns
    (the stable one 1 in 20). Returns traces per arm."""
    [canary] = open_registry(load_settings(agent_repo)).canaries("frontdesk")
    start = parse_timestamp(canary.started_at)
    counts = {"canary": 0, "stable": 0}
    with Runtime.from_config("frontdesk", agent_repo, env) as runtime:
        for n in range(SESSIONS):
            session = f"guest-{n}"
            active = runtime.load(session)
            every = canary_failure_every if active.arm == "canary" else 20
            call = {"name": "check_availability", "ok": n % every != 0, "latency_ms": 300}
            # within 0.15 s of the canary's start: already past when `optimizer status` reads "so far"
            at = (start + timedelta(microseconds=100 * (1 + n))).isoformat()
            trace = runtime.record(
                {
                    "session_id": session,
                    "started_at": at,
                    "tool_calls": [call],
                    "cost_usd": 0.01 + (n % 7) / 10_000,
                    "latency_ms": 900 + n % 50,
                    "messages": [{"role": "user", "content": "Is a room free on Friday?"}],
                }
            )
            counts[trace["arm"]] += 1
        assert runtime.flush(30)
        assert runtime.stats().dropped == 0
    return counts


def daily_run(agent_repo, env):
    [canary] = open_registry(load_settings(agent_repo)).canaries("frontdesk")
    now = (parse_timestamp(canary.started_at) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return optimizer(
        "run", "--now", now, "--window-hours", "24", cwd=agent_repo, env={**env, "GITHUB_TOKEN": BOT_TOKEN}
    )


def test_a_harmless_canary_is_promoted_by_the_daily_run(github, agent_repo, tmp_path, store):
    old, new = deploy_canary(github, tmp_path, agent_repo, store)
    counts = record_traffic(agent_repo, store, canary_failure_every=20)
    assert 200 < counts["canary"] < 400 and counts["canary"] + counts["stable"] == SESSIONS
    status = optimizer("status", cwd=agent_repo, env=store)
    assert f"canary frontdesk: {new[:12]} for 20% of sessions beside {old[:12]}" in status.out
    assert f"{counts['canary']} canary / {counts['stable']} stable trace(s), 100 each needed; verdict: promote" in (
        status.out
    )

    result = daily_run(agent_repo, store)

    assert result.code == 0, result.err
    settings = load_settings(agent_repo)
    registry = open_registry(settings)
    assert registry.canaries("frontdesk") == []
    [promoted] = registry.canaries("frontdesk", running=False)
    assert promoted.state == "promoted" and promoted.reason.startswith("no guarded metric worse")
    assert {row.git_sha for row in registry.active() if row.path.startswith("prompts/frontdesk/system")} == {new}
    assert [p for p in github.pulls() if p.head == ROLLBACK] == []
    [record] = runs_registry(settings).runs("frontdesk")
    assert record.measurement["canary"]["traces"] == counts and record.measurement["canary"]["action"] == "promoted"
    with Runtime.from_config("frontdesk", agent_repo, store) as runtime:
        assert {runtime.load(f"later-{n}").version for n in range(30)} == {new}


def test_a_harmful_canary_is_stopped_and_its_revert_opened_in_one_run(github, agent_repo, tmp_path, store):
    old, new = deploy_canary(github, tmp_path, agent_repo, store)
    counts = record_traffic(agent_repo, store, canary_failure_every=2)  # half the canary's turns fail

    result = daily_run(agent_repo, store)

    assert result.code == 0, result.err
    settings = load_settings(agent_repo)
    registry = open_registry(settings)
    [stopped] = registry.canaries("frontdesk", running=False)
    assert stopped.state == "stopped" and "tool check_availability failure rate" in stopped.reason
    assert {row.git_sha for row in registry.active() if row.agent == "frontdesk"} == {old}
    with Runtime.from_config("frontdesk", agent_repo, store) as runtime:
        assert {runtime.load(f"later-{n}").version for n in range(30)} == {old}
    [pull] = [p for p in github.pulls() if p.head == ROLLBACK]
    assert f"opened rollback pull request #{pull.number}" in result.out
    assert pull.title.startswith(f"optimizer(frontdesk): roll back {new[:12]} — tool check_availability failure rate")
    assert "ran as a canary for 20% of its sessions beside the stable" in pull.body
    assert f"({counts['canary']:,} canary and {counts['stable']:,} stable traces, the same hours)" in pull.body
    assert "| Metric | Stable → canary | n |" in pull.body
    assert "The run stopped the canary" in pull.body
    [record] = runs_registry(settings).runs("frontdesk")
    side_by_side = record.measurement["canary"]
    assert (side_by_side["verdict"], side_by_side["action"], side_by_side["traces"]) == ("stop", "stopped", counts)
    [tool] = [c for c in record.measurement["changes"] if c["metric"] == "tool check_availability failure rate"]
    assert (tool["n_before"], tool["n_after"], tool["verdict"]) == (counts["stable"], counts["canary"], "worse")


def commit_change(repo, text: str) -> str:
    prompt = repo / "prompts" / "frontdesk" / "system.md"
    prompt.write_text(prompt.read_text() + text)
    git(repo, "commit", "-q", "-am", "a change")
    return git(repo, "rev-parse", "HEAD").strip()


def test_promote_and_abort_by_hand(example_repo):
    config = example_repo / "optimizer.yaml"
    config.write_text(config.read_text() + CANARY)
    git(example_repo, "commit", "-q", "-am", "canaries")
    stable = git(example_repo, "rev-parse", "HEAD").strip()
    assert optimizer("deploy", cwd=example_repo).code == 0
    nothing = optimizer("deploy", "--promote", "frontdesk", cwd=example_repo)
    assert nothing.code == 1 and nothing.err.count("\n") == 1
    assert "frontdesk: no running canary in the local registry" in nothing.err and "Traceback" not in nothing.err

    first = commit_change(example_repo, "\nOffer late checkout.\n")
    assert "canary" in optimizer("deploy", cwd=example_repo).out
    dry = optimizer("deploy", "--abort", "frontdesk", "--dry-run", cwd=example_repo)
    assert dry.code == 0 and f"dry run: would stop frontdesk's canary {first[:12]}" in dry.err
    running = optimizer("status", cwd=example_repo)
    assert "verdict: wait" in running.out
    assert "HEAD runs as a canary (frontdesk): the daily run promotes or stops it." in running.err
    assert "run `optimizer deploy`" not in running.err  # deploying again would change nothing
    aborted = optimizer("deploy", "--abort", "frontdesk", cwd=example_repo)
    assert aborted.code == 0 and f"every session runs {stable[:12]}" in aborted.out
    after_abort = optimizer("status", cwd=example_repo)
    assert "canary frontdesk" not in after_abort.out
    assert "run `optimizer deploy` to ship HEAD (frontdesk differ)." in after_abort.err

    second = commit_change(example_repo, "\nOffer early check-in.\n")
    assert f"canary {second[:12]} started" in optimizer("deploy", cwd=example_repo).out
    both = optimizer("deploy", "--promote", "frontdesk", "--abort", "frontdesk", cwd=example_repo)
    assert both.code == 1 and "--promote and --abort: give one of them" in both.err
    promoted = optimizer("deploy", "--promote", "frontdesk", cwd=example_repo)
    assert promoted.code == 0 and f"canary {second[:12]} promoted: every session runs it now." in promoted.out
    status = optimizer("status", cwd=example_repo)
    assert "in sync" in status.out and "canary frontdesk" not in status.out
    with Runtime.from_config("frontdesk", example_repo) as runtime:
        assert {runtime.load(f"s{n}").version for n in range(20)} == {second}
