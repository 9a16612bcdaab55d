"""The adversarial suite: the CLI run in-process (``cli.main``, the real error boundary) on copies
of the shipped example repo, so hundreds of hostile inputs cost seconds, not minutes."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from optimizer import cli
from tests.support.example_repo import make_example_repo
from tests.support.git_repos import GIT_IDENTITY


@dataclass
class Outcome:
    code: int
    out: str
    err: str


@pytest.fixture(scope="session")
def template_repo(tmp_path_factory) -> Path:
    env = {**GIT_IDENTITY, "GIT_CONFIG_NOSYSTEM": "1", "PATH": os.environ["PATH"], "HOME": os.environ["HOME"]}
    return make_example_repo(tmp_path_factory.mktemp("template"), env)


@pytest.fixture
def repo(template_repo: Path, tmp_path: Path, monkeypatch) -> Path:
    """A fresh copy of the example repo (a git checkout), for one test to spoil."""
    for key, value in GIT_IDENTITY.items():
        monkeypatch.setenv(key, value)
    for key in ("ANTHROPIC_API_KEY", "GITHUB_TOKEN", "OPTIMIZER_GITHUB_TOKEN", "GITHUB_REPOSITORY", "CI"):
        monkeypatch.delenv(key, raising=False)
    copy = tmp_path / "repo"
    shutil.copytree(template_repo, copy, symlinks=True)
    return copy


@pytest.fixture
def run_cli(capsys):
    """Run ``optimizer ARGS`` in this process; the exit code and what it printed."""

    def run(*args: str | Path) -> Outcome:
        capsys.readouterr()
        code = cli.main([str(arg) for arg in args])
        cli._verbose = False
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return run
