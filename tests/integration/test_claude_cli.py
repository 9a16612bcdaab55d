"""`optimizer run` with ANTHROPIC_API_KEY set, end to end: the CLI in a child process, the real SDK,
a local Messages API, and a git copy of the shipped example repo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.anthropic_server import INTERNAL, FakeAnthropic, tool_answer
from tests.fakes.claude_answers import DUPLICATE_BLOCK, GOOD, INVALID, OUTSIDE, PETS_FAQ, TIMEOUT_RULE, answer
from tests.support.example_repo import make_example_repo

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Ada",
    "GIT_AUTHOR_EMAIL": "ada@example.com",
    "GIT_COMMITTER_NAME": "Ada",
    "GIT_COMMITTER_EMAIL": "ada@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_example_repo(tmp_path, {**os.environ, **GIT_ENV})


@pytest.fixture
def api():
    with FakeAnthropic() as server:
        yield server


def optimizer(api: FakeAnthropic, repo: Path, *args: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **GIT_ENV, "HOME": str(repo.parent), "ANTHROPIC_API_KEY": api.key, **env}
    full_env["ANTHROPIC_BASE_URL"] = api.base_url
    full_env.pop("CI", None)
    return subprocess.run(
        [sys.executable, "-m", "optimizer", *map(str, args)],
        cwd=repo,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def state(repo: Path) -> tuple[str, str, str]:
    return git(repo, "for-each-ref"), git(repo, "status", "--porcelain"), git(repo, "rev-parse", "HEAD")


def test_dry_run_shows_the_models_proposals_and_the_cost(api, repo, tmp_path):
    api.script(tool_answer(answer(TIMEOUT_RULE, PETS_FAQ, OUTSIDE)))
    before = state(repo)
    out = tmp_path / "out"
    result = optimizer(api, repo, "run", "--dry-run", "--output", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# optimizer(frontdesk): 2 proposals — Retry check_availability once")
    assert "The **claude** analyst read **2,700 traces**" in result.stdout
    assert "### The claude analyst" in result.stdout and "| `claude-sonnet-5-5` |" in result.stdout
    assert "analyst `claude` (`claude-sonnet-5-5`, $0.0" in result.stdout
    assert "Self-assessment: The timeout evidence is strong" in result.stdout
    assert "### Refused by the guardrails" in result.stdout and ".github/workflows/optimize.yml" in result.stdout
    assert "+  - If check_availability times out, try it once more" in result.stdout
    assert "question: Are pets allowed at the hotel?" in result.stdout
    assert api.key not in result.stdout + result.stderr + (out / "pr-body.md").read_text()
    assert state(repo) == before  # dry run: no ref moved, checkout untouched
    analyst_calls = [m for m in api.messages if m.get("tool_choice", {}).get("name") == "submit_proposals"]
    assert len(analyst_calls) == 1  # the rest is the replay, stopped by the emulator's "nothing scripted" 500


def test_a_persistent_500_exits_1_with_one_line_and_writes_nothing(api, repo, tmp_path):
    api.down = INTERNAL
    before = state(repo)
    out = tmp_path / "out"
    result = optimizer(api, repo, "run", "--dry-run", "--output", out)
    assert result.returncode == 1
    reason = "500 api_error: Internal server error"
    assert result.stderr.splitlines() == [
        f"optimizer: error: claude: no answer from {api.base_url} after 4 attempt(s): {reason}"
    ]
    assert result.stdout == ""
    assert not out.exists()
    assert state(repo) == before
    assert len(api.messages) == 4


def test_without_dry_run_a_failed_answer_moves_no_branch(api, repo, tmp_path):
    api.script(tool_answer(INVALID), tool_answer(INVALID))
    before = state(repo)
    result = optimizer(api, repo, "run", "--output", tmp_path / "out")
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1 and "broke its schema twice" in result.stderr
    assert "spent $0.0" in result.stderr
    assert not (tmp_path / "out").exists()
    assert state(repo) == before and "optimizer/" not in git(repo, "for-each-ref")


def test_the_heuristic_analyst_stays_offline_with_the_key_set(api, repo):
    result = optimizer(api, repo, "run", "--dry-run", "--analyst", "heuristic")
    assert result.returncode == 0, result.stderr
    assert "The **heuristic** analyst" in result.stdout
    assert api.requests == []


def test_claude_without_a_key_is_a_config_error(api, repo):
    result = optimizer(api, repo, "run", "--dry-run", "--analyst", "claude", ANTHROPIC_API_KEY="")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "optimizer: error: --analyst claude needs ANTHROPIC_API_KEY in the environment (or use --analyst heuristic)"
    )


def test_the_run_record_carries_usage_and_notes(api, repo, tmp_path):
    api.script(tool_answer(GOOD))
    out = tmp_path / "out"
    assert optimizer(api, repo, "run", "--dry-run", "--output", out).returncode == 0
    body = (out / "pr-body.md").read_text()
    assert "### The claude analyst" in body and '"usage":{"model":"claude-sonnet-5-5"' in body
    record = json.loads((out / "proposals.json").read_text())
    assert record["analyst"] == "claude" and record["usage"]["cost_usd"] > 0
    assert record["usage"]["input_tokens"] + record["usage"]["cache_creation_input_tokens"] <= 30_000
    assert record["notes"][0].startswith("Self-assessment:")
    assert [p["title"] for p in record["proposals"]] == [
        TIMEOUT_RULE["title"],
        PETS_FAQ["title"],
        DUPLICATE_BLOCK["title"],
    ]
