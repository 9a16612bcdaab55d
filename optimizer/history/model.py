"""What reviewers decided: proposals merged (approved) or closed and rejected, findings accepted.

Filled from git (proposal commits reachable from the base branch, decisions recorded as commits),
from the code host's past optimizer pull requests and from the run records; read by the planner,
which never proposes a decided change again, by the measurement, and handed to the analyst.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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
class History:
    proposals: tuple[PastProposal, ...] = ()
    accepted: tuple[Acceptance, ...] = ()

    def by_outcome(self, outcome: Outcome) -> dict[str, PastProposal]:
        """The latest decision per fingerprint with this outcome."""
        return {p.fingerprint: p for p in self.proposals if p.outcome == outcome}


NO_HISTORY = History()  # a first run, or a repo whose history is not read
