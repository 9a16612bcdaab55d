"""`optimizer deploy`: the prompts and souls of a commit to the registry, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from optimizer.commands.base import Echo
from optimizer.config import load_settings
from optimizer.deploy.artifacts import collect
from optimizer.deploy.model import DeployPlan, plan_deploy
from optimizer.deploy.registry import open_registry
from optimizer.fmt import short_sha
from optimizer.gitops.repo import AgentRepo


@dataclass(frozen=True)
class DeployArgs:
    at: str | None = None  # a commit, branch or tag; default HEAD
    dry_run: bool = False
    target: str | None = None  # local | supabase; default deploy.target


def plan_lines(plan: DeployPlan) -> list[str]:
    lines = [f"  new      {a.agent}  {a.path}" for a in plan.new]
    lines += [f"  changed  {a.agent}  {a.path}" for a in plan.changed]
    lines += [f"  removed  {row.agent}  {row.path}" for row in plan.removed]
    if plan.unchanged:
        lines.append(f"  ({len(plan.unchanged)} unchanged)")
    return lines


def deploy_command(repo: Path, args: DeployArgs, echo: Echo) -> None:
    settings = load_settings(repo)
    with AgentRepo(repo) as git_repo:
        files = git_repo.files_at(args.at or "HEAD")
        artifacts = collect(files, short_sha(files.sha))
    registry = open_registry(settings, args.target)
    plan = plan_deploy(files.sha, artifacts, registry.active())
    if plan.is_noop:
        echo(f"nothing to deploy: {registry.description} already has the prompts and souls of {short_sha(files.sha)}.")
        return
    echo(f"deploy {short_sha(files.sha)} to {registry.description}:")
    for line in plan_lines(plan):
        echo(line)
    if args.dry_run:
        echo("dry run: nothing deployed.", err=True)
        return
    result = registry.deploy(files.sha, artifacts)
    echo(
        f"deployed {short_sha(files.sha)}: {len(result.inserted)} new version(s), "
        f"{len(result.deactivated)} removed, {result.unchanged} unchanged."
    )
