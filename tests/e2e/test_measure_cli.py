"""The daily run measures the newest prompt version against the previous one, through the CLI, on
generated traces with a known effect: the verdicts, the run record, and the revert when it hurt.

The repo is the shipped example with one merged change, so both versions are real commits: the
previous one (the example) and the merge commit that introduced the newest.
"""

from __future__ import annotations

import pytest

from optimizer.deploy.local import LocalRegistry
from tests.e2e.conftest import git, optimizer
from tests.support.known_effects import END, Batch, write_traces

NOW = END.strftime("%Y-%m-%dT%H:%M:%SZ")
ROLLBACK = "optimizer/rollback-frontdesk"


@pytest.fixture
def versions(example_repo):
    """(repo, previous version, newest version): the example, then a merge of one prompt change."""
    repo = example_repo
    before = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "checkout", "-q", "-b", "harbour-view")
    prompt = repo / "prompts" / "frontdesk" / "system.md"
    prompt.write_text(prompt.read_text() + "\nMention the harbour view when a guest asks about rooms.\n")
    git(repo, "commit", "-qam", "Mention the harbour view")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "harbour-view", "-m", "Merge pull request #7 from acme/harbour-view")
    return repo, before, git(repo, "rev-parse", "HEAD").strip()


def run(repo, traces, *args):
    return optimizer("run", "--traces", traces, "--now", NOW, "--window-hours", "24", *args, cwd=repo)


def record(repo):
    [latest, *_] = LocalRegistry(repo / ".optimizer" / "registry.sqlite3").runs("frontdesk")
    return latest.measurement


def verdicts(measurement) -> dict[str, str]:
    return {change["metric"]: change["verdict"] for change in measurement["changes"]}


def test_a_change_that_halves_a_failure_rate_is_better(versions, tmp_path):
    repo, old, new = versions
    traces = tmp_path / "traces.jsonl"
    write_traces(
        traces,
        [Batch(old, 1100, 1, 4, failure_rate=0.30, seed=1), Batch(new, 1100, 5, 3, failure_rate=0.15, seed=2)],
    )

    result = run(repo, traces)

    assert result.code == 0, result.err
    assert "last change: tool check_availability failure rate 30.0% → 15.0% (n = 1,100 → 1,100): better" in result.err
    measured = record(repo)
    assert verdicts(measured)["tool check_availability failure rate"] == "better"
    assert verdicts(measured)["cost per trace"] == "no detectable change"
    assert (measured["baseline"]["prompt_version"], measured["newest"]["prompt_version"]) == (old, new)
    assert measured["revert"] is False and "rollback" not in measured
    assert ROLLBACK not in git(repo, "branch", "--list")


def test_a_change_that_raises_cost_30_percent_is_worse_and_its_merge_is_reverted(versions, tmp_path):
    repo, old, new = versions
    traces = tmp_path / "traces.jsonl"
    write_traces(traces, [Batch(old, 800, 1, 4, cost=0.02, seed=3), Batch(new, 800, 5, 3, cost=0.026, seed=4)])
    checkout = git(repo, "status", "--porcelain"), git(repo, "rev-parse", "HEAD"), git(repo, "symbolic-ref", "HEAD")

    result = run(repo, traces)

    assert result.code == 0, result.err
    measured = record(repo)
    cost = next(c for c in measured["changes"] if c["metric"] == "cost per trace")
    assert cost["verdict"] == "worse" and 0.2 < cost["after"] / cost["before"] - 1 < 0.4 and cost["ci95"][0] > 0
    assert measured["revert"] is True and measured["breaches"] == ["cost per trace"]
    assert f"{ROLLBACK} -> " in result.out
    # a real `git revert -m 1` of the merge: the previous version's files, on top of main
    head = git(repo, "rev-parse", ROLLBACK).strip()
    assert measured["rollback"] == {"version": new, "branch": ROLLBACK, "head_sha": head, "refused": None}
    assert git(repo, "rev-parse", f"{head}^{{tree}}") == git(repo, "rev-parse", f"{old}^{{tree}}")
    assert git(repo, "rev-parse", f"{head}^@").split() == [new]
    message = git(repo, "log", "-1", "--format=%B", head)
    assert f"This reverts commit {new}, reversing\nchanges made to {old}." in message
    assert f"Optimizer-Reverts: frontdesk {new}" in message
    # the user's checkout is untouched
    assert (git(repo, "status", "--porcelain"), git(repo, "rev-parse", "HEAD"), git(repo, "symbolic-ref", "HEAD")) == (
        checkout
    )


