"""Progress on a terminal but not in CI logs; a healthy agent gets no findings."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys

from tests.e2e.conftest import git, optimizer


def stderr_on_a_terminal(repo, env_extra: dict[str, str]) -> str:
    env = {k: v for k, v in os.environ.items() if k != "CI"} | env_extra
    leader, follower = pty.openpty()
    try:
        subprocess.run(
            [sys.executable, "-m", "optimizer", "analyze", "--format", "json"],
            cwd=repo,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=follower,
            timeout=120,
            check=True,
        )
    finally:
        os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal is closed once everything has been read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return b"".join(chunks).decode()


def test_progress_shows_on_a_terminal(example_repo):
    assert "reading traces: 100%" in stderr_on_a_terminal(example_repo, {})


def test_no_progress_in_ci_even_on_a_terminal(example_repo):
    assert "reading traces" not in stderr_on_a_terminal(example_repo, {"CI": "true"})


def test_no_progress_when_stderr_is_a_log(example_repo):
    result = optimizer("analyze", "--format", "json", cwd=example_repo, env={"CI": ""})
    assert result.code == 0 and "reading traces" not in result.err


def test_a_healthy_agent_gets_no_findings_and_no_pull_request(example_repo):
    tools = example_repo / "prompts" / "frontdesk" / "tools.md"
    system = (example_repo / "prompts" / "frontdesk" / "system.md").read_text()
    # the shipped prompts carry a planted duplicated block: take the copy out of tools.md
    kept = [p for p in tools.read_text().split("\n\n") if p.strip() not in system]
    tools.write_text("\n\n".join(kept))
    git(example_repo, "commit", "-qam", "remove the duplicated block")  # run reads the base commit
    traces = example_repo / "examples" / "healthy"
    result = optimizer("analyze", "--format", "json", "--traces", traces, "--window-hours", "1000", cwd=example_repo)
    assert result.code == 0, result.err
    findings = json.loads(result.out)["agents"][0]["findings"]
    assert [(f["kind"], f["subject"]) for f in findings] == []
    run = optimizer("run", "--dry-run", "--traces", traces, "--window-hours", "1000", cwd=example_repo)
    assert run.code == 0 and run.out == ""
    assert "nothing worth changing" in run.err
