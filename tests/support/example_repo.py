"""The shipped example agent as a user has it: a git checkout of souls/, prompts/, examples/ and optimizer.yaml."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def make_example_repo(root: Path, env: Mapping[str, str] | None = None) -> Path:
    repo = root / "agent-repo"
    repo.mkdir()
    for name in ("souls", "prompts", "examples"):
        shutil.copytree(PROJECT / name, repo / name, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    shutil.copy(PROJECT / "optimizer.yaml", repo / "optimizer.yaml")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "the example agent"]):
        subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, check=True)
    return repo
