"""Run records: one row per agent per run of the daily loop, so later runs and reports can read
the history without GitHub. They go to Supabase's optimizer_runs when the project uses Supabase
(traces.source or deploy.target), else to the local registry file. A run that fails writes one
record saying so, and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from optimizer.config import Settings
from optimizer.deploy.model import Outcome, RunRecord
from optimizer.deploy.registry import runs_registry
from optimizer.models import Analysis
from optimizer.text.redact import clip, redact
from optimizer.timeutil import iso, utc_now

if TYPE_CHECKING:
    from optimizer.propose.outcome import AgentOutcome

MAX_ERROR_CHARS = 500


def _outcome(outcome: AgentOutcome) -> Outcome:
    if outcome.plan.commits:
        return "proposed"
    return "reported" if outcome.pr is not None else "nothing"


def run_records(
    analysis: Analysis,
    outcomes: Sequence[AgentOutcome],
    run_ids: Mapping[str, str],
    started: datetime,
    finished: datetime,
    pr_urls: Mapping[str, str] | None = None,
    rollback_urls: Mapping[str, str] | None = None,
) -> list[RunRecord]:
    """One record per agent outcome; a rollback pull request's URL goes with the rollback. Pure."""
    traces = {agent.agent: sum(v.traces for v in agent.versions) for agent in analysis.agents}
    findings = {agent.agent: agent.findings for agent in analysis.agents}
    records = []
    for outcome in outcomes:
        plan = outcome.plan
        records.append(
            RunRecord(
                run_id=run_ids[outcome.agent],
                agent=outcome.agent,
                started_at=iso(started),
                finished_at=iso(finished),
                outcome=_outcome(outcome),
                window_start=analysis.window.start,
                window_end=analysis.window.end,
                traces=traces.get(outcome.agent, 0),
                findings=tuple(
                    {"key": f.key, "kind": f.kind, "subject": f.subject, "title": f.title, "score": f.score}
                    for f in findings.get(outcome.agent, ())
                ),
                proposals=tuple(
                    {"fingerprint": p.fingerprint, "title": p.title, "finding_keys": list(p.finding_keys)}
                    for p in plan.proposals
                ),
                pr_url=(pr_urls or {}).get(outcome.agent),
                analyst=plan.analyst,
                analysis_cost_usd=plan.usage.cost_usd if plan.usage else None,
                base_sha=outcome.branch.base_sha if outcome.branch else None,
                head_sha=outcome.branch.head_sha if outcome.branch else None,
                measurement=_measurement(outcome, (rollback_urls or {}).get(outcome.agent)),
            )
        )
    return records


def _measurement(outcome: AgentOutcome, rollback_url: str | None) -> dict[str, object] | None:
    """What the last change did (the newest version, each decision's effect) and the rollback proposed."""
    if outcome.measurement is None:
        return None
    data: dict[str, object] = outcome.measurement.to_dict()
    if outcome.rollback is not None:
        rollback = outcome.rollback.to_dict()
        if rollback_url:  # when it was published
            rollback["pr_url"] = rollback_url
        data["rollback"] = rollback
    return data


def failure_record(run_id: str, agent: str | None, started: datetime, error: BaseException) -> RunRecord:
    # Redacted before it is cut, like a log line: an error can quote what it failed on.
    message = clip(redact(f"{type(error).__name__}: {error}"), MAX_ERROR_CHARS)
    return RunRecord(
        run_id=run_id,
        agent=agent,
        started_at=iso(started),
        finished_at=iso(utc_now()),
        outcome="failed",
        error=message,
    )


def record(settings: Settings, records: Sequence[RunRecord]) -> None:
    if not records:
        return
    registry = runs_registry(settings)
    for item in records:
        registry.record_run(item)
