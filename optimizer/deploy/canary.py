"""Canary rollouts on a registry: which agents a deploy sends to a canary, and promoting or stopping one.

With ``deploy.canary`` set, an agent whose merged files differ from its deployed (stable) version
is not deployed to everyone: the deploy keeps its stable files active and records a canary with
the new files, which ``share`` of its sessions run (optimizer.runtime picks them by session id).
An agent deployed for the first time has no stable version to compare with and is deployed as
before; a commit that brings an agent back to its stable files stops the agent's canary.

Promoting deploys the canary's files for every session (a deploy of the canary's commit: new
active rows, the registry's history); stopping marks the canary stopped, and the runtime sends its
sessions back to the stable version at its next refresh.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from optimizer.config import CanarySettings
from optimizer.deploy.artifacts import AgentBuild
from optimizer.deploy.errors import DeployError
from optimizer.deploy.model import Artifact, Canary, Deployed, DeployResult, agent_versions, canary_artifacts
from optimizer.deploy.registry import Registry

BACK_TO_STABLE = "the merged version is the stable one again"


@dataclass(frozen=True)
class CanaryPlan:
    """What a deploy does about canaries: agents it starts one for, running ones it stops."""

    start: tuple[AgentBuild, ...] = ()
    stop: tuple[Canary, ...] = ()
    kept: tuple[AgentBuild, ...] = ()  # agents whose running canary already has these files

    @property
    def held_to_stable(self) -> tuple[str, ...]:
        """Agents whose stable files the deploy leaves active."""
        return tuple(build.agent for build in (*self.start, *self.kept))


def plan_canaries(registry: Registry, builds: Sequence[AgentBuild], active: Sequence[Deployed]) -> CanaryPlan:
    """Per deployable agent: a canary when its files differ from a deployed stable version."""
    deployed = _files_by_agent(active)
    running = {canary.agent: canary for canary in registry.canaries()}
    start, stop, kept = [], [], []
    for build in builds:
        if not build.deployable or build.agent not in deployed:
            continue
        wanted = {(a.path, a.sha256) for a in build.artifacts}
        canary = running.get(build.agent)
        if wanted == deployed[build.agent]:
            if canary is not None:
                stop.append(canary)
        elif canary is not None and wanted == _files(registry.canary_contents(canary.id), build.agent):
            kept.append(build)
        else:
            start.append(build)
    return CanaryPlan(tuple(start), tuple(stop), tuple(kept))


def start_canaries(
    registry: Registry, plan: CanaryPlan, git_sha: str, settings: CanarySettings, stable: dict[str, str]
) -> list[Canary]:
    """Record the plan's canaries (after the deploy that kept their stable files) and stop the others.
    ``stable``: agent -> its deployed version."""
    started = []
    for build in plan.start:
        trial = Canary(
            0, build.agent, git_sha, stable[build.agent], settings.share, settings.min_traces, settings.max_hours, ""
        )
        started.append(registry.start_canary(trial, {a.path: a.content for a in build.artifacts}))
    for canary in plan.stop:
        registry.end_canary(canary.id, "stopped", BACK_TO_STABLE)
    return started


def running_canary(registry: Registry, agent: str) -> Canary:
    running = registry.canaries(agent)
    if not running:
        raise DeployError(f"{agent}: no running canary in {registry.description} (optimizer status lists them)")
    return running[0]


def promote(registry: Registry, canary: Canary, reason: str) -> DeployResult:
    """Deploy the canary's files for every session, the other agents left as they are; then mark it promoted."""
    others = active_artifacts(registry, registry.active(), exclude={canary.agent})
    mine = canary_artifacts(canary.agent, registry.canary_contents(canary.id))
    result = registry.deploy(canary.git_sha, [*others, *mine])
    registry.end_canary(canary.id, "promoted", reason)
    return result


def stop(registry: Registry, canary: Canary, reason: str) -> bool:
    """Send the canary's sessions back to the stable version; False when it had ended meanwhile."""
    return registry.end_canary(canary.id, "stopped", reason)


def active_artifacts(
    registry: Registry,
    active: Sequence[Deployed],
    *,
    only: Collection[str] | None = None,
    exclude: Collection[str] = (),
) -> list[Artifact]:
    """The deployed files of the agents ``only`` names (default: all but ``exclude``), as artifacts, so a
    deploy of the whole set leaves them active."""
    kinds = {(row.agent, row.path): row.kind for row in active}
    agents = sorted(set(only) if only is not None else {row.agent for row in active} - set(exclude))
    kept = []
    for agent in agents:
        for path, content in registry.active_contents(agent).items():
            soul = kinds.get((agent, path)) == "soul"
            kept.append(Artifact(agent, path, "soul" if soul else "prompt", content))
    return kept


def stable_versions(active: Sequence[Deployed]) -> dict[str, str]:
    return {agent: row.git_sha for agent, row in agent_versions(active).items()}


def _files_by_agent(active: Sequence[Deployed]) -> dict[str, set[tuple[str, str]]]:
    files: dict[str, set[tuple[str, str]]] = {}
    for row in active:
        files.setdefault(row.agent, set()).add((row.path, row.content_sha256))
    return files


def _files(contents: dict[str, str], agent: str) -> set[tuple[str, str]]:
    return {(a.path, a.sha256) for a in canary_artifacts(agent, contents)}


def settle(registry: Registry, canary: Canary, verdict: str, reason: str) -> str | None:
    """Act on the daily run's verdict: "promoted", "stopped", or None (wait, or it ended meanwhile)."""
    if verdict == "promote":
        promote(registry, canary, reason)
        return "promoted"
    if verdict == "stop" and stop(registry, canary, reason):
        return "stopped"
    return None
