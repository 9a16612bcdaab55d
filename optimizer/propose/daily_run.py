"""The daily loop: observe traces, analyze, plan guarded edits, build the branch, render the PR.

I/O sits at the edges of this module (the trace source, the git repo); everything in between is
the pure core.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import replace
from datetime import datetime, timedelta

from optimizer.analysts.base import Analyst
from optimizer.config import Settings
from optimizer.errors import OptimizerError
from optimizer.gitops.branches import DECISION_COMMITS
from optimizer.gitops.repo import AgentRepo
from optimizer.history.from_git import history_from_git, merged
from optimizer.history.model import NO_HISTORY, History
from optimizer.measure.present import judged_on_the_present
from optimizer.models import Analysis, Window
from optimizer.propose import run_records as runs
from optimizer.propose.canary_pass import judge_canaries
from optimizer.propose.measure_pass import measure_agents
from optimizer.propose.outcome import AgentOutcome
from optimizer.propose.plan import Plan, plan_agent
from optimizer.propose.replay_pass import replay_plan
from optimizer.propose.window import Selection, analyze_window
from optimizer.render.pr_body import PrContext, RenderedPr, render_pr
from optimizer.render.pr_rewrite import mark_answered
from optimizer.rollback.auto import plan_rollback
from optimizer.timeutil import iso, utc_now
from optimizer.traces.jsonl import Progress

GIT_HISTORY_COMMITS = 5000  # of the base branch: years of a busy repository, read in two git calls


def run(
    settings: Settings,
    selection: Selection,
    analyst: Analyst,
    *,
    dry_run: bool,
    progress: Progress | None = None,
    base_sha: str | None = None,
    history_for: Callable[[str], History] | None = None,
    record: bool = True,
) -> tuple[Analysis, list[AgentOutcome]]:
    """The daily job, then its run record (one per agent; one "failed" record if it fails). A dry
    run records nothing. ``record=False``: the caller records success later (with the PR URLs)."""
    started = utc_now()
    try:
        analysis, outcomes = _run(
            settings, selection, analyst, dry_run=dry_run, progress=progress, base_sha=base_sha, history_for=history_for
        )
    except Exception as err:
        if not dry_run:
            record_failure(settings, selection, started, err)
        raise
    if not dry_run and record:
        record_run(settings, analysis, outcomes, started)
    return analysis, outcomes


def record_run(
    settings: Settings,
    analysis: Analysis,
    outcomes: list[AgentOutcome],
    started: datetime,
    pr_urls: Mapping[str, str] | None = None,
    rollback_urls: Mapping[str, str] | None = None,
) -> None:
    """One run record per agent, with the pull requests' URLs when they were published."""
    run_ids = {outcome.agent: run_id(analysis.window, outcome.agent) for outcome in outcomes}
    records = runs.run_records(analysis, outcomes, run_ids, started, utc_now(), pr_urls, rollback_urls)
    runs.record(settings, records)


def record_failure(settings: Settings, selection: Selection, started: datetime, error: Exception) -> None:
    window = Window(iso(selection.now - timedelta(hours=selection.window_hours)), iso(selection.now), 0)
    record = runs.failure_record(run_id(window, selection.agent or "all"), selection.agent, started, error)
    with suppress(OptimizerError):  # the store may be what failed; the run's own error matters more
        runs.record(settings, [record])


