"""`optimizer run` on the shipped example agent, as a user runs it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from jsonschema import Draft202012Validator

from optimizer.schemas import load_schema
from tests.e2e.conftest import git, optimizer


def checkout_state(repo: Path) -> tuple[str, str, str, str]:
    index = hashlib.sha256((repo / ".git" / "index").read_bytes()).hexdigest()
    return git(repo, "status", "--porcelain"), index, git(repo, "symbolic-ref", "HEAD"), git(repo, "for-each-ref")


def dirty(repo: Path) -> None:
    """A user mid-work: a staged change and an unstaged one."""
    soul = repo / "souls" / "frontdesk.yaml"
    soul.write_text(soul.read_text() + "# staged note\n")
    git(repo, "add", "souls/frontdesk.yaml")
    (repo / "prompts" / "frontdesk" / "system.md").write_text("work in progress\n")


def test_dry_run_prints_the_pull_request_and_touches_nothing(example_repo):
    dirty(example_repo)
    before = checkout_state(example_repo)
    result = optimizer("run", "--dry-run", cwd=example_repo)
    assert result.code == 0, result.err
    assert result.out.startswith("# optimizer(frontdesk):")
    assert "check_availability" in result.out
    assert "diff --git a/" in result.out
    assert "<!-- optimizer:meta" in result.out
    assert checkout_state(example_repo) == before
    assert "nothing pushed" in result.err


def test_run_builds_one_commit_per_proposal_on_the_branch(example_repo, tmp_path):
    dirty(example_repo)
    status, index, head, _refs = checkout_state(example_repo)
    out = tmp_path / "out"
    result = optimizer("run", "--repo", example_repo, "--output", out)
    assert result.code == 0, result.err
    proposals = json.loads((out / "proposals.json").read_text())
    assert len(proposals["proposals"]) == 3
    log = git(example_repo, "log", "--format=%s%n%b%x00", "main..optimizer/frontdesk").split("\x00")[:-1]
    assert len(log) == 3
    for message, proposal in zip(reversed(log), proposals["proposals"], strict=True):
        assert proposal["title"][:40] in message
        assert f"Finding {proposal['finding_keys'][0]}" in message
    assert checkout_state(example_repo)[:3] == (status, index, head)
    changed = git(example_repo, "diff", "--name-only", "main", "optimizer/frontdesk").split()
    assert changed and all(path.startswith(("souls/", "prompts/")) for path in changed)


def test_output_files_follow_their_schemas(example_repo, tmp_path):
    out = tmp_path / "out"
    assert optimizer("run", "--dry-run", "--output", out, cwd=example_repo).code == 0
    assert sorted(p.name for p in out.iterdir()) == ["changes.patch", "findings.json", "pr-body.md", "proposals.json"]
    Draft202012Validator(load_schema("analysis")).validate(json.loads((out / "findings.json").read_text()))
    assert (out / "changes.patch").read_text().startswith("diff --git")
    assert git(example_repo, "for-each-ref").count("optimizer/") == 0


def test_analyze_json_follows_its_schema_and_finds_the_planted_problems(example_repo):
    result = optimizer("analyze", "--format", "json", cwd=example_repo)
    assert result.code == 0, result.err
    data = json.loads(result.out)
    Draft202012Validator(load_schema("analysis")).validate(data)
    kinds = {f["kind"] for f in data["agents"][0]["findings"]}
    assert {
        "tool_failure",
        "repeated_error",
        "knowledge_gap",
        "prompt_duplication",
        "unused_tool",
        "escalation",
        "cost_regression",
    } <= kinds
    assert data["source"]["skipped"] == 0


def test_analyze_markdown_is_for_people(example_repo):
    result = optimizer("analyze", "--agent", "frontdesk", cwd=example_repo)
    assert result.code == 0, result.err
    assert "## frontdesk" in result.out and "### Findings" in result.out
