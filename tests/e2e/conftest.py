"""An agent repo made from the shipped example, as a user would have it: a git checkout."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.example_repo import make_example_repo


@dataclass
class Result:
    code: int
    out: str
    err: str


def optimizer(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> Result:
    """Run the CLI in a child process, exactly as a user would."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "ANTHROPIC_", "SUPABASE_"))}
    full_env.update(env or {})
    done = subprocess.run(
        [sys.executable, "-m", "optimizer", *map(str, args)],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


@pytest.fixture(autouse=True)
def git_identity(monkeypatch):
    """A pinned identity ($HOME and git config are isolated for every test: tests/conftest.py)."""
    for key, value in {
        "GIT_AUTHOR_NAME": "Ada",
        "GIT_AUTHOR_EMAIL": "ada@example.com",
        "GIT_COMMITTER_NAME": "Ada",
        "GIT_COMMITTER_EMAIL": "ada@example.com",
    }.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def example_repo(tmp_path: Path) -> Path:
    return make_example_repo(tmp_path)
