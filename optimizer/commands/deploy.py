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
from optimizer.config import Settings, load_settings
from optimizer.deploy.artifacts import AgentBuild, build_agents
from optimizer.deploy.canary import (
    BACK_TO_STABLE,
    CanaryPlan,
    active_artifacts,
    plan_canaries,
    promote,
    running_canary,
    stable_versions,
    start_canaries,
    stop,
)
from optimizer.deploy.destination import choose
from optimizer.deploy.errors import DeployError
from optimizer.deploy.model import Canary, Deployed, DeployPlan, DeployResult, plan_deploy
from optimizer.deploy.registry import Registry, local_registry_path, open_registry
from optimizer.deploy.snapshot import snapshot_folder, write_snapshots
from optimizer.fmt import short_sha
from optimizer.gitops.repo import AgentRepo


@dataclass(frozen=True)
class DeployArgs:
    at: str | None = None  # a commit, branch or tag; default HEAD
    dry_run: bool = False
    target: str | None = None  # local | supabase; default deploy.target
    promote: str | None = None  # an agent whose running canary goes to every session
    abort: str | None = None  # an agent whose running canary is stopped


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
    if args.promote or args.abort:
        end_canary_command(settings, destination.target, args, echo)
        return
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
    canaries = plan_canaries(registry, builds, active) if settings.deploy.canary else CanaryPlan()
    kept = {build.agent for build in held} | set(canaries.held_to_stable)
    artifacts = [a for build in builds if build.deployable and build.agent not in kept for a in build.artifacts]
    artifacts += active_artifacts(registry, active, only=kept)
    plan = plan_deploy(files.sha, artifacts, active)
    if plan.is_noop and not (canaries.start or canaries.stop):
        which = "the other agents' prompts and souls" if held else "the prompts and souls"
        echo(f"nothing to deploy: {registry.description} already has {which} of {sha}.")
        for build in canaries.kept:
            echo(f"{build.agent}: its canary of these files is running; the daily run promotes or stops it.")
    else:
        echo(f"deploy {sha} to {registry.description}:")
        for line in plan_lines(plan) + canary_lines(canaries, settings, active):
            echo(line)
        if args.dry_run:
            echo("dry run: nothing deployed.", err=True)
        else:
            if not plan.is_noop:
                echo(shipped_line(sha, registry.description, registry.deploy(files.sha, artifacts)))
            if settings.deploy.canary is not None:
                for canary in start_canaries(
                    registry, canaries, files.sha, settings.deploy.canary, stable_versions(active)
                ):
                    echo(started_line(canary))
    if not args.dry_run:
        _write_snapshots(snapshot_folder(local_registry_path(settings)), registry, echo)
    if held:
        raise DeployError(held_back_line(sha, held, dry_run=args.dry_run))


def canary_lines(canaries: CanaryPlan, settings: Settings, active: list[Deployed]) -> list[str]:
    share = settings.deploy.canary.share if settings.deploy.canary else 0.0
    stable = stable_versions(active)
    lines = [
        f"  canary   {build.agent}  {share:.0%} of its sessions; the others stay on {short_sha(stable[build.agent])}"
        for build in canaries.start
    ]
    lines += [
        f"  stop     {canary.agent}  its canary {short_sha(canary.git_sha)}: {BACK_TO_STABLE}"
        for canary in canaries.stop
    ]
    return lines


def started_line(canary: Canary) -> str:
    return (
        f"{canary.agent}: canary {short_sha(canary.git_sha)} started for {canary.share:.0%} of its sessions beside "
        f"{short_sha(canary.stable_sha)}; the daily run promotes or stops it (optimizer status shows it)."
    )


def end_canary_command(settings: Settings, target: str, args: DeployArgs, echo: Echo) -> None:
    """``--promote AGENT`` / ``--abort AGENT``: end a running canary by hand."""
    if args.promote and args.abort:
        raise DeployError("--promote and --abort: give one of them")
    registry = open_registry(settings, target)
    agent = args.promote or args.abort or ""
    canary = running_canary(registry, agent)
    verb = "promote" if args.promote else "stop"
    if args.dry_run:
        echo(f"dry run: would {verb} {agent}'s canary {short_sha(canary.git_sha)} in {registry.description}.", err=True)
        return
    if args.promote:
        promote(registry, canary, "promoted by hand (optimizer deploy --promote)")
        echo(f"{agent}: canary {short_sha(canary.git_sha)} promoted: every session runs it now.")
    else:
        stop(registry, canary, "stopped by hand (optimizer deploy --abort)")
        echo(f"{agent}: canary {short_sha(canary.git_sha)} stopped: every session runs {short_sha(canary.stable_sha)}.")
    _write_snapshots(snapshot_folder(local_registry_path(settings)), registry, echo)


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
