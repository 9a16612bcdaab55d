"""`optimizer doctor`: the whole set-up checked before the first failing run, one line per check with
what to do, and exit 1 when any check fails (``--format json`` for a workflow's job summary)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from optimizer.commands.base import Echo, require_repo_dir
from optimizer.config import Settings, load_settings
from optimizer.doctor.github_checks import access_checks, kind_check, token_kind
from optimizer.doctor.model import Check, as_json, fail, skip, text_lines
from optimizer.doctor.repo_checks import deploy_target, trace_source, workflows
from optimizer.doctor.supabase_checks import supabase_checks
from optimizer.errors import OptimizerError
from optimizer.gitops.hosts.target import TOKEN_VARIABLES


def doctor_command(repo: Path, output_format: str, echo: Echo) -> None:
    require_repo_dir(repo)
    settings = load_settings(repo)
    env = os.environ
    checks = [
        workflows(repo),
        deploy_target(settings, env),
        trace_source(settings, _committed_traces(settings), env),
        *github_checks(settings, env),
        *supabase_checks(settings, env),
    ]
    if output_format == "json":
        echo(as_json(checks))
    else:
        for line in text_lines(checks):
            echo(line)
    failed = [check.name for check in checks if check.status == "fail"]
    if not failed and output_format != "json":
        echo("no problems found.")
    if failed:
        raise OptimizerError(f"{len(failed)} problem(s) in the set-up: {', '.join(dict.fromkeys(failed))}")


def _committed_traces(settings: Settings) -> list[str] | None:
    """The committed files under traces.path; None when it lies outside the repo or there is no git."""
    from optimizer.gitops.repo import AgentRepo

    path = settings.resolve_traces_path().resolve()
    root = settings.repo.resolve()
    if not path.is_relative_to(root):
        return None
    try:
        with AgentRepo(settings.repo) as git_repo:
            return git_repo.files_at("HEAD").list_files(path.relative_to(root).as_posix())
    except OptimizerError:
        return None


def github_checks(settings: Settings, env: Mapping[str, str]) -> list[Check]:
    """The token and what it may do in the repository the runs publish to."""
    from optimizer.gitops.connection import publish_target
    from optimizer.gitops.hosts.github import connect

    names = (settings.github.token_env,) if settings.github.token_env else TOKEN_VARIABLES
    if not any(env.get(name, "").strip() for name in names):
        return [fail("github token", f"none: set {' or '.join(names)} (docs/github.md#github-set-up)")]
    try:
        target = publish_target(settings, env)
    except OptimizerError as err:  # not a git checkout, or a repository name that is not owner/name
        return [fail("github repository", str(err))]
    if target is None:
        return [skip("github", "no repository: set github.repository in optimizer.yaml, or add an origin remote")]
    kind = token_kind(target.token.reveal(), env)
    host = connect(target, throttle=False)
    try:
        return [kind_check(target, kind), *access_checks(target, kind, host.access)]
    finally:
        host.close()