def _run(
    settings: Settings,
    selection: Selection,
    analyst: Analyst,
    *,
    dry_run: bool,
    progress: Progress | None = None,
    base_sha: str | None = None,
    history_for: Callable[[str], History] | None = None,
) -> tuple[Analysis, list[AgentOutcome]]:
    """The daily job for each selected agent. With dry_run, only unreferenced git objects are written.

    ``base_sha``: build on this commit (publishing passes the remote base branch's tip) instead of
    ``base_branch``/HEAD. ``history_for``: the agent's past decisions on the code host; those in
    git itself (proposal commits on the base branch, recorded rejections) are read in any case.
    """
    repo = AgentRepo(settings.repo)
    files = repo.files_at(base_sha or repo.resolve_base(settings.base_branch))
    base_sha = files.sha
    analysis, artifacts = analyze_window(settings, files, selection, progress)
    names = [agent.agent for agent in analysis.agents if agent.agent in artifacts]
    landed = repo.landed(base_sha, GIT_HISTORY_COMMITS, DECISION_COMMITS)
    histories = {
        name: merged(history_from_git(name, landed), history_for(name) if history_for else NO_HISTORY) for name in names
    }
    analysis = _judged_on_the_present(analysis, histories, settings)
    measured = measure_agents(settings, selection.traces, selection.now, selection.agent, histories)
    measured = judge_canaries(settings, selection.traces, selection.now, measured, act=not dry_run)
    # Every agent's plan first: an analyst that fails stops the run before any branch moves.
    plans = [
        (
            agent_analysis,
            plan_agent(
                agent_analysis,
                artifacts[agent_analysis.agent],
                analyst,
                files,
                settings.limits,
                histories[agent_analysis.agent],
                settings.github.rejected_evidence_factor,
            ),
        )
        for agent_analysis in analysis.agents
        if agent_analysis.agent in artifacts  # traces from an agent this repo does not hold: nothing to edit
    ]
    outcomes = []
    for agent_analysis, plan in plans:
        measurement = measured.get(plan.agent)
        rollback = None
        if measurement is not None:
            auto_merge = settings.measure.auto_merge_rollback
            rollback = plan_rollback(repo, base_sha, measurement, update_ref=not dry_run, auto_merge=auto_merge)
        branch = None
        if plan.commits:
            branch = repo.build_branch(base_sha, list(plan.commits), f"optimizer/{plan.agent}", update_ref=not dry_run)
        pr, context = None, None
        if plan.proposals or plan.action_items:
            context = PrContext(
                agent=plan.agent,
                analysis=agent_analysis,
                window=analysis.window,
                source=analysis.source,
                proposals=plan.proposals,
                action_items=plan.action_items,
                refusals=plan.refusals,
                run_id=run_id(analysis.window, plan.agent),
                analyst=plan.analyst,
                base_sha=base_sha,
                commit_shas=branch.commit_shas if branch else (),
                returning=plan.returning,
                withheld=plan.withheld,
                analyst_usage=plan.usage,
                notes=plan.notes,
                measurement=measurement,
                rollback_branch=rollback.branch.branch if rollback and rollback.branch else None,
                replay=replay_plan(settings, selection, files, plan, agent_analysis),
            )
            pr = pr_for(context, plan)
        outcomes.append(
            AgentOutcome(
                plan.agent,
                plan,
                branch,
                pr,
                measurement,
                rollback,
                pr_context=context,
                findings=agent_analysis.findings,
                window=analysis.window,
            )
        )
    return analysis, outcomes


def pr_for(context: PrContext, plan: Plan) -> RenderedPr:
    """The pull request of a plan; each proposal whose answer a writer gave (``/optimizer answer N``)
    says so, as the command left it. Publishing renders it again with the dashboard's link."""
    pr = render_pr(context)
    numbers = {proposal.fingerprint: n for n, proposal in enumerate(plan.proposals, 1)}
    body = pr.body
    for written in plan.answered:
        body = mark_answered(body, numbers[written.fingerprint], written.by)
    return replace(pr, body=body)


def run_id(window: Window, agent: str) -> str:
    """Stable for a given window and agent, so re-running the same day is recognisable."""
    return f"{agent}-{window.end.replace(':', '').replace('-', '')}"


def _judged_on_the_present(analysis: Analysis, histories: Mapping[str, History], settings: Settings) -> Analysis:
    """A finding a merged proposal answers is judged on the versions that contain the merge."""
    agents = tuple(
        judged_on_the_present(agent, histories[agent.agent], settings.thresholds) if agent.agent in histories else agent
        for agent in analysis.agents
    )
    return replace(analysis, agents=agents)
