"""`optimizer deploy`: the prompts and souls of a commit to the registry, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from optimizer.commands.base import Echo
from optimizer.config import Settings, load_settings
from optimizer.deploy.artifacts import collect
from optimizer.deploy.model import DeployPlan, plan_deploy
from optimizer.deploy.registry import Registry, local_registry_path, open_registry
from optimizer.deploy.snapshot import snapshot_folder, write_snapshots
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
        if not args.dry_run:
            _write_snapshots(_snapshots_folder(settings), registry, echo)
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
    _write_snapshots(_snapshots_folder(settings), registry, echo)


def _snapshots_folder(settings: Settings) -> Path:
    """Where the deployed snapshots go: next to the local registry file."""
    return snapshot_folder(local_registry_path(settings))


def _write_snapshots(folder: Path, registry: Registry, echo: Echo) -> None:
    """What the registry now serves, as the agents' fallback (optimizer.runtime reads it when the store is down)."""
    paths = write_snapshots(folder, registry)
    if paths:
        echo(f"snapshot for the runtime's fallback: {folder}/ ({len(paths)} agent(s))")
