"""Small real git repositories for the tests: a prompt and a soul on main, and the git command line."""

from __future__ import annotations

import subprocess
from pathlib import Path

PROMPT = "prompts/support/system.md"
# Who commits in the tests ($HOME and git config are isolated: tests/conftest.py).
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Ada",
    "GIT_AUTHOR_EMAIL": "ada@example.com",
    "GIT_COMMITTER_NAME": "Ada",
    "GIT_COMMITTER_EMAIL": "ada@example.com",
}


SOUL = "souls/support.yaml"


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=True)
    return done.stdout.decode()


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def make_repo(tmp_path: Path) -> Path:
    """A repo on main with one commit holding a prompt and a soul."""
    root = tmp_path / "agent"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write(root, PROMPT, "You are a support agent.\n")
    write(root, SOUL, "name: support\nalways_do: []\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "initial")
    return root
