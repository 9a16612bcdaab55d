"""From an agent's analysis to guarded commits: the analyst proposes, the guardrails dispose.

Every proposal, from any analyst, goes through ``check_and_apply``; the accepted edits are
applied one after another in memory, one planned commit each. Nothing here touches git.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from optimizer.analysts.base import Analyst, AnalystUsage
from optimizer.analysts.verbatim import unsafe_trace_copy
from optimizer.artifacts.files import RepoFiles
from optimizer.artifacts.guardrails import check_and_apply
from optimizer.artifacts.held import already_held
from optimizer.artifacts.model import AgentArtifacts
from optimizer.artifacts.overlay import OverlayFiles
from optimizer.config import Limits
from optimizer.errors import GuardrailViolation
from optimizer.gitops.branches import (
    ANSWERED_TRAILER,
    FINDING_TRAILER,
    FINGERPRINT_TRAILER_NAME,
    SCORE_TRAILER,
    TARGET_TRAILER,
    TRACES_TRAILER,
    with_trailer,
)
from optimizer.gitops.commits import PlannedCommit
from optimizer.history.model import NO_HISTORY, History, PastProposal, WrittenAnswer
from optimizer.history.screen import latest_decisions, screen, target_of
from optimizer.models import ActionItem, AgentAnalysis, Finding, Proposal, Refusal


@dataclass(frozen=True)
class Plan:
    agent: str
    analyst: str
    proposals: tuple[Proposal, ...]  # accepted by the guardrails, in commit order
    refusals: tuple[Refusal, ...]
    action_items: tuple[ActionItem, ...]
    commits: tuple[PlannedCommit, ...]
    usage: AnalystUsage | None = None
    notes: tuple[str, ...] = ()
    returning: tuple[PastProposal, ...] = ()  # rejected before, back with enough new evidence
    withheld: tuple[PastProposal, ...] = ()  # rejected before, not proposed again
    answered: tuple[WrittenAnswer, ...] = ()  # answers writers gave on the open pull request, written again


def plan_agent(
    analysis: AgentAnalysis,
    artifacts: AgentArtifacts,
    analyst: Analyst,
    files: RepoFiles,
    limits: Limits,
    history: History = NO_HISTORY,
    rejected_evidence_factor: float = 2.0,
) -> Plan:
    # Room for the decided changes the screen will withhold, so they do not take the limit's places.
    decided = len(latest_decisions(history))
    result = analyst.propose(
        analysis, artifacts, replace(limits, max_proposals=limits.max_proposals + decided), history
    )
    # Whatever the analyst says, a decided change comes back only as the screen allows.
    screened = screen(result.proposals, history, rejected_evidence_factor, analysis.traces)
    overlay = OverlayFiles(files)
    accepted: list[Proposal] = []
    refusals: list[Refusal] = []
    commits: list[PlannedCommit] = []
    answered: list[WrittenAnswer] = []
    findings = {finding.key: finding for finding in analysis.findings}
    for screened_proposal in screened.proposals:
        if len(accepted) >= limits.max_proposals:
            break
        answer = history.answer_for(screened_proposal.fingerprint) if screened_proposal.edit.op == "add_faq" else None
        proposal = answer.applied_to(screened_proposal) if answer else screened_proposal
        held = already_held(overlay, proposal.edit)  # the base files, or an edit accepted a moment ago
        if held is not None:
            refusals.append(Refusal(proposal, held))
            continue
        unsafe = unsafe_trace_copy(proposal, analysis.findings)
        if unsafe is not None:  # trace text is data: never an FAQ question or a rule of its own
            refusals.append(Refusal(proposal, f"{proposal.edit.path}: {unsafe}; refusing"))
            continue
        try:
            new_text = check_and_apply(overlay, proposal, limits, analysis.agent)
        except GuardrailViolation as err:
            refusals.append(Refusal(proposal, str(err)))
            continue
        overlay.changed[proposal.edit.path] = new_text
        accepted.append(proposal)
        message = commit_message(analysis.agent, proposal, findings, analysis.traces)
        if answer is not None:
            answered.append(answer)
            message = with_trailer(message, ANSWERED_TRAILER, answer.by)
        commits.append(PlannedCommit(message, {proposal.edit.path: new_text}))
    return Plan(
        agent=analysis.agent,
        analyst=result.analyst,
        proposals=tuple(accepted),
        refusals=tuple(refusals),
        action_items=result.action_items,
        commits=tuple(commits),
        usage=result.usage,
        notes=result.notes,
        returning=tuple(p for p in screened.returning if p.fingerprint in {a.fingerprint for a in accepted}),
        withheld=screened.withheld,
        answered=tuple(answered),
    )


def commit_message(agent: str, proposal: Proposal, findings: dict[str, Finding], traces: int = 0) -> str:
    """Subject names the change; the body names the finding(s) it answers and the fingerprint."""
    title = " ".join(proposal.title.split())  # one line, whatever the analyst or a trace put in it
    lines = [f"optimizer({agent}): {title}"[:100], ""]
    for key in proposal.finding_keys:
        finding = findings.get(key)
        lines.append(f"Finding {key}: {finding.title}" if finding else f"Finding {key}")
    lines += ["", f"{FINGERPRINT_TRAILER_NAME}: {proposal.fingerprint}", f"{SCORE_TRAILER}: {proposal.score:g}"]
    lines.append(f"{TRACES_TRAILER}: {traces}")
    lines += [f"{FINDING_TRAILER}: {key}" for key in proposal.finding_keys]
    lines.append(f"{TARGET_TRAILER}: {target_of(proposal.edit)[:200]}")
    return "\n".join(lines) + "\n"
