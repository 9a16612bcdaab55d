"""Decisions as the run records stored them: each run keeps the decisions it measured, so the history
survives without a code host. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from optimizer.deploy.model import RunRecord
from optimizer.history.model import History, PastProposal


def history_from_records(records: Iterable[RunRecord]) -> History:
    """The decisions stored in run records (newest record first), each once, oldest decision first. Pure."""
    seen: dict[tuple[str, int | None, str], PastProposal] = {}
    for record in records:
        stored = (record.measurement or {}).get("decisions")
        for data in stored if isinstance(stored, list) else ():
            past = past_proposal(data) if isinstance(data, dict) else None
            if past is not None:
                seen.setdefault((past.fingerprint, past.pr_number, past.outcome), past)
    return History(tuple(sorted(seen.values(), key=lambda p: p.decided_at or "")))


def past_proposal(data: dict[str, Any]) -> PastProposal | None:
    """A decision as a run record stored it (``decision_dict``); None when it is not one."""
    if not isinstance(data.get("fingerprint"), str) or data.get("outcome") not in ("approved", "rejected"):
        return None
    number = data.get("pr_number")
    return PastProposal(
        fingerprint=data["fingerprint"],
        title=str(data.get("title") or ""),
        finding_keys=tuple(str(key) for key in data.get("finding_keys") or ()),
        outcome=data["outcome"],
        pr_number=number if isinstance(number, int) else None,
        pr_url=_str(data.get("pr_url")),
        reasons=tuple(str(reason) for reason in data.get("reasons") or ()),
        decided_at=_str(data.get("decided_at")),
        merge_sha=_str(data.get("merge_sha")),
    )


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None
