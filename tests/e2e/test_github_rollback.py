"""`optimizer rollback` when the repository publishes to GitHub: the branch is pushed and its pull
request opened, labelled rollback, through the CLI against the local GitHub (real PyGithub)."""

from __future__ import annotations

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

BRANCH = "optimizer-rollback/frontdesk"
PROMPT = "prompts/frontdesk/system.md"


def change_the_prompt(github, tmp_path) -> str:
    """Ada changes a prompt and pushes it to main; returns the version before."""
    before = github.git.sha("main")
    work = tmp_path / "ada-clone"
    git(tmp_path, "clone", "-q", str(github.git.path), str(work))
    prompt = work / PROMPT
    prompt.write_text(prompt.read_text() + "\nAlways upsell the spa.\n")
    git(work, "commit", "-qam", "Upsell the spa")
    git(work, "push", "-q", "origin", "HEAD:refs/heads/main")
    return before


def test_rollback_opens_one_pull_request_that_restores_the_files(github, agent_repo, tmp_path):
    old = change_the_prompt(github, tmp_path)
    checkout = git(agent_repo, "status", "--porcelain"), git(agent_repo, "rev-parse", "HEAD")
    env = {"GITHUB_TOKEN": BOT_TOKEN}

    result = optimizer(
        "rollback", "frontdesk", "--to", old, "--reason", "the spa line annoys guests", cwd=agent_repo, env=env
    )

    assert result.code == 0, result.err
    [pull] = [p for p in github.pulls() if p.head == BRANCH]
    assert f"frontdesk: opened rollback pull request #{pull.number}" in result.out
    assert (pull.state, pull.base, pull.user.login) == ("open", "main", BOT)
    assert pull.labels == ["rollback", "optimizer:frontdesk"]
    assert pull.title == f"optimizer(frontdesk): roll back to {old[:12]}"
    assert "the spa line annoys guests" in pull.body
    [(_sha, message)] = github.git.log("main", BRANCH)
    assert f"Optimizer-Rollback: frontdesk {old}" in message
    for path in ("souls", "prompts/frontdesk"):
        assert github.git.git("rev-parse", f"{BRANCH}:{path}") == github.git.git("rev-parse", f"{old}:{path}")
    assert "Always upsell the spa" in github.git.git("show", f"main:{PROMPT}")  # main itself is untouched
    assert (git(agent_repo, "status", "--porcelain"), git(agent_repo, "rev-parse", "HEAD")) == checkout

    again = optimizer("rollback", "frontdesk", "--to", old, cwd=agent_repo, env=env)

    assert again.code == 0, again.err
    assert f"frontdesk: updated rollback pull request #{pull.number}" in again.out
    [updated] = [p for p in github.pulls() if p.head == BRANCH]
    assert updated.number == pull.number and "not given (pass --reason)" in updated.body


def test_without_a_github_target_rollback_prints_the_pull_request(github, agent_repo, tmp_path):
    old = git(agent_repo, "rev-parse", "HEAD").strip()
    prompt = agent_repo / PROMPT
    prompt.write_text(prompt.read_text() + "\nAlways upsell the spa.\n")
    git(agent_repo, "commit", "-qam", "Upsell the spa")
    git(agent_repo, "remote", "remove", "origin")

    result = optimizer("rollback", "frontdesk", "--to", old, cwd=agent_repo)

    assert result.code == 0, result.err
    assert result.out.startswith(f"# optimizer(frontdesk): roll back to {old[:12]}")
    assert f"branch {BRANCH} ->" in result.err
    assert github.pulls() == []
