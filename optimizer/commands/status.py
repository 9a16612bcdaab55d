"""`optimizer status`: per agent, the version in git against the deployed one, and any drift.

The git version of an agent is the last commit that touched its soul or prompts; the deployed
version is the git SHA of its latest deploy; ``deploy.drift`` compares their contents. With
``deploy.canary`` set, each running canary follows: its share, traces so far per arm, and the verdict
the next daily run would reach on them.
"""

from __future__ import annotations

from pathlib import Path

from optimizer.artifacts.constants import PROMPTS_DIR, soul_paths
from optimizer.commands.base import Echo
from optimizer.config import Settings, load_settings
from optimizer.deploy.artifacts import build_agents
from optimizer.deploy.canary import plan_canaries
from optimizer.deploy.drift import compare, status_lines
from optimizer.deploy.errors import DeployError
from optimizer.deploy.model import Canary
from optimizer.deploy.registry import open_registry
from optimizer.errors import OptimizerError
from optimizer.fmt import short_sha
from optimizer.gitops.repo import AgentRepo
from optimizer.measure.effects import guards_from
from optimizer.propose.canary_pass import judge_one
from optimizer.timeutil import utc_now
from optimizer.traces.source import TraceSource, open_source


def status_command(repo: Path, target: str | None, check: bool, echo: Echo) -> None:
    settings = load_settings(repo)
    with AgentRepo(repo) as git_repo:
        files = git_repo.files_at("HEAD")
        builds = build_agents(files)
        artifacts = [artifact for build in builds for artifact in build.artifacts]
        agents = sorted({a.agent for a in artifacts})
        git_versions = {a: git_repo.last_commit(files.sha, [*soul_paths(a), f"{PROMPTS_DIR}/{a}"]) for a in agents}
    registry = open_registry(settings, target)
    active = registry.active()
    statuses = compare(artifacts, active, git_versions)
    echo(f"HEAD {short_sha(files.sha)} against {registry.description}:")
    if not statuses:
        echo("no agents in git and nothing deployed.")
        return
    for line in status_lines(statuses):
        echo(line)
    for line in canary_lines(settings, registry.canaries() if settings.deploy.canary else []):
        echo(line)
    drifting = [s.agent for s in statuses if not s.in_sync]
    # An agent whose running canary already has HEAD's files differs by design: deploying again changes nothing.
    trying = {b.agent for b in plan_canaries(registry, builds, active).kept} if settings.deploy.canary else set()
    if trying:
        echo(f"HEAD runs as a canary ({', '.join(sorted(trying))}): the daily run promotes or stops it.", err=True)
    shippable = [agent for agent in drifting if agent not in trying]
    if shippable:
        echo(f"run `optimizer deploy` to ship HEAD ({', '.join(shippable)} differ).", err=True)
    if drifting and check:
        raise DeployError(f"{', '.join(drifting)}: deployed version differs from HEAD {short_sha(files.sha)}")


def canary_lines(settings: Settings, running: list[Canary]) -> list[str]:
    """Each running canary: its share, traces so far per arm, and the verdict the next run would reach."""
    if not running:
        return []
    now = utc_now()  # "so far": the live state, whatever window.now pins for runs
    guards = guards_from(settings.measure.guards)
    lines = []
    source: TraceSource | None = None
    for canary in running:
        head = (
            f"canary {canary.agent}: {short_sha(canary.git_sha)} for {canary.share:.0%} of sessions beside "
            f"{short_sha(canary.stable_sha)} since {canary.started_at}"
        )
        try:
            source = source or open_source(settings, settings.resolve_traces_path())
            judged = judge_one(source, canary, now, guards)
        except OptimizerError as err:
            lines.append(f"{head}: traces not read ({err})")
            continue
        on_canary, on_stable = judged.traces
        lines.append(
            f"{head}: {on_canary} canary / {on_stable} stable trace(s), {canary.min_traces} each needed; "
            f"verdict: {judged.verdict} ({judged.reason})"
        )
    return lines
