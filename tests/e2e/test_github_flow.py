"""`optimizer run` publishing to GitHub, as the daily job does: through the CLI, against the local GitHub.

The emulator checks every request and response against GitHub's OpenAPI description, and its
repository is a real bare git repo: branches, pushes and merges are real.
"""

from __future__ import annotations

import json
import re

from tests.e2e.conftest import git, optimizer
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
BRANCH = "optimizer/frontdesk"
FINGERPRINT = re.compile(r"^Optimizer-Fingerprint: (\w+)$", re.MULTILINE)


def branch_log(github) -> list[str]:
    """The messages of the branch's commits on the remote, oldest first."""
    return [message for _sha, message in github.git.log("main", BRANCH)]


def successful(github, method: str, path: str) -> int:
    return sum(1 for r in github.requests if r.method == method and r.path == path and r.status < 300)


def test_the_first_run_opens_a_pull_request_and_the_next_one_updates_it(github, agent_repo):
    before = git(agent_repo, "status", "--porcelain"), git(agent_repo, "symbolic-ref", "HEAD")

    first = optimizer("run", cwd=agent_repo, env=BOT_ENV)

    assert first.code == 0, first.err
    assert "opened pull request #1" in first.out
    [pull] = github.pulls()
    assert (pull.state, pull.head, pull.base, pull.user.login) == ("open", BRANCH, "main", BOT)
    assert pull.title.startswith("optimizer(frontdesk): 3 proposals")
    assert "<!-- optimizer:meta" in pull.body
    assert pull.labels == ["optimizer", "optimizer:frontdesk"]
    assert [u.login for u in pull.requested_reviewers] == ["carol"]
    assert [u.login for u in pull.assignees] == ["ada"]
    log = branch_log(github)
    assert len(log) == 3 and all(FINGERPRINT.search(message) for message in log)
    assert github.git.merged_tree(github.git.sha("main"), github.git.sha(BRANCH)) is not None  # mergeable
    assert (git(agent_repo, "status", "--porcelain"), git(agent_repo, "symbolic-ref", "HEAD")) == before
    pushed = github.git.sha(BRANCH)
    patched = successful(github, "PATCH", "/repos/acme/frontdesk/pulls/1")  # the dashboard's link, once

    same = optimizer("run", cwd=agent_repo, env=BOT_ENV)

    assert same.code == 0, same.err
    assert "updated pull request #1" in same.out
    assert github.git.sha(BRANCH) == pushed  # same changes: no force-push, so reviews and checks stay
    assert successful(github, "PATCH", "/repos/acme/frontdesk/pulls/1") == patched + 1

    other = optimizer("run", "--window-hours", "48", cwd=agent_repo, env=BOT_ENV)

    assert other.code == 0, other.err
    assert "updated pull request #1" in other.out
    assert len(github.pulls()) == 1
    assert successful(github, "POST", "/repos/acme/frontdesk/pulls") == 1
    assert "(48 h)" in github.pulls()[0].body
    assert github.git.sha(BRANCH) != pushed and len(branch_log(github)) == 3  # rebuilt from the base
    assert "1 earlier pull request(s)" in other.err


def test_the_token_is_never_stored_or_printed(github, agent_repo):
    result = optimizer("run", cwd=agent_repo, env=BOT_ENV)

    assert result.code == 0, result.err
    assert BOT_TOKEN not in result.out + result.err
    config = (agent_repo / ".git" / "config").read_text()
    assert BOT_TOKEN not in config and "extraheader" not in config.lower()
    git_requests = [r for r in github.requests if r.path.endswith(("git-receive-pack", "git-upload-pack"))]
    assert git_requests and all(r.user == BOT for r in git_requests)  # git authenticated with the bot's token


def test_a_merge_is_recorded_as_approval(github, agent_repo):
    assert optimizer("run", "--window-hours", "24", cwd=agent_repo, env=BOT_ENV).code == 0
    merged = client(github, ADA_TOKEN).get_repo(github.full_name).get_pull(1).merge()
    assert merged.merged

    after = optimizer("run", "--window-hours", "24", cwd=agent_repo, env=BOT_ENV)

    assert after.code == 0, after.err
    assert "1 earlier pull request(s), 3 proposal(s) approved, 0 rejected" in after.err
    first, second = sorted(github.pulls(), key=lambda p: p.number)
    assert first.merged_at and second.state == "open"  # a new pull request for what is left
    # what is left: the duplicated block and the unused tool's declarations (issue 10), none of the merged
    assert second.head_sha_at_close is None and "Remove the duplicated block" in second.body
    assert "Stop declaring the unused tool issue_refund" in second.body
    assert "Retry check_availability" not in second.body
    assert github.git.sha(BRANCH) != first.head_sha_at_close


