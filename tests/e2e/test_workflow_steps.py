"""The workflows' own scripts, run step by step as the runner would, on a copy of the example agent.

Each step's ``env:`` expressions get the values GitHub would give them (an unset secret or
variable is an empty string); the script runs under ``bash --noprofile --norc -eo pipefail`` with
$GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY and $RUNNER_TEMP pointing into a temporary directory. A step
that uses the optimizer action (``uses: ./``) runs the action's own scripts (action.yml) with its
``with:`` inputs, as a composite action runs; its outputs are then in ``steps.<id>.outputs.<name>``.
Its Python set-up and install steps are left out: the optimizer under test is installed already.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from markdown_it import MarkdownIt

from tests.e2e.conftest import git

PROJECT = Path(__file__).resolve().parents[2]
WORKFLOWS = PROJECT / "optimizer" / "templates" / "workflows"
ACTION = yaml.safe_load((PROJECT / "action.yml").read_text())
_EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")
_INPUT_SET = re.compile(r"^inputs\.([\w-]+) != ''$")  # the one kind of `if:` the action's steps use
_PREPARED = ("Set up Python", "Install optimizer")  # done once for the whole test run


class Runner:
    """One job's runner: the files GitHub provides, shared by the job's steps."""

    def __init__(self, tmp: Path, workflow: str, job: str) -> None:
        self.job = yaml.safe_load((WORKFLOWS / workflow).read_text())["jobs"][job]
        self.temp = tmp / "runner-temp"
        self.temp.mkdir()
        self.output = tmp / "github-output"
        self.summary = tmp / "step-summary"
        self.output.touch()
        self.summary.touch()
        self.context: dict[str, str] = {}  # what earlier steps left: the optimizer action's outputs

    @staticmethod
    def trigger(workflow: str) -> dict[str, Any]:
        """The workflow's ``on:`` (YAML 1.1 reads the bare key ``on`` as True)."""
        data = yaml.safe_load((WORKFLOWS / workflow).read_text())
        return data.get("on", data.get(True))

    def run(
        self, name: str, cwd: Path, context: dict[str, str] | None = None, extra: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        step = next(step for step in self.job["steps"] if step.get("name") == name)
        context = {**self.context, **(context or {})}
        env = {key: _resolve(str(value), context) for key, value in step.get("env", {}).items()}
        if step.get("uses") == "./":
            return self._run_action(step, cwd, context, {**env, **(extra or {})})
        return self._bash(step["run"], cwd, {**env, **(extra or {})})

    def _run_action(
        self, step: dict[str, Any], cwd: Path, context: dict[str, str], env: dict[str, str]
    ) -> subprocess.CompletedProcess[str]:
        """The optimizer action's steps with the step's inputs; its outputs kept for the later steps."""
        given = {key: _resolve(str(value), context) for key, value in (step.get("with") or {}).items()}
        inputs = {name: given.get(name, spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
        scope = {f"inputs.{name}": value for name, value in inputs.items()} | {"github.action_path": str(PROJECT)}
        output, done = self.temp / f"action-{step['id']}-output", None
        output.touch()
        for inner in ACTION["runs"]["steps"]:
            wanted = _INPUT_SET.fullmatch(inner.get("if", "inputs.command != ''"))
            if inner.get("name") in _PREPARED or wanted is None or not inputs[wanted.group(1)]:
                continue
            inner_env = {key: _resolve(str(value), scope) for key, value in inner.get("env", {}).items()}
            done = self._bash(inner["run"], cwd, {**env, **inner_env, "GITHUB_OUTPUT": str(output)})
            if done.returncode != 0:
                break
        lines = dict(line.split("=", 1) for line in output.read_text().splitlines())
        self.context.update({f"steps.{step['id']}.outputs.{key}": value for key, value in lines.items()})
        return done or subprocess.CompletedProcess([], 0, "", "")

    def _bash(self, script: str, cwd: Path, step_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "ANTHROPIC_", "SUPABASE_"))}
        env.update(
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
            CI="true",
            RUNNER_TEMP=str(self.temp),
            GITHUB_OUTPUT=str(self.output),
            GITHUB_STEP_SUMMARY=str(self.summary),
        )
        env.update(step_env)
        return subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def outputs(self) -> dict[str, str]:
        return dict(line.split("=", 1) for line in self.output.read_text().splitlines())


def _resolve(value: str, context: dict[str, str]) -> str:
    match = _EXPRESSION.fullmatch(value)
    if match is None:
        return value
    expression = match.group(1)
    if expression in context:
        return context[expression]
    if "secrets." in expression or expression.startswith("vars."):
        return ""  # what GitHub gives for a secret or variable that is not set
    raise KeyError(f"the test gives no value for ${{{{ {expression} }}}}")


def fences(markdown: str) -> list[Any]:
    return [t for t in MarkdownIt("commonmark").parse(markdown) if t.type == "fence"]


@pytest.mark.parametrize("only", ["", "frontdesk"])
def test_the_agents_step_hands_the_matrix_its_agents(example_repo, tmp_path, only):
    runner = Runner(tmp_path, "optimize.yml", "agents")
    done = runner.run("List the agents", example_repo, {"inputs.agent": only})
    assert done.returncode == 0, done.stderr
    assert json.loads(runner.outputs()["agents"]) == ["frontdesk"]
    assert "- frontdesk" in runner.summary.read_text()


def test_the_agents_step_refuses_an_unknown_agent_and_runs_nothing_it_is_given(example_repo, tmp_path):
    runner = Runner(tmp_path, "optimize.yml", "agents")
    done = runner.run("List the agents", example_repo, {"inputs.agent": 'x"; touch pwned; echo "'})
    assert done.returncode == 1
    assert "unknown agent 'x\"; touch pwned; echo \"'" in done.stderr
    assert not (example_repo / "pwned").exists()
    assert runner.outputs() == {}


def test_a_repo_without_agents_gets_an_empty_matrix_and_says_so(tmp_path):
    repo = tmp_path / "empty"
    repo.mkdir()
    runner = Runner(tmp_path, "optimize.yml", "agents")
    done = runner.run("List the agents", repo, {"inputs.agent": ""})
    assert done.returncode == 0, done.stderr
    assert runner.outputs() == {"agents": "[]"}
    assert "No agents found" in runner.summary.read_text()


def test_a_dry_run_by_hand_puts_the_pull_request_in_the_job_summary(example_repo, tmp_path):
    runner = Runner(tmp_path, "optimize.yml", "optimize")
    inputs = {"matrix.agent": "frontdesk", "inputs.window_hours": "", "inputs.dry_run": "true"}
    done = runner.run("Run the optimizer", example_repo, inputs)
    assert done.returncode == 0, done.stderr
    summary_inputs = {**inputs, "steps.run.outcome": "success"}
    assert runner.run("Job summary", example_repo, summary_inputs).returncode == 0

    summary = runner.summary.read_text()
    body = (runner.temp / "optimizer" / "pr-body.md").read_text()
    patch = (runner.temp / "optimizer" / "changes.patch").read_text()
    assert summary.startswith("## optimizer: `frontdesk` (success)\n\nDry run: nothing was pushed")
    assert body.strip() in summary
    ours = [(t.info, t.content) for t in fences(summary) if t.markup == "~~~~~~~~"]
    assert ours[0] == ("diff", patch + "\n")
    assert ours[1][0] == "text"  # the run log
    assert not list((example_repo / ".git" / "refs" / "heads").glob("optimizer/*"))


def test_the_set_up_check_runs_first_and_its_problems_reach_the_job_summary(example_repo, tmp_path):
    runner = Runner(tmp_path, "optimize.yml", "optimize")
    kind = "steps.app-token.outputs.token && 'app' || secrets.OPTIMIZER_GITHUB_TOKEN && 'pat' || 'actions'"
    inputs = {"matrix.agent": "frontdesk", "inputs.window_hours": "", "inputs.dry_run": "true", kind: "actions"}
    done = runner.run("Run the optimizer", example_repo, inputs)
    assert done.returncode == 0, done.stderr  # a problem is shown, and the run still goes ahead
    assert "::warning title=optimizer doctor::" in done.stdout
    assert runner.run("Job summary", example_repo, {**inputs, "steps.run.outcome": "success"}).returncode == 0
    summary = runner.summary.read_text()
    assert "<details><summary>Set-up check (optimizer doctor): problems found</summary>" in summary
    log = next(t.content for t in fences(summary) if t.markup == "~~~~~~~~" and "fail  " in t.content)
    assert "fail  deploy target" in log and "fail  github token" in log and "problem(s) in the set-up" in log


def test_a_fence_inside_the_patch_does_not_break_the_summary(tmp_path):
    runner = Runner(tmp_path, "optimize.yml", "optimize")
    (runner.temp / "optimizer").mkdir()
    patch = "--- a/prompts/a/x.md\n+++ b/prompts/a/x.md\n@@ -1,3 +1,4 @@\n ```json\n+{}\n ```\n ~~~\n"
    (runner.temp / "optimizer" / "changes.patch").write_text(patch)
    (runner.temp / "optimizer" / "pr-body.md").write_text("## optimizer: a\n\n```diff\n-x\n```\n")
    inputs = {"matrix.agent": "a", "steps.run.outcome": "failure", "inputs.dry_run": ""}
    outputs = {"steps.run.outputs.output": str(runner.temp / "optimizer"), "steps.run.outputs.doctor-log": ""}
    assert runner.run("Job summary", tmp_path, {**inputs, **outputs, "steps.run.outputs.log": ""}).returncode == 0
    summary = runner.summary.read_text()
    assert summary.startswith("## optimizer: `a` (failure)\n\n## optimizer: a\n")
    assert [(t.info, t.content) for t in fences(summary) if t.markup == "~~~~~~~~"] == [("diff", patch + "\n")]


def test_the_window_input_reaches_the_run(example_repo, tmp_path):
    runner = Runner(tmp_path, "optimize.yml", "optimize")
    inputs = {"matrix.agent": "frontdesk", "inputs.window_hours": "0.01", "inputs.dry_run": "true"}
    assert runner.run("Run the optimizer", example_repo, inputs).returncode == 0
    assert runner.run("Job summary", example_repo, {**inputs, "steps.run.outcome": "success"}).returncode == 0
    assert "from `2026-11-19T23:59:24Z` to `2026-11-20T00:00:00Z` (0.01 h)" in runner.summary.read_text()


def test_validate_shows_the_checks_and_the_cost_of_the_edit(example_repo, tmp_path):
    base = git(example_repo, "rev-parse", "HEAD").strip()
    prompt = example_repo / "prompts" / "frontdesk" / "system.md"
    prompt.write_text(prompt.read_text() + "\nAlways offer the late checkout when a guest asks about it.\n")
    git(example_repo, "commit", "-q", "-am", "a longer prompt")

    runner = Runner(tmp_path, "validate.yml", "validate")
    assert runner.run("Validate", example_repo, {"github.event.pull_request.base.sha": base}).returncode == 0
    cost = runner.run("Token and cost change per turn", example_repo, {"github.event.pull_request.base.sha": base})
    assert cost.returncode == 0, cost.stderr
    assert runner.run("Job summary", example_repo, {"steps.validate.outcome": "success"}).returncode == 0

    summary = runner.summary.read_text()
    assert summary.startswith("## optimizer validate: success\n")
    assert "1 agent(s) checked: 0 error(s)" in summary
    assert "| `prompts/frontdesk/system.md` |" in summary
    assert "- **frontdesk**:" in summary


def test_a_failed_validation_still_shows_the_cost_table(example_repo, tmp_path):
    base = git(example_repo, "rev-parse", "HEAD").strip()
    soul = example_repo / "souls" / "frontdesk.yaml"
    unwritten = "  - question: Do you have parking?\n    answer: 'TODO(owner): write the answer'\n"
    soul.write_text(
        soul.read_text().replace(
            "  - question: Do you have family rooms?\n", unwritten + "  - question: Do you have family rooms?\n"
        )
    )
    git(example_repo, "commit", "-q", "-am", "an unwritten answer")

    runner = Runner(tmp_path, "validate.yml", "validate")
    assert runner.run("Validate", example_repo, {"github.event.pull_request.base.sha": base}).returncode == 1
    assert runner.run("Token and cost change per turn", example_repo, {"github.event.pull_request.base.sha": base})
    assert runner.run("Job summary", example_repo, {"steps.validate.outcome": "failure"}).returncode == 0
    summary = runner.summary.read_text()
    assert summary.startswith("## optimizer validate: failure\n")
    assert "TODO(owner)" in summary
    assert "| `souls/frontdesk.yaml` |" in summary


def fake_pip(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A `python` that records its arguments: pip would reach the network."""
    bin_dir, calls = tmp_path / "fake-bin", tmp_path / "python-calls"
    bin_dir.mkdir()
    (bin_dir / "python").write_text(f'#!/bin/sh\necho "$@" >> {calls}\n')
    (bin_dir / "python").chmod(0o755)
    return {"PATH": f"{bin_dir}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}, calls


def test_the_action_installs_the_optimizer_from_its_own_checkout(tmp_path):
    """Whatever repository runs it: the code of the commit `uses:` pinned, no pip spec, no variable."""
    install = next(step for step in ACTION["runs"]["steps"] if step["name"] == "Install optimizer")
    action_path = tmp_path / "_actions" / "acme" / "optimizer" / ("a" * 40)
    path, calls = fake_pip(tmp_path)
    runner = Runner(tmp_path, "deploy.yml", "deploy")
    env = {key: _resolve(value, {"github.action_path": str(action_path)}) for key, value in install["env"].items()}
    done = runner._bash(install["run"], tmp_path, {**env, **path})
    assert done.returncode == 0, done.stderr
    assert calls.read_text() == f"-m pip install --disable-pip-version-check {action_path}\n"


def test_every_job_installs_the_optimizer_through_the_action_and_never_from_a_variable():
    for name in ("optimize.yml", "deploy.yml", "validate.yml", "commands.yml"):
        text = (WORKFLOWS / name).read_text()
        assert "OPTIMIZER_PIP_SPEC" not in text and "pip install" not in text, name
        for job_id, job in yaml.safe_load(text)["jobs"].items():
            assert [step.get("uses") for step in job["steps"]].count("./") == 1, f"{name}/{job_id}"


def test_an_unknown_command_input_is_refused_in_one_line(example_repo, tmp_path):
    runner = Runner(tmp_path, "deploy.yml", "deploy")
    step = {"id": "x", "uses": "./", "with": {"command": "rm -rf"}}
    done = runner._run_action(step, example_repo, {}, {})
    assert done.returncode == 1
    assert done.stdout == (
        "::error title=optimizer action::unknown command input: use run, deploy, validate, command, doctor, agents "
        "or report\n"
    )


def test_the_action_runs_a_command_with_its_inputs_and_hands_on_its_log(example_repo, tmp_path):
    runner = Runner(tmp_path, "deploy.yml", "deploy")
    step = {"id": "check", "uses": "./", "with": {"command": "validate", "agent": "frontdesk"}}
    done = runner._run_action(step, example_repo, {}, {})
    assert done.returncode == 0, done.stderr
    log = Path(runner.context["steps.check.outputs.log"])
    assert log == runner.temp / "optimizer-validate.log"
    assert "1 agent(s) checked: 0 error(s)" in log.read_text() == done.stdout


def test_the_weekly_report_goes_into_the_job_summary(example_repo, tmp_path):
    runner = Runner(tmp_path, "optimize.yml", "optimize")
    done = runner.run("Weekly report", example_repo, {"matrix.agent": "frontdesk"})
    assert done.returncode == 0, done.stderr
    summary = runner.summary.read_text()
    assert summary.startswith("# optimizer report: 2026-11-13T00:00:00Z → 2026-11-20T00:00:00Z\n\n## frontdesk\n")
    assert [t.info for t in fences(summary)] == ["mermaid"] * 3
    assert "| 2026-11-19 | 868 |" in summary  # the shipped example's last day
