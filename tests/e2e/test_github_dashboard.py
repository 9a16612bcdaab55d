"""The dashboard issue through the CLI, against the local GitHub: opened by the first run, updated in
place by the next day's, items ticked off when their finding is gone and kept quiet when ignored."""

from __future__ import annotations

import json
import re

from tests.e2e.conftest import optimizer
from tests.fakes.github.fixtures import (  # noqa: F401 (fixtures)
    ADA_TOKEN,
    BOT,
    BOT_TOKEN,
    agent_repo_fixture,
    clean_env_fixture,
    client,
    github_fixture,
)

BOT_ENV = {"GITHUB_TOKEN": BOT_TOKEN}
UNUSED = "Decide about the unused tool issue\\_refund"
REFUNDS = "Look into escalations on “refund”"


def line_of(body: str, title: str) -> str:
    [line] = [line for line in body.splitlines() if title in line and line.startswith("- [")]
    return line


def successful(github, method: str, path: str) -> int:
    return sum(1 for r in github.requests if r.method == method and r.path == path and r.status < 300)


def test_the_dashboard_is_opened_then_updated_in_place_ticking_off_what_is_gone(github, agent_repo):
    first = optimizer("run", cwd=agent_repo, env=BOT_ENV)

    assert first.code == 0, first.err
    [board] = github.issues()
    assert f"frontdesk: opened dashboard issue #{board.number}" in first.out
    assert board.user.login == BOT and board.title == "optimizer(frontdesk): action items dashboard"
    assert {"optimizer:dashboard", "optimizer:frontdesk"} <= set(board.labels)
    assert line_of(board.body, UNUSED).startswith("- [ ] ")
    assert "first seen `2026-11-20` · last seen `2026-11-20`" in line_of(board.body, UNUSED)
    assert "[#1](" in board.body  # the run's pull request
    [pull] = github.pulls()
    assert f"[#{board.number}](" in pull.body and "**A1." not in pull.body  # the work for humans is not repeated

    # Ada ticks the refund escalations: ignored. Next day, issue_refund is called: its finding is gone.
    ada = client(github, ADA_TOKEN).get_repo(github.full_name).get_issue(board.number)
    ticked = board.body.replace(line_of(board.body, REFUNDS), "- [x" + line_of(board.body, REFUNDS)[4:])
    ada.edit(body=ticked)
    called = {
        "trace_id": "refund-call",
        "agent": "frontdesk",
        "started_at": "2026-11-20T09:00:00Z",
        "prompt_version": "78daf13e24",
        "tool_calls": [{"name": "issue_refund", "ok": True}],
    }
    (agent_repo / "examples" / "traces" / "frontdesk-2026-11-20.jsonl").write_text(json.dumps(called) + "\n")

    second = optimizer("run", "--now", "2026-11-21T00:00:00Z", cwd=agent_repo, env=BOT_ENV)

    assert second.code == 0, second.err
    assert f"frontdesk: updated dashboard issue #{board.number}" in second.out
    [board] = github.issues()  # the same one, in place
    assert successful(github, "POST", "/repos/acme/frontdesk/issues") == 1
    done = board.body[board.body.index("### Done") :]
    assert re.search(r"^- \[x\] ~~" + re.escape(UNUSED) + "~~ .*finding gone since `2026-11-21`", done, re.M)
    ignored = board.body[board.body.index("### Ignored") : board.body.index("### Done")]
    assert REFUNDS in ignored and "back at" in ignored
    opened = board.body[board.body.index("### Open") : board.body.index("### Ignored")]
    assert REFUNDS not in opened and UNUSED not in opened
    tool = line_of(board.body, "Fix the check\\_availability tool")
    assert tool.startswith("- [ ] ") and "first seen `2026-11-20` · last seen `2026-11-21`" in tool


def test_a_run_with_only_action_items_opens_no_pull_request_but_still_updates_the_dashboard(github, agent_repo):
    config = agent_repo / "optimizer.yaml"
    config.write_text(config.read_text().replace("max_proposals: 3", "max_proposals: 0"), encoding="utf-8")

    result = optimizer("run", cwd=agent_repo, env=BOT_ENV)

    assert result.code == 0, result.err
    assert github.pulls() == []
    [board] = github.issues()
    assert "frontdesk: opened dashboard issue #1" in result.out
    assert line_of(board.body, "Fix the check\\_availability tool").startswith("- [ ] ")
    assert "Retry check\\_availability once" not in board.body  # a prompt edit, not work for humans


def test_a_closed_dashboard_is_reopened_while_an_item_is_open_rather_than_a_second_one_opened(github, agent_repo):
    assert optimizer("run", cwd=agent_repo, env=BOT_ENV).code == 0
    [board] = github.issues()
    client(github, ADA_TOKEN).get_repo(github.full_name).get_issue(board.number).edit(state="closed")

    again = optimizer("run", cwd=agent_repo, env=BOT_ENV)

    assert again.code == 0, again.err
    assert f"frontdesk: reopened dashboard issue #{board.number}" in again.out
    [board] = github.issues()
    assert board.state == "open"
