"""The deterministic analyst: edits only where a safe one follows from the evidence.

Safe enough to propose without a model: removing a duplicated prompt block (keeping the first
copy), a soul rule to retry a declared tool that times out, an FAQ entry for questions the agent
could not answer or a topic it hands over far too often (answered from staff replies, else left
for the owner), and taking an unused tool out of the front matter. Everything else becomes an
action item for a human.
"""

from __future__ import annotations

from collections.abc import Callable

from optimizer.analysts.base import AnalystResult
from optimizer.analysts.heuristic_edits import (
    duplicate_block_proposal,
    escalation_faq_proposal,
    faq_proposal,
    timeout_rule_proposal,
    unused_tool_proposal,
)
from optimizer.analysts.heuristic_items import action_items_for
from optimizer.artifacts.model import AgentArtifacts
from optimizer.config import Limits
from optimizer.history.model import NO_HISTORY, History
from optimizer.models import AgentAnalysis, Finding, Proposal

ProposalRule = Callable[[Finding, AgentArtifacts], list[Proposal]]

PROPOSAL_RULES: dict[str, ProposalRule] = {
    "prompt_duplication": duplicate_block_proposal,
    "tool_failure": timeout_rule_proposal,
    "knowledge_gap": faq_proposal,
    "unused_tool": unused_tool_proposal,
    "escalation": escalation_faq_proposal,
}


class HeuristicAnalyst:
    name = "heuristic"

    def propose(
        self, analysis: AgentAnalysis, artifacts: AgentArtifacts, limits: Limits, history: History = NO_HISTORY
    ) -> AnalystResult:
        del history  # the planner drops rejected changes for every analyst; nothing here depends on it
        proposals: list[Proposal] = []
        for finding in analysis.findings:
            rule = PROPOSAL_RULES.get(finding.kind)
            proposals.extend(rule(finding, artifacts) if rule else ())
        proposals.sort(key=lambda p: (-p.score, p.title))
        chosen = tuple(_one_per_target(proposals)[: limits.max_proposals])
        proposed = frozenset(key for proposal in chosen for key in proposal.finding_keys)
        return AnalystResult(
            analyst=self.name,
            proposals=chosen,
            action_items=tuple(action_items_for(analysis.findings, proposed)),
        )


def _one_per_target(proposals: list[Proposal]) -> list[Proposal]:
    """Drop proposals that repeat a fingerprint (two findings leading to the same edit)."""
    seen: set[str] = set()
    unique = []
    for proposal in proposals:
        if proposal.fingerprint not in seen:
            seen.add(proposal.fingerprint)
            unique.append(proposal)
    return unique
