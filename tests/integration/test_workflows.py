"""The GitHub workflows and the optimizer action: valid against SchemaStore's schemas, clean under
zizmor, least privilege, every action pinned to its current release.

Checked for every file in .github/workflows, every template `optimizer init` writes (and those
templates as init writes them into an agent repo) and action.yml, so an agent repo gets exactly what
this repository runs.
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

from optimizer.templates import workflow_text

PROJECT = Path(__file__).resolve().parents[2]
TEMPLATES = PROJECT / "optimizer" / "templates" / "workflows"
INSTALLED = PROJECT / ".github" / "workflows"
SCHEMA = PROJECT / "tests" / "fixtures" / "github-workflow.schema.json"
ACTION_SCHEMA = PROJECT / "tests" / "fixtures" / "github-action.schema.json"
ACTION = PROJECT / "action.yml"
DEPENDABOT = [PROJECT / ".github" / "dependabot.yml", PROJECT / "optimizer" / "templates" / "dependabot.yml"]
FOUR = ("optimize.yml", "deploy.yml", "validate.yml", "commands.yml")

ALL_FILES = sorted([*INSTALLED.glob("*.y*ml"), *TEMPLATES.glob("*.y*ml")])
FILE_IDS = [str(p.relative_to(PROJECT)) for p in ALL_FILES]
# The releases of ../shared/action-pins.md (read from each action's repository): node24, not node20.
CURRENT = {
    "actions/checkout": ("3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    "actions/setup-python": ("5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
    "actions/create-github-app-token": ("1b10c78c7865c340bc4f6099eb2f838309f1e8c3", "v3.1.1"),
}
LOCAL_ACTION = "uses: ./ # zizmor: ignore[self-repository]"  # init pins it to owner/optimizer@sha in an agent repo
# The jobs that may write, and what: everything else reads at most.
WRITERS = {
    ("optimize.yml", "optimize"): {"contents": "write", "pull-requests": "write", "issues": "write"},
    ("commands.yml", "command"): {"contents": "write", "pull-requests": "write"},
}
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s+([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # (v\d+(?:\.\d+)*)\s*$")


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as the boolean True
    return data


def schema_errors(data: dict[str, Any], schema: Path = SCHEMA) -> list[str]:
    validator = jsonschema.Draft7Validator(json.loads(schema.read_text(encoding="utf-8")))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> list[Path]:
    """The four workflows as `optimizer init` writes them into an agent repo."""
    folder = tmp_path_factory.mktemp("agent-repo") / ".github" / "workflows"
    folder.mkdir(parents=True)
    for name in FOUR:
        (folder / name).write_text(workflow_text(name, "acme/optimizer@" + "a" * 40))
    return [folder / name for name in FOUR]


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


def test_the_action_validates_against_the_schemastore_schema():
    assert schema_errors(yaml.safe_load(ACTION.read_text()), ACTION_SCHEMA) == []


def test_the_action_schema_check_catches_a_broken_action():
    data = yaml.safe_load(ACTION.read_text())
    data["runs"]["steps"][1].pop("shell")  # a composite's run step must name its shell
    data["inputs"]["agent"]["required"] = "no"
    assert len(schema_errors(data, ACTION_SCHEMA)) >= 2


def test_the_workflows_init_writes_validate_too(written):
    for path in written:
        assert schema_errors(load(path)) == [], path.name


@pytest.mark.parametrize("persona", ["regular", "pedantic"])
def test_zizmor_offline_reports_nothing(persona, written):
    findings = json.loads(zizmor("--persona", persona, *ALL_FILES, ACTION, *DEPENDABOT, *written).stdout)
    assert [(f["ident"], f["locations"][0]["symbolic"]["key"]["Local"]["verbatim_path"]) for f in findings] == []


def test_zizmor_auditor_finds_no_secret_outside_an_environment(written):
    findings = json.loads(zizmor("--persona", "auditor", *ALL_FILES, ACTION, *DEPENDABOT, *written).stdout)
    assert [f for f in findings if f["ident"] == "secrets-outside-env"] == []


def test_the_only_findings_zizmor_is_told_to_accept_are_argued_in_the_files():
    """The comment trigger in commands.yml, and `uses: ./` (the checkout's own action) in this repository."""
    findings = json.loads(zizmor("--no-ignores", "--persona", "pedantic", *ALL_FILES, ACTION).stdout)
    accepted = {
        (f["ident"], Path(f["locations"][0]["symbolic"]["key"]["Local"]["verbatim_path"]).name) for f in findings
    }
    assert accepted == {("dangerous-triggers", "commands.yml"), *(("self-repository", name) for name in FOUR)}
    for path in ALL_FILES:
        ignores = [line.strip() for line in path.read_text().splitlines() if "zizmor: ignore" in line]
        allowed = {LOCAL_ACTION.removeprefix("uses: ./ "), "issue_comment: # zizmor: ignore[dangerous-triggers]"}
        assert all(line.removeprefix("uses: ./ ") in allowed for line in ignores), path
        assert "dangerous-triggers" not in path.read_text() or path.name == "commands.yml"
        assert "`uses: ./`" in path.read_text() and "self-repository" in path.read_text().split("name:")[0]


def test_zizmor_does_flag_an_untrusted_expression_in_a_script(tmp_path):
    planted = tmp_path / "planted.yml"
    text = (TEMPLATES / "commands.yml").read_text()
    text = text.replace("optimizer command --check-author 2>&1", 'echo "${{ github.event.comment.body }}"; true 2>&1')
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


@pytest.mark.parametrize("path", [*ALL_FILES, ACTION], ids=[*FILE_IDS, "action.yml"])
def test_every_action_is_pinned_by_commit_sha_to_its_current_release(path):
    lines = [line.strip() for line in path.read_text().splitlines() if re.match(r"^\s*(-\s+)?uses:", line)]
    assert lines
    for line in lines:
        if line == LOCAL_ACTION:
            continue
        found = PINNED.match(line)
        assert found, line
        assert CURRENT[found.group(1)] == (found.group(2), found.group(3)), line


def test_init_pins_the_optimizer_action_by_commit_with_the_version(written):
    for path in written:
        lines = [line.strip() for line in path.read_text().splitlines() if "uses: acme/optimizer@" in line]
        assert lines and all(PINNED.match(line) for line in lines), path.name
        assert all(step.get("uses") != "./" for _, step in steps(path)), path.name


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
    condition = data["jobs"]["authorize"]["if"]
    assert "github.event.issue.pull_request" in condition
    assert "startsWith(github.event.comment.body, '/optimizer')" in condition
    for job_id, job in data["jobs"].items():
        checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout"))
        assert "ref" not in checkout["with"], job_id  # the default branch, never the pull request's code


def test_a_commenter_reaches_no_secret_and_no_write_token_before_the_permission_check():
    data = load(TEMPLATES / "commands.yml")
    first, second = data["jobs"]["authorize"], data["jobs"]["command"]
    assert list(data["jobs"]) == ["authorize", "command"]
    assert set(first["permissions"].values()) <= {"read", "none"}
    assert "secrets." not in yaml.safe_dump(first) and "vars." not in yaml.safe_dump(first)
    assert "app-token" not in yaml.safe_dump(first)
    check = next(step for step in first["steps"] if step.get("id") == "check")
    assert "optimizer command --check-author" in check["run"]
    assert first["outputs"] == {"allowed": "${{ steps.check.outputs.allowed }}"}
    assert second["needs"] == "authorize"
    assert second["if"] == "needs.authorize.outputs.allowed == 'true'"
    assert "secrets.ANTHROPIC_API_KEY" in yaml.safe_dump(second)  # the secrets live in the second job only


def test_an_outsiders_comment_can_never_cancel_or_replace_a_writers_queued_command():
    """GitHub keeps one pending run per concurrency group: an outsider must never share a writer's."""
    data = load(TEMPLATES / "commands.yml")
    assert "concurrency" not in data  # a workflow-level group would hold every commenter's run
    first, second = data["jobs"]["authorize"], data["jobs"]["command"]
    assert first["concurrency"] == {
        "group": "optimizer-authorize-${{ github.event.comment.id }}",
        "cancel-in-progress": False,
    }
    assert second["concurrency"] == {
        "group": "optimizer-commands-${{ github.event.issue.number }}",
        "cancel-in-progress": False,
    }


def test_the_jobs_holding_secrets_name_the_optimizer_environment():
    for name, job_id in [("optimize.yml", "optimize"), ("commands.yml", "command"), ("deploy.yml", "deploy")]:
        assert load(TEMPLATES / name)["jobs"][job_id]["environment"] == {"name": "optimizer", "deployment": False}
