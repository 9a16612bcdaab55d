"""Decisions read from git itself, so a run remembers them with or without a code host.

- **Approved**: a proposal commit (subject ``optimizer(<agent>): …``, an ``Optimizer-Fingerprint``
  trailer) reachable from the base branch, by a merge, a cherry-pick or a rebase. It was decided
  when it reached the branch's first-parent line; that commit is its ``merge_sha``.
- **Rejected** and **accepted**: an empty commit on the base branch written by ``optimizer
  reject`` or ``optimizer accept``, carrying ``Optimizer-Rejected`` (a fingerprint) or
  ``Optimizer-Accepted`` (a finding key) and the reviewer's reason. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from optimizer.gitops.branches import (
    ACCEPTED_TRAILER,
    FINDING_TRAILER,
    REJECTED_TRAILER,
    SCORE_TRAILER,
    TARGET_TRAILER,
    TRACES_TRAILER,
    VERSION_TRAILER,
    fingerprint_of,
    subject_agent,
    trailer_number,
    trailers,
)
from optimizer.gitops.commits import CommitInfo, Landed
from optimizer.history.model import Acceptance, History, PastProposal

_FINDING_LINE = re.compile(r"^Finding ([a-z_]+:[^\n]*?)(?:: |$)", re.MULTILINE)  # commits before the trailer
_REASON = re.compile(r"^Reason: (.+)$", re.MULTILINE)
REJECTION_PREFIX = "reject: "
ACCEPTANCE_PREFIX = "accept: "


def history_from_git(agent: str, landed: Iterable[Landed]) -> History:
    """The agent's decisions in the base branch's history (``landed`` oldest first)."""
    proposals: list[PastProposal] = []
    accepted: list[Acceptance] = []
    for step in landed:
        for commit in step.brought:
            if (subject_agent(commit.message) or ("", ""))[0] != agent:
                continue
            decided = _decision(commit, step)
            if isinstance(decided, PastProposal):
                proposals.append(decided)
            elif decided is not None:
                accepted.append(decided)
    return History(tuple(proposals), tuple(accepted))


def _decision(commit: CommitInfo, step: Landed) -> PastProposal | Acceptance | None:
    message = commit.message
    reason = _REASON.search(message)
    why = (reason.group(1).strip(),) if reason else ()
    rejected = trailers(message, REJECTED_TRAILER)
    if rejected:
        return _past(rejected[-1], message, "rejected", step, why)
    accepted = trailers(message, ACCEPTED_TRAILER)
    if accepted:
        versions = trailers(message, VERSION_TRAILER)
        return Acceptance(accepted[-1], versions[-1] if versions else None, step.committed_at, why[0] if why else "")
    fingerprint = fingerprint_of(message)
    return _past(fingerprint, message, "approved", step, ()) if fingerprint else None


def _past(fingerprint: str, message: str, outcome: str, step: Landed, reasons: tuple[str, ...]) -> PastProposal:
    title = (subject_agent(message) or ("", ""))[1].removeprefix(REJECTION_PREFIX)
    keys = tuple(trailers(message, FINDING_TRAILER)) or tuple(_FINDING_LINE.findall(message))
    targets = trailers(message, TARGET_TRAILER)
    return PastProposal(
        fingerprint=fingerprint,
        title=title,
        finding_keys=keys,
        outcome="rejected" if outcome == "rejected" else "approved",
        reasons=reasons,
        evidence_score=trailer_number(message, SCORE_TRAILER),
        evidence_traces=int(trailer_number(message, TRACES_TRAILER) or 0) or None,
        decided_at=step.committed_at,
        merge_sha=step.sha if outcome == "approved" else None,
        target=targets[-1] if targets else None,
    )


def merged(from_git: History, from_host: History) -> History:
    """Git's decisions with the code host's: a decision both know is kept once, with the host's
    pull request and reviewers' words and git's merge commit. Oldest first."""
    hosted = {(p.fingerprint, p.outcome): p for p in from_host.proposals}
    proposals = list(from_host.proposals)
    for past in from_git.proposals:
        twin = hosted.get((past.fingerprint, past.outcome))
        if twin is None:
            proposals.append(past)
        elif not twin.merge_sha and past.merge_sha:
            proposals[proposals.index(twin)] = replace(
                twin, merge_sha=past.merge_sha, target=twin.target or past.target
            )
    accepted = (*from_git.accepted, *from_host.accepted)
    return History(
        tuple(sorted(proposals, key=lambda p: p.decided_at or "")),
        tuple(sorted(accepted, key=lambda a: a.decided_at or "")),
        from_host.answers,  # answers live on the open pull request only
    )
