"""Faults in the middle of a run: each is retried, or fails cleanly, and the next run repairs the state.

What each fault leaves behind is asserted, then the repair.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

from optimizer.gitops.hosts.github import RETRIES
from tests.e2e.conftest import Result, git, optimizer
from tests.fakes.github.fixtures import (  # noqa: F401 (fixtures)
    BOT_TOKEN,
    agent_repo_fixture,
    clean_env_fixture,
    github_fixture,
)

BOT_ENV = {"GITHUB_TOKEN": BOT_TOKEN}
BRANCH = "optimizer/frontdesk"
CREATE = r"^/repos/acme/frontdesk/pulls\?$"
OPEN_LOOKUP = r"^/repos/acme/frontdesk/pulls\?.*state=open"


def created(github) -> int:
    return sum(1 for r in github.requests if r.method == "POST" and r.path.endswith("/pulls") and r.status == 201)


def test_a_502_when_opening_the_pull_request_is_retried(github, agent_repo):
    github.fail("POST", CREATE)

    result = optimizer("run", cwd=agent_repo, env=BOT_ENV)

    assert result.code == 0, result.err
    assert [p.number for p in github.pulls("open")] == [1]
    assert sum(1 for r in github.requests if r.method == "POST" and r.path.endswith("/pulls")) == 2


def test_a_502_after_github_opened_the_pull_request_ends_in_one_pull_request(github, agent_repo):
    github.fail("POST", CREATE, applied=True)  # GitHub opened it, the answer got lost; the retry meets "already exists"

    result = optimizer("run", cwd=agent_repo, env=BOT_ENV)

    assert result.code == 0, result.err
    assert "updated pull request #1" in result.out
    assert [p.number for p in github.pulls()] == [1]
    assert github.pulls()[0].labels == ["optimizer", "optimizer:frontdesk"]


def test_a_secondary_rate_limit_is_waited_out(github, agent_repo):
    github.rate_limit("GET", OPEN_LOOKUP, retry_after=1)

    result = optimizer("run", cwd=agent_repo, env=BOT_ENV)

    assert result.code == 0, result.err
    assert [r.status for r in github.requests if r.method == "GET" and "state=open" in r.query] == [403, 200]
    assert [p.number for p in github.pulls("open")] == [1]


def test_github_failing_for_good_stops_the_run_cleanly_and_the_next_run_repairs(github, agent_repo):
    github.fail("POST", CREATE, times=RETRIES + 1)  # the first try and every retry

    failed = optimizer("run", cwd=agent_repo, env=BOT_ENV)

    assert failed.code == 1
    assert failed.err.strip().splitlines()[-1].startswith("optimizer: error: publishing failed for frontdesk: GitHub")
    assert "kept failing to open a pull request from optimizer/frontdesk (too many 502 error responses" in failed.err
    assert "Traceback" not in failed.err and BOT_TOKEN not in failed.err
    assert github.git.sha(BRANCH) is not None and github.pulls() == []  # left behind: the branch, no PR

    repaired = optimizer("run", cwd=agent_repo, env=BOT_ENV)

    assert repaired.code == 0, repaired.err
    assert "opened pull request #1" in repaired.out


def test_a_502_on_the_update_is_not_retried_fails_cleanly_and_the_next_run_repairs(github, agent_repo):
    assert optimizer("run", cwd=agent_repo, env=BOT_ENV).code == 0
    old_body = github.pulls()[0].body
    github.fail("PATCH", r"^/repos/acme/frontdesk/pulls/1\?$")

    failed = optimizer("run", "--window-hours", "48", cwd=agent_repo, env=BOT_ENV)

    assert failed.code == 1
    assert "update pull request #1" in failed.err and "502" in failed.err
    assert github.pulls()[0].body == old_body  # left behind: the new branch pushed, the old description
    assert "(48 h)" not in github.pulls()[0].body

    repaired = optimizer("run", "--window-hours", "48", cwd=agent_repo, env=BOT_ENV)

    assert repaired.code == 0, repaired.err
    assert "(48 h)" in github.pulls()[0].body and len(github.pulls()) == 1


def test_a_run_killed_between_the_push_and_the_pull_request_is_repaired_by_the_next(github, agent_repo):
    held = github.hold("POST", CREATE)
    child = subprocess.Popen(
        [sys.executable, "-m", "optimizer", "run"],
        cwd=agent_repo,
        env={**os.environ, **BOT_ENV},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert held.arrived.wait(timeout=120), "the run never tried to open the pull request"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        held.release()
        if child.poll() is None:
            child.kill()
    pushed = github.git.sha(BRANCH)
    assert pushed is not None and github.pulls() == []  # left behind: the pushed branch, no pull request

    repaired = optimizer("run", cwd=agent_repo, env=BOT_ENV)

    assert repaired.code == 0, repaired.err
    assert [p.number for p in github.pulls("open")] == [1]
    assert github.pulls()[0].head == BRANCH and github.git.sha(BRANCH) == pushed  # same changes, not pushed again


def test_two_runs_at_once_end_with_one_pull_request(github, agent_repo, tmp_path):
    second = tmp_path / "second-runner"  # two CI jobs: two checkouts of the same repository
    git(tmp_path, "clone", "-q", str(agent_repo), str(second))
    git(second, "remote", "set-url", "origin", github.clone_url)
    github.barrier("GET", OPEN_LOOKUP, parties=2)  # both see "no pull request yet" at the same moment
    results: list[Result] = []

    def one_run(checkout) -> None:
        results.append(optimizer("run", cwd=checkout, env=BOT_ENV))

    runs = [threading.Thread(target=one_run, args=(checkout,)) for checkout in (agent_repo, second)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join(timeout=300)

    assert [r.code for r in results] == [0, 0], [r.err for r in results]
    assert sorted(r.out.split(" #")[0] for r in results) == [
        "frontdesk: opened pull request",
        "frontdesk: updated pull request",
    ]
    assert [p.number for p in github.pulls()] == [1]
    assert created(github) == 1


def test_a_wrong_token_is_a_clear_error_and_nothing_is_pushed(github, agent_repo):
    result = optimizer("run", cwd=agent_repo, env={"GITHUB_TOKEN": "ghp_" + "x" * 36})

    assert result.code == 1
    assert "GitHub rejected the token in GITHUB_TOKEN (401 Bad credentials)" in result.err
    assert "x" * 36 not in result.err
    assert github.git.sha(BRANCH) is None and github.pulls() == []


def test_no_token_names_the_variables_to_set(github, agent_repo):
    result = optimizer("run", cwd=agent_repo)

    assert result.code == 1
    assert "no GitHub token: set OPTIMIZER_GITHUB_TOKEN or GITHUB_TOKEN" in result.err
