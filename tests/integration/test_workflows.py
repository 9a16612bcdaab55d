"""The GitHub workflows: valid against SchemaStore's schema, clean under zizmor, least privilege.

Checked for every file in .github/workflows and every template `optimizer init` writes, so an
agent repo gets exactly what this repository runs.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

PROJECT = Path(__file__).resolve().parents[2]
TEMPLATES = PROJECT / "optimizer" / "templates" / "workflows"
INSTALLED = PROJECT / ".github" / "workflows"
SCHEMA = PROJECT / "tests" / "fixtures" / "github-workflow.schema.json"
FOUR = ("optimize.yml", "deploy.yml", "validate.yml", "commands.yml")

ALL_FILES = sorted([*INSTALLED.glob("*.y*ml"), *TEMPLATES.glob("*.y*ml")])
FILE_IDS = [str(p.relative_to(PROJECT)) for p in ALL_FILES]
# The jobs that may write, and what: everything else reads at most.
WRITERS = {
    ("optimize.yml", "optimize"): {"contents": "write", "pull-requests": "write", "issues": "write"},
    ("commands.yml", "command"): {"contents": "write", "pull-requests": "write"},
}
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s+[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(?:\.\d+)*\s*$")


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as the boolean True
    return data


def schema_errors(data: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


def steps(path: Path) -> list[tuple[str, dict[str, Any]]]:
    return [(job_id, step) for job_id, job in load(path)["jobs"].items() for step in job.get("steps", [])]


def zizmor(*args: str | Path) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("zizmor", path=str(Path(sys.executable).parent)) or shutil.which("zizmor")
    if binary is None:
        pytest.fail("zizmor is not installed: install the dev extras (pip install -e '.[dev]')")
    done = subprocess.run(
        [binary, "--offline", "--no-progress", "--format", "json", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # 0: no findings; 10-14: findings, by their highest severity; anything else: zizmor failed
    assert done.returncode == 0 or 10 <= done.returncode <= 14, done.stderr
    return done


def high(findings: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [
        (f["ident"], f["locations"][0]["symbolic"]["key"]["Local"]["verbatim_path"])
        for f in findings
        if f["determinations"]["severity"] == "High"
    ]


def test_the_four_workflows_are_installed_here_exactly_as_init_writes_them():
    for name in FOUR:
        assert (INSTALLED / name).read_bytes() == (TEMPLATES / name).read_bytes(), name


@pytest.mark.parametrize("path", ALL_FILES, ids=FILE_IDS)
def test_workflow_validates_against_the_schemastore_schema(path):
    assert schema_errors(load(path)) == []


def test_the_schema_check_catches_a_broken_workflow():
    data = load(TEMPLATES / "optimize.yml")
    data["jobs"]["optimize"]["permissions"]["contents"] = "writ"
    del data["jobs"]["agents"]["runs-on"]
    assert len(schema_errors(data)) >= 2


def test_zizmor_offline_finds_nothing_high():
    findings = json.loads(zizmor(*ALL_FILES).stdout)
    assert high(findings) == []


def test_the_only_high_finding_zizmor_is_told_to_accept_is_the_comment_trigger():
    """commands.yml carries one ignore comment; anything else high would be a regression."""
    findings = json.loads(zizmor("--no-ignores", *ALL_FILES).stdout)
    accepted = ("dangerous-triggers", "commands.yml")
    assert sorted({(ident, Path(path).name) for ident, path in high(findings)}) == [accepted]
    assert all(f"ignore[{accepted[0]}]" not in p.read_text() for p in ALL_FILES if p.name != "commands.yml")


def test_zizmor_does_flag_an_untrusted_expression_in_a_script(tmp_path):
    planted = tmp_path / "planted.yml"
    text = (TEMPLATES / "commands.yml").read_text()
    text = text.replace("optimizer command 2>&1", 'echo "${{ github.event.comment.body }}"; optimizer command 2>&1')
    planted.write_text(text)
    assert ("template-injection", str(planted)) in high(json.loads(zizmor(planted).stdout))


@pytest.mark.parametrize("path", ALL_FILES, ids=FILE_IDS)
def test_permissions_are_empty_by_default_and_granted_per_job(path):
    data = load(path)
    assert data["permissions"] == {}
    for job_id, job in data["jobs"].items():
        granted = job.get("permissions")
        assert isinstance(granted, dict), f"{job_id}: no permissions of its own"
        allowed = WRITERS.get((path.name, job_id), {})
        for scope, level in granted.items():
            assert level in ("read", "none") or allowed.get(scope) == level, f"{path.name}/{job_id}: {scope}: {level}"


@pytest.mark.parametrize("path", ALL_FILES, ids=FILE_IDS)
def test_every_action_is_pinned_by_commit_sha_with_its_version(path):
    lines = [line for line in path.read_text().splitlines() if re.match(r"^\s*(-\s+)?uses:", line)]
    assert lines or path.name not in FOUR
    for line in lines:
        assert PINNED.match(line), line


@pytest.mark.parametrize("path", ALL_FILES, ids=FILE_IDS)
def test_no_expression_is_expanded_inside_a_script(path):
    """Untrusted values (comment bodies, titles, inputs) reach scripts through env: only."""
    for job_id, step in steps(path):
        assert "${{" not in step.get("run", ""), f"{path.name}/{job_id}/{step.get('name')}"


@pytest.mark.parametrize("path", ALL_FILES, ids=FILE_IDS)
def test_checkouts_keep_no_credentials(path):
    checkouts = [step for _, step in steps(path) if step.get("uses", "").startswith("actions/checkout@")]
    assert checkouts or path.name not in FOUR
    assert all(step["with"]["persist-credentials"] is False for step in checkouts)


@pytest.mark.parametrize("name", FOUR)
def test_every_job_writes_a_job_summary(name):
    for job_id, job in load(TEMPLATES / name)["jobs"].items():
        assert any("$GITHUB_STEP_SUMMARY" in step.get("run", "") for step in job["steps"]), job_id


def test_every_workflow_installs_the_optimizer_the_same_way():
    scripts = {
        step["run"] for name in FOUR for _, step in steps(TEMPLATES / name) if step["name"] == "Install optimizer"
    }
    assert len(scripts) == 1


def test_optimize_runs_daily_and_by_hand_in_one_uncancelled_group_one_job_per_agent():
    data = load(TEMPLATES / "optimize.yml")
    assert data["on"]["schedule"] == [{"cron": "0 6 * * *"}]
    assert set(data["on"]["workflow_dispatch"]["inputs"]) == {"agent", "window_hours", "dry_run"}
    assert data["concurrency"] == {"group": "optimizer-optimize", "cancel-in-progress": False}
    job = data["jobs"]["optimize"]
    assert job["needs"] == "agents"
    assert job["strategy"]["fail-fast"] is False
    assert job["strategy"]["matrix"]["agent"] == "${{ fromJSON(needs.agents.outputs.agents) }}"
    assert "optimizer agents" in data["jobs"]["agents"]["steps"][-1]["run"]


def test_deploy_runs_on_pushes_to_main_that_touch_prompts_souls_or_the_config_in_its_own_group():
    data = load(TEMPLATES / "deploy.yml")
    assert data["on"]["push"] == {"branches": ["main"], "paths": ["prompts/**", "souls/**", "optimizer.yaml"]}
    assert data["concurrency"] == {"group": "optimizer-deploy", "cancel-in-progress": False}
    assert any("optimizer deploy" in step.get("run", "") for _, step in steps(TEMPLATES / "deploy.yml"))


def test_validate_runs_on_pull_requests_touching_prompts_or_souls():
    data = load(TEMPLATES / "validate.yml")
    assert {"prompts/**", "souls/**"} <= set(data["on"]["pull_request"]["paths"])
    scripts = " ".join(step.get("run", "") for _, step in steps(TEMPLATES / "validate.yml"))
    assert "optimizer validate" in scripts
    assert "optimizer diff-cost --base" in scripts


def test_commands_answer_only_slash_optimizer_comments_on_pull_requests():
    data = load(TEMPLATES / "commands.yml")
    assert data["on"] == {"issue_comment": {"types": ["created"]}}
    condition = data["jobs"]["command"]["if"]
    assert "github.event.issue.pull_request" in condition
    assert "startsWith(github.event.comment.body, '/optimizer')" in condition
    checkout = next(s for _, s in steps(TEMPLATES / "commands.yml") if s.get("uses", "").startswith("actions/checkout"))
    assert "ref" not in checkout["with"]  # the default branch, never the pull request's code
