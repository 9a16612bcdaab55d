"""The rule every analyst's proposals pass: a decided change is not proposed again. A merged one
never (the files hold it already, or a person took it out on purpose); a rejected one only when
its evidence has grown by ``factor`` since, saying so. A near-duplicate counts as the same change:
the same kind of edit to the same place about the same words, however the analyst worded it. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from optimizer.history.model import History, PastProposal
from optimizer.models import Edit, Proposal
from optimizer.text.topics import content_words

NEAR_DUPLICATE = 0.5  # shared content words over all of them, for edits of one kind in one place


@dataclass(frozen=True)
class Screened:
    proposals: tuple[Proposal, ...]  # what may be proposed, in the analyst's order
    returning: tuple[PastProposal, ...]  # the last rejection of each kept proposal that was rejected before
    withheld: tuple[PastProposal, ...]  # the last decision on each proposal not proposed again


def target_of(edit: Edit) -> str:
    """What an edit changes, as words: ``op path field: content words`` (the wording left out)."""
    place = " ".join(part for part in (edit.op, edit.path, edit.field or "") if part)
    text = {"add_faq": edit.question, "append_item": edit.new}.get(edit.op, edit.old)
    return f"{place}: {' '.join(sorted(content_words(text or '')))}"


def same_change(a: str, b: str) -> bool:
    """Two targets name the same change: one place, and mostly the same words."""
    place_a, _, words_a = a.partition(": ")
    place_b, _, words_b = b.partition(": ")
    if place_a != place_b:
        return False
    left, right = set(words_a.split()), set(words_b.split())
    if not left or not right:
        return left == right
    return len(left & right) / len(left | right) >= NEAR_DUPLICATE


def screen(proposals: tuple[Proposal, ...], history: History, factor: float, traces: int = 0) -> Screened:
    """Withhold what was merged or last rejected (or a near-duplicate), unless a rejected change's
    evidence grew by ``factor`` since: per trace of its window when both windows' traces are known
    (a window that fills up is no new evidence), else in raw score."""
    last = latest_decisions(history)
    kept, returning, withheld = [], [], []
    for proposal in proposals:
        past = last.get(proposal.fingerprint) or _near_duplicate(proposal, last.values())
        if past is None:
            kept.append(proposal)
        elif past.outcome == "rejected" and _grew(proposal.score, traces, past, factor):
            kept.append(proposal)
            returning.append(past)
        else:
            withheld.append(past)
    return Screened(tuple(kept), tuple(returning), tuple(withheld))


def _grew(score: float, traces: int, past: PastProposal, factor: float) -> bool:
    if not past.evidence_score:
        return False
    if traces and past.evidence_traces:
        return score / traces >= factor * past.evidence_score / past.evidence_traces
    return score >= factor * past.evidence_score


def _near_duplicate(proposal: Proposal, decided: Iterable[PastProposal]) -> PastProposal | None:
    target = target_of(proposal.edit)
    for past in decided:
        if past.target and same_change(target, past.target):
            return past
    return None


def latest_decisions(history: History) -> dict[str, PastProposal]:
    """Fingerprint -> its latest approval or rejection (history is oldest first; open ones do not count)."""
    return {p.fingerprint: p for p in history.proposals if p.outcome != "open"}
