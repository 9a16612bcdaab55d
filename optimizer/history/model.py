"""What reviewers decided: proposals merged (approved) or closed and rejected, findings accepted.

Filled from git (proposal commits reachable from the base branch, decisions recorded as commits),
from the code host's past optimizer pull requests and from the run records; read by the planner,
which never proposes a decided change again, by the measurement, and handed to the analyst.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from optimizer.models import Proposal

Outcome = Literal["approved", "rejected", "open"]


@dataclass(frozen=True)
class PastProposal:
    fingerprint: str
    title: str
    finding_keys: tuple[str, ...]
    outcome: Outcome
    pr_number: int | None = None
    pr_url: str | None = None
    reasons: tuple[str, ...] = ()  # the reviewers' words (redacted), most relevant first
    evidence_score: float | None = None  # the proposal's score when it was proposed
    evidence_traces: int | None = None  # the traces in that run's window: the score's denominator
    decided_at: str | None = None  # ISO 8601
    merge_sha: str | None = None  # the merge commit of an approved proposal: the version it deployed
    target: str | None = None  # what it changed, as words (history.screen.target_of): near-duplicates share it


@dataclass(frozen=True)
class Acceptance:
    """A finding a reviewer accepted as the new normal (a regression worth its cost, say)."""

    finding_key: str
    version: str | None  # the version accepted: measurement takes it as the new baseline
    decided_at: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class WrittenAnswer:
    """The answer a writer gave an FAQ proposal of an open pull request (``/optimizer answer N``):
    later runs write it in place of the analyst's, so the branch keeps it."""

    fingerprint: str
    question: str
    answer: str
    by: str  # the writer's login
    pr_number: int | None = None
    at: str | None = None  # ISO 8601

    @property
    def source(self) -> str:
        """The FAQ entry's ``source``: who wrote the answer, and where."""
        where = f" in pull request #{self.pr_number}" if self.pr_number else ""
        return f"written by @{self.by}{where}"

    def applied_to(self, proposal: Proposal) -> Proposal:
        """The FAQ proposal with this answer (and the question it answered) in place of the analyst's."""
        if proposal.edit.op != "add_faq" or proposal.fingerprint != self.fingerprint:
            return proposal
        edit = replace(proposal.edit, question=self.question, answer=self.answer, source=self.source)
        return replace(proposal, edit=edit)


@dataclass(frozen=True)
class History:
    proposals: tuple[PastProposal, ...] = ()
    accepted: tuple[Acceptance, ...] = ()
    answers: tuple[WrittenAnswer, ...] = ()  # on the open pull request, the latest per proposal

    def answer_for(self, fingerprint: str) -> WrittenAnswer | None:
        """The latest answer written to the proposal with this fingerprint, if any."""
        found = [a for a in self.answers if a.fingerprint == fingerprint]
        return found[-1] if found else None

    def by_outcome(self, outcome: Outcome) -> dict[str, PastProposal]:
        """The latest decision per fingerprint with this outcome."""
        return {p.fingerprint: p for p in self.proposals if p.outcome == outcome}


NO_HISTORY = History()  # a first run, or a repo whose history is not read
