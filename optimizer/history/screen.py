"""The rule every analyst's proposals pass: a change reviewers rejected is not proposed again, unless
its evidence has grown by ``factor`` since. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.history.model import History, PastProposal
from optimizer.models import Proposal


@dataclass(frozen=True)
class Screened:
    proposals: tuple[Proposal, ...]  # what may be proposed, in the analyst's order
    returning: tuple[PastProposal, ...]  # the last rejection of each kept proposal that was rejected before
    withheld: tuple[PastProposal, ...]  # the last rejection of each proposal not proposed again


def screen(proposals: tuple[Proposal, ...], history: History, factor: float) -> Screened:
    """Withhold what was last rejected, unless its evidence grew by ``factor`` since. Pure."""
    last = latest_decisions(history)
    kept, returning, withheld = [], [], []
    for proposal in proposals:
        past = last.get(proposal.fingerprint)
        if past is None or past.outcome != "rejected":
            kept.append(proposal)
        elif past.evidence_score and proposal.score >= factor * past.evidence_score:
            kept.append(proposal)
            returning.append(past)
        else:
            withheld.append(past)
    return Screened(tuple(kept), tuple(returning), tuple(withheld))


def latest_decisions(history: History) -> dict[str, PastProposal]:
    """Fingerprint -> its latest approval or rejection (history is oldest first; open ones do not count)."""
    return {p.fingerprint: p for p in history.proposals if p.outcome != "open"}
