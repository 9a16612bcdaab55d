"""`optimizer deploy`: the prompts and souls of a commit to the registry, agent by agent, in one transaction.

An agent that fails validation is held back (its deployed version stays) and the others go out;
the command then exits 1 naming it. On a CI runner a store the runner throws away is refused
before anything is read (``deploy.destination``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from optimizer.commands.base import Echo
from optimizer.config import load_settings
from optimizer.deploy.artifacts import AgentBuild, build_agents
from optimizer.deploy.destination import choose
from optimizer.deploy.errors import DeployError
from optimizer.deploy.model import Artifact, Deployed, DeployPlan, DeployResult, plan_deploy
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
    destination = choose(settings, args.target, os.environ)
    if destination.refusal:
        raise DeployError(f"refusing to deploy: {destination.refusal}")
    if destination.note:
        echo(f"note: {destination.note}", err=True)
    with AgentRepo(repo) as git_repo:
        files = git_repo.files_at(args.at or "HEAD")
    sha = short_sha(files.sha)
    builds = build_agents(files)
    if not builds:
        raise DeployError(f"nothing to deploy at {sha}: no souls/<agent>.yaml and no prompts/<agent>/*.md")
    for build in builds:
        for question in build.left_out:
            echo(
                f"warning: {build.agent}: FAQ entry {question!r} has no answer yet: left out of what the agent "
                "reads; write the answer and merge it to ship the entry",
                err=True,
            )
    registry = open_registry(settings, destination.target)
    held = [build for build in builds if not build.deployable]
    active = registry.active()
    artifacts = [a for build in builds if build.deployable for a in build.artifacts] + _kept(registry, active, held)
    plan = plan_deploy(files.sha, artifacts, active)
    if plan.is_noop:
        which = "the other agents' prompts and souls" if held else "the prompts and souls"
        echo(f"nothing to deploy: {registry.description} already has {which} of {sha}.")
    else:
        echo(f"deploy {sha} to {registry.description}:")
        for line in plan_lines(plan):
            echo(line)
        if args.dry_run:
            echo("dry run: nothing deployed.", err=True)
        else:
            echo(shipped_line(sha, registry.description, registry.deploy(files.sha, artifacts)))
    if not args.dry_run:
        _write_snapshots(snapshot_folder(local_registry_path(settings)), registry, echo)
    if held:
        raise DeployError(held_back_line(sha, held, dry_run=args.dry_run))


def _kept(registry: Registry, active: list[Deployed], held: list[AgentBuild]) -> list[Artifact]:
    """A held-back agent's deployed files, handed back unchanged so the deploy leaves them active."""
    kinds = {(row.agent, row.path): row.kind for row in active}
    kept = []
    for build in held:
        for path, content in registry.active_contents(build.agent).items():
            soul = kinds.get((build.agent, path)) == "soul"
            kept.append(Artifact(build.agent, path, "soul" if soul else "prompt", content))
    return kept


def _write_snapshots(folder: Path, registry: Registry, echo: Echo) -> None:
    """What the registry now serves, as the agents' fallback (optimizer.runtime reads it when the store is down)."""
    paths = write_snapshots(folder, registry)
    if paths:
        echo(f"snapshot for the runtime's fallback: {folder}/ ({len(paths)} agent(s))")


def shipped_line(sha: str, where: str, result: DeployResult) -> str:
    """Where the deploy went and how much it moved: the line a deploy log must end with."""
    agents = sorted({agent for agent, _path in (*result.inserted, *result.deactivated)})
    return (
        f"deployed {sha} to {where}: {len(agents)} agent(s) changed ({', '.join(agents) or 'none'}), "
        f"{len(result.inserted)} new file version(s), {len(result.deactivated)} removed, "
        f"{result.unchanged} unchanged."
    )


def held_back_line(sha: str, held: list[AgentBuild], *, dry_run: bool) -> str:
    """One line: which agents did not go out and why; their deployed versions stay."""
    names = ", ".join(f"{build.agent} ({build.reason()})" for build in held)
    verb = "would not deploy" if dry_run else "not deployed (the version deployed before stays)"
    return f"{sha}: {verb}: {names}. Fix them, commit, and deploy again."
