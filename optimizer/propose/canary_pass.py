"""The run's canary pass: each running canary judged on its two arms over the same hours, then
promoted or stopped (docs/deploy.md#canary-rollouts).

Runs only with ``deploy.canary`` set. A canary's judgement replaces the agent's usual measurement
for this run, so a stopped canary's revert pull request is opened by the usual machinery
(rollback/auto.py) with the side-by-side figures as its evidence, within the same run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import datetime
from pathlib import Path

from optimizer.analysis.metrics import version_metrics
from optimizer.config import Settings
from optimizer.deploy.canary import settle
from optimizer.deploy.model import Canary
from optimizer.deploy.registry import local_registry_path, open_registry
from optimizer.deploy.snapshot import snapshot_folder, write_snapshots
from optimizer.measure.canary import CanaryJudgement, Trial, as_measurement, judge
from optimizer.measure.effects import AgentMeasurement, guards_from
from optimizer.measure.rollback_policy import Guard
from optimizer.timeutil import parse_timestamp
from optimizer.traces.source import TraceSource, open_source


def judge_canaries(
    settings: Settings, traces: Path, now: datetime, measured: Mapping[str, AgentMeasurement], *, act: bool
) -> dict[str, AgentMeasurement]:
    """``measured`` with each of its agents that has a running canary measured on its arms instead; with
    ``act``, each verdict is carried out on the registry (a dry run only says what it would do)."""
    result = dict(measured)
    if settings.deploy.canary is None:
        return result
    registry = open_registry(settings)
    running = registry.canaries()
    if not running:
        return result
    source = open_source(settings, traces)
    guards = guards_from(settings.measure.guards)
    changed = False
    for canary in running:
        if canary.agent not in measured:  # not an agent this run plans for (--agent, or no traces today)
            continue
        judgement = judge_one(source, canary, now, guards)
        action = settle(registry, canary, judgement.verdict, judgement.reason) if act else None
        changed |= action == "promoted"
        earlier = measured.get(canary.agent)
        result[canary.agent] = as_measurement(judgement, now, earlier.decisions if earlier else (), guards, action)
    if changed:  # the runtime's fallback follows the promotion
        write_snapshots(snapshot_folder(local_registry_path(settings)), registry)
    return result


def judge_one(source: TraceSource, canary: Canary, now: datetime, guards: tuple[Guard, ...]) -> CanaryJudgement:
    """The canary's arms from its start to ``now``, judged (optimizer status shows it too)."""
    start = parse_timestamp(canary.started_at) or now
    states = source.versions(start, now, canary.agent)
    versions = version_metrics(states[canary.agent]) if canary.agent in states else ()
    return judge(trial(canary), versions, now, guards)


def trial(canary: Canary) -> Trial:
    return Trial(*(getattr(canary, field.name) for field in fields(Trial)))
