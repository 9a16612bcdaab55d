"""Each agent's dashboard issue: its work for humans, opened by the first run that finds any and
updated in place by every run after, with or without a pull request.

The issue is found by its labels (``optimizer:dashboard`` and ``optimizer:<agent>``; only people
with triage access or more can label an issue) and its hidden state block. The state merge is
``history.dashboard``, the Markdown ``render.dashboard``; this module reads and writes the issue.
"""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.config import Settings
from optimizer.gitops.hosts.base import CodeHost, Issue
from optimizer.history.dashboard import DashboardState, Sighting, merge, state_from_dict
from optimizer.history.markers import parse_dashboard, parse_ticks
from optimizer.models import ActionItem, Finding, Window
from optimizer.propose.daily_run import run_id
from optimizer.propose.outcome import AgentOutcome
from optimizer.render.dashboard import DashboardContext, dashboard_title, render_dashboard

DASHBOARD_LABEL = "optimizer:dashboard"


@dataclass(frozen=True)
class DashboardPublished:
    action: str  # opened | updated | reopened
    issue: Issue
    open_items: int
    previous: str | None  # the body before this run: a later re-render starts from it again


def dashboard_labels(labels: tuple[str, ...], agent: str) -> list[str]:
    return list(dict.fromkeys([*labels, DASHBOARD_LABEL, f"optimizer:{agent}"]))


def sightings(items: tuple[ActionItem, ...], findings: tuple[Finding, ...]) -> list[Sighting]:
    """This run's action items, each with its evidence: the strongest of its findings."""
    scores = {f.key: f.score for f in findings}
    return [Sighting(item.title, item.finding_keys, max((scores.get(k, 0.0) for k in item.finding_keys), default=0.0))
            for item in items]  # fmt: skip


def dashboard_body(
    outcome: AgentOutcome, previous: str | None, factor: float, pull: tuple[int, str] | None = None
) -> tuple[str, DashboardState]:
    """The body after this run, from the issue's body as it is now (None: no dashboard yet)."""
    window = outcome.window or Window("", "", 0)  # every run's outcome carries its window
    before = state_from_dict(parse_dashboard(previous), outcome.agent)
    items = outcome.plan.action_items
    state = merge(before, parse_ticks(previous), sightings(items, outcome.findings), window.end, factor)
    context = DashboardContext(
        agent=outcome.agent,
        state=state,
        action_items=items,
        findings=outcome.findings,
        window=window,
        run_id=run_id(window, outcome.agent),
        factor=factor,
        pull=pull,
    )
    return render_dashboard(context), state


def find_dashboard(host: CodeHost, agent: str) -> Issue | None:
    """The agent's dashboard: the newest issue with both labels whose hidden state names the agent."""
    for issue in host.issues_labelled([DASHBOARD_LABEL, f"optimizer:{agent}"]):
        state = parse_dashboard(issue.body)
        if state is not None and state.get("agent") == agent:
            return issue
    return None


def publish_dashboard(
    host: CodeHost, settings: Settings, outcome: AgentOutcome, existing: Issue | None, pull: tuple[int, str] | None
) -> DashboardPublished | None:
    """Open the dashboard when a run first has work for humans; then update it on every run, in place.

    A dashboard a person closed is reopened when an item is open again, else updated and left closed.
    """
    if existing is None and not outcome.plan.action_items:
        return None
    previous = existing.body if existing else None
    body, state = dashboard_body(outcome, previous, settings.github.rejected_evidence_factor, pull)
    open_items = len(state.with_status("open"))
    title = dashboard_title(outcome.agent)
    if existing is None:
        issue = host.create_issue(title, body, dashboard_labels(settings.labels, outcome.agent))
        return DashboardPublished("opened", issue, open_items, previous)
    reopen = existing.state == "closed" and open_items > 0
    host.update_issue(existing.number, title=title, body=body, state="open" if reopen else None)
    return DashboardPublished("reopened" if reopen else "updated", existing, open_items, previous)
