"""The run's replay pass: each agent's proposals replayed against the conversations behind their findings.

Proposal N is replayed on the files as its commit leaves them, against the files before it (the
base for the first), so each row of the table shows what that one change does. A run with the
heuristic analyst stays offline, as that analyst promises: no replay.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta

from optimizer.artifacts.files import RepoFiles
from optimizer.config import Settings
from optimizer.models import AgentAnalysis
from optimizer.propose.plan import Plan
from optimizer.propose.window import Selection
from optimizer.replay.model import ReplayReport
from optimizer.replay.session import Change, Window, overlays, replay_changes

OFFLINE = "the heuristic analyst keeps the run offline (`optimizer replay` replays a pull request on demand)"


def replay_plan(
    settings: Settings,
    selection: Selection,
    files: RepoFiles,
    plan: Plan,
    analysis: AgentAnalysis,
    environ: Mapping[str, str] = os.environ,
) -> ReplayReport | None:
    """The replay of the plan's proposals (None when there are none)."""
    if not plan.proposals:
        return None
    if plan.analyst == "heuristic" and environ.get("ANTHROPIC_API_KEY", "").strip():
        return ReplayReport(skipped=OFFLINE)  # the offline analyst keeps the whole run offline
    findings = {finding.key: finding for finding in analysis.findings}
    states = overlays(files, [commit.changes for commit in plan.commits])
    befores = [files, *states[:-1]]
    changes = [
        Change(p.title, next((findings[k] for k in p.finding_keys if k in findings), None), before, after)
        for p, before, after in zip(plan.proposals, befores, states, strict=True)
    ]
    window = Window(selection.traces, selection.now - timedelta(hours=selection.window_hours), selection.now)
    return replay_changes(settings, plan.agent, changes, window, environ)
