"""Decisions read from the code host's earlier optimizer pull requests: merged is approved, closed
unmerged is rejected.

``read_history`` reads an agent's past pull requests through the code host: which proposals
each carried (the meta block of its description), how it ended, and the reviewers' words (review
bodies, review comments and comments, redacted) as the reasons for a rejection. A proposal
dropped with ``/optimizer drop N`` is rejected too: the bot's reply records it in a hidden block.
An answer written with ``/optimizer answer N`` on the open pull request is read back the same way,
so the next run writes it again.
"""

from __future__ import annotations

from typing import Any

from optimizer.gitops.hosts.base import CodeHost, PullRequest, Remark
from optimizer.history.markers import parse_answered, parse_dropped, parse_meta
from optimizer.history.model import History, Outcome, PastProposal, WrittenAnswer
from optimizer.text.redact import excerpt

COMMAND_PREFIX = "/optimizer"
REASONS_KEPT = 5
REASON_CHARS = 300


def trusted(remark: Remark, pull: PullRequest) -> bool:
    """The bot's own words: written by the pull request's author (the bot) or by a bot account."""
    return remark.author == pull.author or remark.author_is_bot


def dropped_in(pull: PullRequest, remarks: list[Remark]) -> dict[str, dict[str, Any]]:
    """Fingerprint -> the record of its drop, from the bot's replies only (a record in anyone's comment is ignored)."""
    return {
        record["fingerprint"]: record
        for remark in remarks
        if remark.kind == "comment" and trusted(remark, pull)
        for record in parse_dropped(remark.body)
    }


def answers_in(pull: PullRequest, remarks: list[Remark]) -> list[WrittenAnswer]:
    """The answers the bot's replies record, oldest first (a record in anyone else's comment is ignored)."""
    return [
        WrittenAnswer(
            fingerprint=record["fingerprint"],
            question=record["question"],
            answer=record["answer"],
            by=record["by"],
            pr_number=pull.number,
            at=record.get("at") if isinstance(record.get("at"), str) else None,
        )
        for remark in remarks
        if remark.kind == "comment" and trusted(remark, pull)
        for record in parse_answered(remark.body)
    ]


# --- reading the history --------------------------------------------------------------------------


def read_history(host: CodeHost, agent: str, branch: str, limit: int) -> History:
    """The decisions on the agent's last ``limit`` optimizer pull requests, oldest first."""
    proposals: list[PastProposal] = []
    answers: list[WrittenAnswer] = []
    for pull in reversed(host.pulls_from(branch, limit)):
        meta = parse_meta(pull.body)
        if meta is None or meta.get("agent") != agent:
            continue
        rejected = pull.state == "closed" and not pull.merged
        remarks = host.remarks(pull.number, reviews=rejected)
        proposals.extend(past_proposals(pull, meta, remarks))
        if pull.state == "open":
            answers.extend(answers_in(pull, remarks))
    return History(tuple(proposals), answers=tuple(answers))


def past_proposals(pull: PullRequest, meta: dict[str, Any], remarks: list[Remark]) -> list[PastProposal]:
    """What one pull request says about each proposal it carried. Pure."""
    dropped = dropped_in(pull, remarks)
    reasons = rejection_reasons(pull, remarks)
    found = []
    for entry in meta.get("proposals", []):
        if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str):
            continue
        fingerprint = entry["fingerprint"]
        record = dropped.get(fingerprint)
        outcome: Outcome
        why: tuple[str, ...]
        if record is not None:
            outcome, why, decided = "rejected", (_drop_reason(record),), record.get("at")
        elif pull.merged:
            outcome, why, decided = "approved", (), pull.merged_at
        elif pull.state == "closed":
            outcome, why, decided = "rejected", reasons, pull.closed_at
        else:
            outcome, why, decided = "open", (), None
        found.append(
            PastProposal(
                fingerprint=fingerprint,
                title=str(entry.get("title", "")),
                finding_keys=tuple(str(k) for k in entry.get("finding_keys", [])),
                outcome=outcome,
                pr_number=pull.number,
                pr_url=pull.url,
                reasons=why,
                evidence_score=_score(entry.get("score")),
                evidence_traces=entry["traces"] if isinstance(entry.get("traces"), int) else None,
                decided_at=decided,
                merge_sha=pull.merge_commit_sha if outcome == "approved" else None,
                target=entry["target"] if isinstance(entry.get("target"), str) else None,
            )
        )
    return found


def rejection_reasons(pull: PullRequest, remarks: list[Remark]) -> tuple[str, ...]:
    """People's words on a closed pull request, newest first (the closing comment leads), redacted."""
    said = [
        f"@{remark.author}: {excerpt(remark.body, REASON_CHARS)}"
        for remark in reversed(remarks)
        if remark.body.strip() and not trusted(remark, pull) and not remark.body.lstrip().startswith(COMMAND_PREFIX)
    ]
    return tuple(said[:REASONS_KEPT])


def _drop_reason(record: dict[str, Any]) -> str:
    who = f"@{record['by']}" if record.get("by") else "a reviewer"
    reason = str(record.get("reason") or "").strip()
    return f"dropped by {who}" + (f": {excerpt(reason, REASON_CHARS)}" if reason else " (no reason given)")


def _score(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