def test_a_close_with_a_review_teaches_it_not_to_ask_again_until_the_evidence_grows(github, agent_repo, tmp_path):
    assert optimizer("run", "--window-hours", "24", cwd=agent_repo, env=BOT_ENV).code == 0
    rejected = re.findall(r'"fingerprint":"(\w+)"', github.pulls()[0].body)
    ada = client(github, ADA_TOKEN).get_repo(github.full_name).get_pull(1)
    github.review(1, "ada", "The retry belongs in the booking service, and FAQ answers come from the owner.")
    github.review_comment(1, "carol", "This FAQ answer cannot stay a TODO.", "souls/frontdesk.yaml")
    ada.create_issue_comment("Closing: we fix check_availability itself. Contact ada@example.com for details.")
    ada.edit(state="closed")

    again = optimizer("run", "--window-hours", "24", "--output", tmp_path / "out", cwd=agent_repo, env=BOT_ENV)

    assert again.code == 0, again.err
    assert "withheld 3 rejected proposal(s)" in again.err
    # what is left is proposed afresh (issue 10: the unused tool, the duplicated block), nothing rejected
    [left] = github.pulls("open")
    proposals = (tmp_path / "out" / "proposals.json").read_text()
    proposed, _, not_again = left.body.partition("### Not proposed again")
    assert not any(fingerprint in proposals or fingerprint in proposed for fingerprint in rejected)
    assert all(fingerprint in not_again for fingerprint in rejected)  # the reviewer sees what was held back

    # an outage in the same window: check_availability now fails far more often per trace
    outage = [
        {
            "trace_id": f"outage-{n}",
            "agent": "frontdesk",
            "started_at": f"2026-11-19T{n % 24:02d}:{n % 60:02d}:00Z",
            "prompt_version": "78daf13e24",
            "tool_calls": [{"name": "check_availability", "ok": False, "error": "upstream timeout after 30s"}],
        }
        for n in range(900)
    ]
    (agent_repo / "examples" / "traces" / "frontdesk-outage.jsonl").write_text(
        "".join(json.dumps(trace) + "\n" for trace in outage), encoding="utf-8"
    )
    grown = optimizer("run", "--window-hours", "24", cwd=agent_repo, env=BOT_ENV)

    assert grown.code == 0, grown.err
    [pull] = github.pulls("open")
    assert "**Rejected before** in #1" in pull.body
    assert "The retry belongs in the booking service" in pull.body
    assert "Closing: we fix check" in pull.body and "ada@example.com" not in pull.body  # redacted
    assert "This FAQ answer cannot stay a TODO." in pull.body  # a review comment on a line, too
    assert "It is back because its evidence grew" in pull.body


def test_a_persons_commit_on_the_branch_is_left_alone_and_the_findings_go_into_a_comment(github, agent_repo, tmp_path):
    assert optimizer("run", cwd=agent_repo, env=BOT_ENV).code == 0
    work = tmp_path / "ada-clone"
    git(tmp_path, "clone", "-q", "-b", BRANCH, str(github.git.path), str(work))
    (work / "souls" / "frontdesk.yaml").write_text((work / "souls" / "frontdesk.yaml").read_text() + "# ada's note\n")
    git(work, "commit", "-qam", "Reword the retry rule")
    git(work, "push", "-q", "origin", BRANCH)
    hers = github.git.sha(BRANCH)

    result = optimizer("run", "--window-hours", "48", cwd=agent_repo, env=BOT_ENV)

    assert result.code == 0, result.err
    assert "commented on #1" in result.out
    assert github.git.sha(BRANCH) == hers  # not rewritten
    [comment] = [c for c in github.comments(1) if c.user.login == BOT]
    assert "not the optimizer's" in comment.body and "Reword the retry rule" in comment.body

    again = optimizer("run", "--window-hours", "48", cwd=agent_repo, env=BOT_ENV)

    assert again.code == 0, again.err
    assert len([c for c in github.comments(1) if c.user.login == BOT]) == 1  # said once, not every day
    assert github.git.sha(BRANCH) == hers


def test_without_a_github_repository_the_branch_is_built_locally_and_nothing_is_published(clean_env, example_repo):
    result = optimizer("run", cwd=example_repo, env={"GITHUB_TOKEN": BOT_TOKEN})

    assert result.code == 0, result.err
    assert "not published: no GitHub repository" in result.err
    assert "optimizer/frontdesk" in git(example_repo, "branch", "--list")
