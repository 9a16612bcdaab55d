"""The checks of the agent repo itself: the workflows `optimizer init` writes, the deploy target the
deploy workflow will use on a GitHub-hosted runner, and a trace source the daily job can read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from optimizer.config import Settings
from optimizer.deploy.destination import choose
from optimizer.doctor.model import Check, fail, ok
from optimizer.errors import OptimizerError
from optimizer.templates import WORKFLOWS, WORKFLOWS_DIR, is_workflow, workflow_text
from optimizer.timeutil import utc_now
from optimizer.traces.source import missing_on_ci, open_source

# What the deploy workflow runs on (runs-on: ubuntu-latest): GitHub Actions on a GitHub-hosted runner.
HOSTED_RUNNER = {"CI": "true", "GITHUB_ACTIONS": "true", "RUNNER_ENVIRONMENT": "github-hosted"}


def workflows(repo: Path) -> Check:
    """Every workflow present and as init writes it (whatever commit its optimizer action is pinned to); for one
    that differs, the write grants it lacks."""
    missing: list[str] = []
    differing: list[str] = []
    lacking: list[str] = []
    for name in WORKFLOWS:
        path = repo / WORKFLOWS_DIR / name
        template = workflow_text(name)
        if not path.is_file():
            missing.append(name)
        elif not is_workflow(path.read_text(encoding="utf-8", errors="replace"), name):
            differing.append(name)
            lacking.extend(f"{name}: {grant}" for grant in missing_grants(path.read_text(errors="replace"), template))
    if missing:
        return fail("workflows", f"missing in {WORKFLOWS_DIR}: {', '.join(missing)}: run `optimizer init`")
    if lacking:
        return fail("workflows", f"{'; '.join(lacking)}: the token cannot do the job; run `optimizer init --force`")
    if differing:
        return ok("workflows", f"{', '.join(differing)} differ from what `optimizer init` writes (your edits, kept)")
    return ok("workflows", f"the four workflows in {WORKFLOWS_DIR} are as `optimizer init` writes them")


def missing_grants(text: str, template: str) -> list[str]:
    """The write permissions the template's jobs (and App-token steps) grant that ``text``'s do not."""
    mine, theirs = _jobs(text), _jobs(template)
    lacking = []
    for job, spec in theirs.items():
        have = mine.get(job, {})
        for scope, level in _grants(spec).items():
            if level == "write" and _grants(have).get(scope) != "write":
                lacking.append(f"job {job} lacks {scope}: write")
    return lacking


def _jobs(text: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}
    jobs = data.get("jobs") if isinstance(data, dict) else None
    return {name: spec for name, spec in jobs.items() if isinstance(spec, dict)} if isinstance(jobs, dict) else {}


def _grants(job: Mapping[str, Any]) -> dict[str, str]:
    """The job's ``permissions:`` and the ``permission-<scope>`` inputs of its App-token steps."""
    grants = dict(job.get("permissions") or {}) if isinstance(job.get("permissions"), dict) else {}
    for step in job.get("steps") or []:
        inputs = step.get("with") if isinstance(step, dict) else None
        for key, value in (inputs or {}).items() if isinstance(inputs, dict) else ():
            if str(key).startswith("permission-"):
                grants[f"app token {str(key).removeprefix('permission-')}"] = str(value)
    return {str(k): str(v) for k, v in grants.items()}


def deploy_target(settings: Settings, env: Mapping[str, str]) -> Check:
    """What the deploy workflow will do with this optimizer.yaml on a GitHub-hosted runner."""
    hosted = {**env, **HOSTED_RUNNER}
    if env.get("RUNNER_ENVIRONMENT"):  # doctor runs on the runner itself: it knows what it is
        hosted["RUNNER_ENVIRONMENT"] = env["RUNNER_ENVIRONMENT"]
    destination = choose(settings, None, hosted)
    if destination.refusal:
        return fail("deploy target", f"the deploy workflow would refuse: {destination.refusal}")
    if destination.target == "supabase":
        return ok("deploy target", "supabase: merged versions go to optimizer_deployments")
    return ok("deploy target", f"local, at {settings.deploy.registry} (kept by this self-hosted runner)")


def trace_source(settings: Settings, tracked: Sequence[str] | None, env: Mapping[str, str]) -> Check:
    """The daily job's traces: where they come from, and how many the window holds.

    ``tracked``: the repo's committed files under traces.path (None: the path is outside the repo).
    """
    if settings.traces_source == "jsonl":
        path = settings.resolve_traces_path()
        if not path.exists():
            return fail("trace source", missing_on_ci(settings, path, env))
        if tracked is not None and not tracked:
            return fail(
                "trace source",
                f"{path}: not committed, so a runner's checkout does not have it: commit the JSONL files, "
                "or use traces.source: supabase",
            )
    end = settings.now or utc_now()
    start = end - timedelta(hours=settings.window_hours)
    try:
        _states, report = open_source(settings, settings.resolve_traces_path()).observe(start, end, None)
    except OptimizerError as err:
        return fail("trace source", str(err))
    where = f"{settings.traces_source} ({report.description})"
    if report.traces_in_window == 0:
        hours = f"{settings.window_hours:g} h"
        return fail("trace source", f"{where}: no traces in the last {hours}: is the agent writing them?")
    return ok("trace source", f"{where}: {report.traces_in_window} trace(s) in the last {settings.window_hours:g} h")
