"""What the daily run produced for one agent: its plan, the branch built, the pull request rendered,
the measurement of the last change and the revert proposed when it hurt."""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.gitops.commits import BuiltBranch
from optimizer.measure.effects import AgentMeasurement
from optimizer.models import Finding, Window
from optimizer.propose.plan import Plan
from optimizer.render.pr_body import PrContext, RenderedPr
from optimizer.rollback.auto import Rollback


@dataclass(frozen=True)
class AgentOutcome:
    agent: str
    plan: Plan
    branch: BuiltBranch | None  # None when there is nothing to commit
    pr: RenderedPr | None  # None when there is nothing to propose or report
    measurement: AgentMeasurement | None = None  # what the last change did, over measure.lookback_days
    rollback: Rollback | None = None  # the newest version's revert, when it hurt
    pr_context: PrContext | None = None  # what ``pr`` was rendered from: publishing adds the dashboard's link
    findings: tuple[Finding, ...] = ()  # this window's, for the dashboard's evidence
    window: Window | None = None
