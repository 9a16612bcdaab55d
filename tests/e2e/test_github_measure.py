"""Measuring merged changes on GitHub, through the CLI against the local GitHub: the revert pull
request of a regression within one daily run, the effect of a merged proposal in the next pull
request and the run record, the report's decisions, and the webhook.

Versions are real merge commits of the emulator's bare repo, and the generated traces carry them.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from markdown_it import MarkdownIt

from optimizer.deploy.local import LocalRegistry
from optimizer.gitops.hosts.github import RETRIES
from tests.e2e.conftest import optimizer
from tests.fakes.github.fixtures import (  # noqa: F401 (fixtures)
    ADA_TOKEN,
    BOT,
    BOT_TOKEN,
    agent_repo_fixture,
    clean_env_fixture,
    client,
    git,
    github_fixture,
)
from tests.fakes.webhook import Webhook
from tests.support.known_effects import END, START, Batch, per_day, write_traces
from tests.support.mermaid import check_xychart

ROLLBACK = "optimizer/rollback-frontdesk"
NOW = END.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def webhook():
    with Webhook() as hook:
        yield hook


def merge_a_change(github, tmp_path) -> tuple[str, str]:
    """Ada changes a prompt in a pull request and merges it: (the version before, the merge commit)."""
    before = github.git.sha("main")
    work = tmp_path / "ada-clone"
    git(tmp_path, "clone", "-q", str(github.git.path), str(work))
    prompt = work / "prompts" / "frontdesk" / "system.md"
    prompt.write_text(prompt.read_text() + "\nMention the harbour view when a guest asks about rooms.\n")
    git(work, "commit", "-qam", "Mention the harbour view")
    git(work, "push", "-q", "origin", "HEAD:refs/heads/harbour-view")
    repo = client(github, ADA_TOKEN).get_repo(github.full_name)
    merged = repo.create_pull(base="main", head="harbour-view", title="Mention the harbour view", body="").merge()
    return before, merged.sha


def daily_run(agent_repo, traces, env, now=NOW):
    return optimizer("run", "--traces", traces, "--now", now, "--window-hours", "24", cwd=agent_repo, env=env)


def rollbacks(github):
    return [pull for pull in github.pulls() if pull.head == ROLLBACK]


def pull_url(github, pull) -> str:
    return f"{github.clone_url.removesuffix('.git')}/pull/{pull.number}"


def tree(github, ref: str) -> str:
    return github.git.git("rev-parse", f"{ref}^{{tree}}")


def test_a_regression_gets_its_revert_pull_request_in_the_next_daily_run(github, agent_repo, tmp_path, webhook):
    old, new = merge_a_change(github, tmp_path)
    traces = tmp_path / "traces.jsonl"
    write_traces(traces, [Batch(old, 800, 1, 4, cost=0.02, seed=3), Batch(new, 800, 5, 3, cost=0.026, seed=4)])
    checkout = git(agent_repo, "status", "--porcelain"), git(agent_repo, "rev-parse", "HEAD")
    env = {"GITHUB_TOKEN": BOT_TOKEN, "OPTIMIZER_WEBHOOK_URL": webhook.url}

    result = daily_run(agent_repo, traces, env)

    assert result.code == 0, result.err
    [pull] = rollbacks(github)
    assert f"opened rollback pull request #{pull.number}" in result.out
    assert (pull.state, pull.base, pull.user.login, pull.merged_at) == ("open", "main", BOT, None)
    assert pull.labels == ["rollback", "optimizer:frontdesk"]
    assert pull.title.startswith(f"optimizer(frontdesk): roll back {new[:12]} — cost per trace $0.0198 → $0.0261")
    assert f"git revert -m 1 {new[:12]}" in pull.body and "| cost per trace |" in pull.body
    assert "**worse**" in pull.body and "(guard: +10%)" in pull.body
    # the branch is the revert of the merge on top of main: the files as they were before it
    [(sha, message)] = github.git.log("main", ROLLBACK)
    assert message.startswith('Revert "Merge pull request #1 from harbour-view')
    assert f"This reverts commit {new}, reversing\nchanges made to {old}." in message
    assert github.git.git("rev-parse", f"{sha}^@").split() == [new] == [github.git.sha("main")]
    assert tree(github, ROLLBACK) == tree(github, old)
    # the optimizer's own pull request says so too, and the webhook heard of both
    [proposals] = [p for p in github.pulls() if p.head == "optimizer/frontdesk"]
    assert "### What the last change did" in proposals.body
    assert f"this run proposes its revert on branch `{ROLLBACK}`" in proposals.body
    assert len(webhook.texts) == 2
    assert (
        webhook.texts[0]
        == f"optimizer opened a pull request for frontdesk: {proposals.title} {pull_url(github, proposals)}"
    )
    assert webhook.texts[1].startswith(f"optimizer proposes rolling back frontdesk version {new[:12]}: cost per trace")
    assert webhook.texts[1].endswith(f" {pull_url(github, pull)}")
    assert (git(agent_repo, "status", "--porcelain"), git(agent_repo, "rev-parse", "HEAD")) == checkout
    # the run record carries both pull requests' URLs
    [record] = LocalRegistry(agent_repo / ".optimizer" / "registry.sqlite3").runs("frontdesk")
    assert (record.outcome, record.pr_url) == ("proposed", pull_url(github, proposals))
    assert record.measurement and record.measurement["rollback"]["pr_url"] == pull_url(github, pull)

    again = daily_run(agent_repo, traces, env)

    assert again.code == 0, again.err
    assert f"rollback already proposed in #{pull.number}" in again.out
    assert len(rollbacks(github)) == 1 and len(webhook.texts) == 2  # nothing new to say

    client(github, ADA_TOKEN).get_repo(github.full_name).get_pull(pull.number).edit(state="closed")
    after_close = daily_run(agent_repo, traces, env)

    assert after_close.code == 0, after_close.err
    assert len(rollbacks(github)) == 1  # closing it keeps the version: never proposed again
    assert "(closed): not again" in after_close.err


def test_with_auto_merge_the_revert_is_merged_and_main_has_the_previous_files(github, agent_repo, tmp_path):
    old, new = merge_a_change(github, tmp_path)
    traces = tmp_path / "traces.jsonl"
    write_traces(traces, [Batch(old, 800, 1, 4, cost=0.02, seed=3), Batch(new, 800, 5, 3, cost=0.026, seed=4)])
    config = agent_repo / "optimizer.yaml"
    config.write_text(config.read_text() + "measure:\n  auto_merge_rollback: true\n")

    result = daily_run(agent_repo, traces, {"GITHUB_TOKEN": BOT_TOKEN})

    assert result.code == 0, result.err
    [pull] = rollbacks(github)
    assert "opened and merged rollback pull request" in result.out
    assert pull.merged_at and pull.merged_by.login == BOT
    assert tree(github, "main") == tree(github, old)
    assert "the optimizer merges it right away" in pull.body


def test_a_failing_webhook_is_a_warning_and_the_run_goes_on(github, agent_repo, tmp_path):
    old, new = merge_a_change(github, tmp_path)
    traces = tmp_path / "traces.jsonl"
    write_traces(traces, [Batch(old, 800, 1, 4, cost=0.02, seed=3), Batch(new, 800, 5, 3, cost=0.026, seed=4)])

    with Webhook(status=500) as broken:
        result = daily_run(agent_repo, traces, {"GITHUB_TOKEN": BOT_TOKEN, "OPTIMIZER_WEBHOOK_URL": broken.url})

    assert result.code == 0, result.err
    assert len(rollbacks(github)) == 1
    assert "warning: notification failed" in result.err and "the run goes on" in result.err
    assert "s3cr3tw3bh00k" not in result.out + result.err
    assert len(broken.received) == 1  # one failure is enough: the rest is not tried


def test_a_merged_proposal_is_measured_on_its_own_metric_and_reported(github, agent_repo, tmp_path, webhook):
    # Day 4: check_availability fails a third of the time; the run proposes a retry rule (PR #1).
    before = github.git.sha("main")
    traces = tmp_path / "traces.jsonl"
    failing = Batch(before, 1100, 1, 4, failure_rate=0.33, seed=1)
    write_traces(traces, [failing])
    first = daily_run(agent_repo, traces, {"GITHUB_TOKEN": BOT_TOKEN}, now=(START + timedelta(days=4)).isoformat())
    assert first.code == 0, first.err
    [opened] = github.pulls()
    retry = re.search(r'"fingerprint":"(\w+)","title":"([^"]*check_availability[^"]*)"', opened.body)
    assert retry, opened.body
    merged = client(github, ADA_TOKEN).get_repo(github.full_name).get_pull(opened.number).merge()
    # Days 5-7: the merged version fails 4% of the time; guests ask about parking (a new proposal).
    fixed = Batch(merged.sha, 420, 5, 3, failure_rate=0.04, seed=2, unanswered=40)
    written = write_traces(traces, [failing, fixed])
    env = {"GITHUB_TOKEN": BOT_TOKEN, "OPTIMIZER_WEBHOOK_URL": webhook.url}

    second = daily_run(agent_repo, traces, env)

    assert second.code == 0, second.err
    effect = "tool check_availability failure rate 33.0% → 4.0% (n = 1,100 → 420): better"
    [latest] = [p for p in github.pulls("open") if p.head == "optimizer/frontdesk"]
    assert f"{retry.group(2)} (#{opened.number}): {effect}" in latest.body.replace("\\_", "_")
    record = LocalRegistry(agent_repo / ".optimizer" / "registry.sqlite3").runs("frontdesk")[0].measurement
    [stored] = [d for d in record["decisions"] if d["fingerprint"] == retry.group(1)]
    assert (stored["outcome"], stored["merge_sha"], stored["pr_number"]) == ("approved", merged.sha, opened.number)
    [change] = stored["effects"]
    assert (change["verdict"], change["n_before"], change["n_after"]) == ("better", 1100, 420)
    assert (round(change["before"], 3), round(change["after"], 3)) == (0.33, 0.040)
    assert rollbacks(github) == []  # better is kept
    assert f"optimizer pull request #{opened.number} for frontdesk was merged" in webhook.texts[0]
    assert (
        webhook.texts[1] == f"optimizer opened a pull request for frontdesk: {latest.title} {pull_url(github, latest)}"
    )

    # The weekly report: numbers per day, decisions from GitHub with their measured effect.
    report = optimizer("report", "--traces", traces, "--now", NOW, "--format", "json", cwd=agent_repo, env=env)

    assert report.code == 0, report.err
    [agent] = json.loads(report.out)["agents"]
    assert {d["day"]: d["traces"] for d in agent["days"] if d["traces"]} == per_day(written)
    assert [d["day"] for d in agent["days"]] == [(START + timedelta(days=n)).date().isoformat() for n in range(7)]
    assert agent["days"][3]["tool_failure_rate"] == round(
        sum(1 for t in written if t["started_at"].startswith("2026-11-17") and not t["tool_calls"][0]["ok"])
        / per_day(written)["2026-11-17"],
        4,
    )
    assert [(v["prompt_version"], v["traces"]) for v in agent["versions"]] == [(before, 1100), (merged.sha, 420)]
    [decision] = [d for d in agent["decisions"] if d["fingerprint"] == retry.group(1)]
    assert decision["outcome"] == "approved" and decision["pr_number"] == opened.number
    assert [(e["metric"], e["verdict"], e["n_before"], e["n_after"]) for e in decision["effects"]] == [
        ("tool check_availability failure rate", "better", 1100, 420)
    ]

    markdown = optimizer("report", "--traces", traces, "--now", NOW, cwd=agent_repo, env=env)

    assert markdown.code == 0, markdown.err
    md = MarkdownIt("commonmark").enable("table")
    charts = [t.content for t in md.parse(markdown.out) if t.type == "fence" and t.info == "mermaid"]
    assert len(charts) == 3
    for chart in charts:
        check_xychart(chart, points=7)
    html = md.render(markdown.out)
    assert html.count("<table>") == 2 and effect in html

    # Without a token the decisions come from the run records, with the same effect.
    offline = optimizer("report", "--traces", traces, "--now", NOW, cwd=agent_repo)

    assert offline.code == 0, offline.err
    assert "decisions read from the run records instead of GitHub" in offline.err
    assert effect in md.render(offline.out)


def test_github_failing_to_open_the_revert_stops_cleanly_and_the_next_run_opens_it(github, agent_repo, tmp_path):
    old, new = merge_a_change(github, tmp_path)
    traces = tmp_path / "traces.jsonl"
    write_traces(traces, [Batch(old, 800, 1, 4, cost=0.02, seed=3), Batch(new, 800, 5, 3, cost=0.026, seed=4)])
    # the optimizer's own pull request opens first; the revert's (the second) fails, retries included
    github.fail("POST", r"^/repos/acme/frontdesk/pulls\?$", nth=2, times=RETRIES + 1)

    failed = daily_run(agent_repo, traces, {"GITHUB_TOKEN": BOT_TOKEN})

    assert failed.code == 1
    assert "publishing failed for frontdesk: rollback: GitHub" in failed.err and "Traceback" not in failed.err
    assert rollbacks(github) == [] and github.git.sha(ROLLBACK) is not None  # left behind: the pushed branch

    repaired = daily_run(agent_repo, traces, {"GITHUB_TOKEN": BOT_TOKEN})

    assert repaired.code == 0, repaired.err
    [pull] = rollbacks(github)
    assert f"opened rollback pull request #{pull.number}" in repaired.out
    assert tree(github, ROLLBACK) == tree(github, old) and len(github.git.log("main", ROLLBACK)) == 1


def test_a_report_github_refuses_falls_back_to_the_run_records_and_says_why(github, agent_repo, tmp_path):
    traces = tmp_path / "traces.jsonl"
    write_traces(traces, [Batch(github.git.sha("main"), 300, 1, 7, seed=9)])
    wrong = "ghp_" + "W0ng" * 9

    report = optimizer("report", "--traces", traces, "--now", NOW, cwd=agent_repo, env={"GITHUB_TOKEN": wrong})

    assert report.code == 0, report.err
    assert "warning: decisions read from the run records instead of GitHub: GitHub rejected the token" in report.err
    assert wrong not in report.err + report.out
    assert "No optimizer proposal was merged or rejected in this period." in report.out
