"""What reviewers decided about earlier proposals: merged is approved, closed unmerged is rejected.

Filled from the code host's past optimizer pull requests (or the local run records); read by the
planner, which never re-proposes a rejected change, and handed to the analyst as context.
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
    decided_at: str | None = None  # ISO 8601
    merge_sha: str | None = None  # the merge commit of an approved proposal: the version it deployed


@dataclass(frozen=True)
class History:
    proposals: tuple[PastProposal, ...] = ()

    def by_outcome(self, outcome: Outcome) -> dict[str, PastProposal]:
        """The latest decision per fingerprint with this outcome."""
        return {p.fingerprint: p for p in self.proposals if p.outcome == outcome}


NO_HISTORY = History()  # a first run, or a repo whose history is not read