def test_a_dry_run_prints_the_revert_and_moves_nothing(versions, tmp_path):
    repo, old, new = versions
    traces = tmp_path / "traces.jsonl"
    write_traces(traces, [Batch(old, 800, 1, 4, cost=0.02, seed=3), Batch(new, 800, 5, 3, cost=0.026, seed=4)])

    result = run(repo, traces, "--dry-run")

    assert result.code == 0, result.err
    assert f"# optimizer(frontdesk): roll back {new[:12]} — cost per trace $0.0198 → $0.0261\n" in result.out
    assert "**cost per trace**" in result.out and "(guard: +10%)" in result.out
    assert f"---- diff: {ROLLBACK} (1 commit) ----" in result.out
    assert "-Mention the harbour view when a guest asks about rooms." in result.out
    assert ROLLBACK not in git(repo, "branch", "--list") and not (repo / ".optimizer").exists()


def test_a_change_with_no_effect_detects_nothing(versions, tmp_path):
    repo, old, new = versions
    traces = tmp_path / "traces.jsonl"
    write_traces(traces, [Batch(old, 900, 1, 4, seed=5), Batch(new, 900, 5, 3, seed=6)])

    result = run(repo, traces)

    assert result.code == 0, result.err
    assert "last change: no detectable change on any guarded metric" in result.err
    assert set(verdicts(record(repo)).values()) == {"no detectable change"}
    assert ROLLBACK not in git(repo, "branch", "--list")


def test_thresholds_and_sample_sizes_come_from_the_measure_section(versions, tmp_path):
    repo, old, new = versions
    traces = tmp_path / "traces.jsonl"
    write_traces(traces, [Batch(old, 800, 1, 4, cost=0.02, seed=3), Batch(new, 800, 5, 3, cost=0.026, seed=4)])
    config = repo / "optimizer.yaml"
    original = config.read_text()

    config.write_text(original + "measure:\n  guards: {cost_per_trace: 0.5}\n")
    lenient = run(repo, traces)
    config.write_text(original + "measure:\n  min_samples: 5000\n")
    strict = run(repo, traces)
    config.write_text(original + "measure:\n  guards: {cost_per_trace: -1}\n")
    broken = run(repo, traces)

    assert lenient.code == 0, lenient.err
    assert strict.code == 0, strict.err
    [second, first] = LocalRegistry(repo / ".optimizer" / "registry.sqlite3").runs("frontdesk")
    assert verdicts(first.measurement)["cost per trace"] == "worse" and first.measurement["revert"] is False
    assert set(verdicts(second.measurement).values()) == {"too little data"}
    assert ROLLBACK not in git(repo, "branch", "--list")
    assert broken.code == 1 and "optimizer.yaml" in broken.err and "cost_per_trace" in broken.err


def test_one_version_only_is_nothing_to_compare(versions, tmp_path):
    repo, _old, new = versions
    traces = tmp_path / "traces.jsonl"
    write_traces(traces, [Batch(new, 500, 1, 7, seed=7)])

    result = run(repo, traces)

    assert result.code == 0, result.err
    assert "nothing to compare yet" in result.err
    assert record(repo)["baseline"] is None and record(repo)["revert"] is False


def test_a_newest_version_that_is_no_commit_here_is_reported_not_reverted(versions, tmp_path):
    repo, old, _new = versions
    traces = tmp_path / "traces.jsonl"
    stranger = "0123456789abcdef0123456789abcdef01234567"
    write_traces(traces, [Batch(old, 800, 1, 4, cost=0.02, seed=3), Batch(stranger, 800, 5, 3, cost=0.026, seed=4)])

    result = run(repo, traces)

    assert result.code == 0, result.err
    assert "rollback not proposed: version 0123456789abcdef" in result.err and "revert it by hand" in result.err
    assert record(repo)["rollback"]["refused"].startswith("version 0123456789abcdef")
    assert ROLLBACK not in git(repo, "branch", "--list")


def test_a_merge_that_touched_more_than_prompts_and_souls_is_not_reverted_by_the_bot(example_repo, tmp_path):
    repo = example_repo
    old = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "checkout", "-q", "-b", "tooling")
    (repo / "prompts" / "frontdesk" / "system.md").write_text("Changed.\n" * 40)
    (repo / "Makefile").write_text("all:\n\ttrue\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "Prompt and tooling")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "tooling", "-m", "Merge tooling")
    new = git(repo, "rev-parse", "HEAD").strip()
    traces = tmp_path / "traces.jsonl"
    write_traces(traces, [Batch(old, 800, 1, 4, cost=0.02, seed=3), Batch(new, 800, 5, 3, cost=0.026, seed=4)])

    result = run(repo, traces)

    assert result.code == 0, result.err
    assert "rollback not proposed: reverting" in result.err and "would change Makefile" in result.err
    assert "Revert it by hand." in result.err
    assert ROLLBACK not in git(repo, "branch", "--list")
