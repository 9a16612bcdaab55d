"""Pytest fixtures for the GitHub tests: the emulator, people and their clients, an agent repo that publishes.

Import the fixture functions into a test module (``from tests.fakes.github.fixtures import
github_fixture  # noqa: F401``); each registers under its ``name``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from github import Auth, Github

from tests.fakes.github.server import GitHubEmulator

PROJECT = Path(__file__).resolve().parents[3]
# Shaped like GitHub's tokens, so the redaction and masking rules see them as what they are.
BOT_TOKEN = "ghs_" + "B0t" * 12
ADA_TOKEN = "ghp_" + "Ad4" * 12
BOB_TOKEN = "ghp_" + "B0b" * 12
CAROL_TOKEN = "ghp_" + "C4r" * 12
BOT = "optimizer-app[bot]"
_SCRUBBED = ("GITHUB_TOKEN", "OPTIMIZER_GITHUB_TOKEN", "GITHUB_REPOSITORY", "GITHUB_API_URL", "GITHUB_EVENT_PATH")


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture(name="clean_env")
def clean_env_fixture(monkeypatch: pytest.MonkeyPatch) -> None:
    """No GitHub variables from the machine running the tests; a pinned git identity (a private $HOME
    for every test: tests/conftest.py)."""
    for name in _SCRUBBED:
        monkeypatch.delenv(name, raising=False)
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Ada")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "ada@example.com")


@pytest.fixture(name="github")
def github_fixture(tmp_path: Path, clean_env: None) -> Iterator[GitHubEmulator]:
    """A local GitHub with the optimizer's bot and three people; fails the test on any contract violation."""
    with GitHubEmulator(tmp_path / "github") as emulator:
        emulator.add_user(BOT, token=BOT_TOKEN, type="Bot", permission="write")
        emulator.add_user("ada", token=ADA_TOKEN, permission="admin")
        emulator.add_user("bob", token=BOB_TOKEN, permission="read")
        emulator.add_user("carol", token=CAROL_TOKEN, permission="write")
        yield emulator
    assert emulator.violations == [], "requests or responses broke GitHub's contract:\n" + "\n".join(
        emulator.violations
    )
    leaked = [r for r in emulator.requests if BOT_TOKEN.encode() in r.body]
    assert not leaked, f"the bot's token was sent in a request body: {leaked[0].method} {leaked[0].path}"


def client(github: GitHubEmulator, token: str) -> Github:
    """PyGithub as a person uses it, throttling off (tests need no pause between requests)."""
    return Github(
        base_url=github.api_url, auth=Auth.Token(token), seconds_between_requests=None, seconds_between_writes=None
    )


@pytest.fixture(name="agent_repo")
def agent_repo_fixture(tmp_path: Path, github: GitHubEmulator) -> Path:
    """The shipped example agent as a checkout of the emulated repository (origin = its HTTP URL)."""
    repo = tmp_path / "agent-repo"
    repo.mkdir()
    for name in ("souls", "prompts", "examples"):
        shutil.copytree(PROJECT / name, repo / name, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    config = (PROJECT / "optimizer.yaml").read_text(encoding="utf-8")
    (repo / "optimizer.yaml").write_text(
        config + "\ngithub:\n  throttle: false\n  reviewers: [carol]\n  assignees: [ada]\n", encoding="utf-8"
    )
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "the example agent")
    git(repo, "remote", "add", "origin", github.clone_url)
    git(repo, "push", "-q", str(github.git.path), "main:refs/heads/main")  # set-up: straight into the bare repo
    return repo


def bot_env() -> dict[str, str]:
    return {**os.environ, "GITHUB_TOKEN": BOT_TOKEN}


PEOPLE = {"ada": ADA_TOKEN, "bob": BOB_TOKEN, "carol": CAROL_TOKEN}


def comment_event(github: GitHubEmulator, folder: Path, number: int, login: str, body: str) -> Path:
    """A person comments through the API; returns the issue_comment event file GitHub Actions would write."""
    pull = client(github, PEOPLE[login]).get_repo(github.full_name).get_pull(number)
    comment = pull.create_issue_comment(body)
    event = {
        "action": "created",
        "issue": {"number": number, "pull_request": {"url": pull.url}},
        "comment": {"id": comment.id, "body": body, "user": {"login": login, "type": "User"}},
        "repository": {"full_name": github.full_name},
    }
    path = folder / f"event-{comment.id}.json"
    path.write_text(json.dumps(event), encoding="utf-8")
    return path
