"""The version the newest one is judged against: the last version judged good, not merely the
previous one, so a run of bad changes cannot drag the baseline along. Pure.

Walking the versions oldest first, a version becomes the baseline when it is no worse than the
baseline before it on enough traces, or when a reviewer accepted it as the new normal (``optimizer
accept``). A version judged worse leaves the baseline where it was; the first such version since
the baseline is what a revert undoes, whatever came after it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from optimizer.history.model import Acceptance
from optimizer.models import VersionMetrics
from optimizer.timeutil import parse_timestamp

Judgement = Literal["good", "bad", "unknown"]  # "unknown": too few traces to say
Judge = Callable[[VersionMetrics, VersionMetrics], Judgement]  # (baseline, version) -> judgement


@dataclass(frozen=True)
class Lineage:
    baseline: VersionMetrics | None  # the last version judged good before the newest
    newest: VersionMetrics | None
    first_bad: VersionMetrics | None  # the earliest version since the baseline judged worse than it
    accepted: Acceptance | None  # the reviewer's acceptance, when the newest is the version accepted


def lineage(versions: Sequence[VersionMetrics], accepted: Sequence[Acceptance], judge: Judge) -> Lineage:
    """``versions`` oldest first; "unknown" versions (no prompt_version) are left out."""
    known = [v for v in versions if v.prompt_version != "unknown"]
    if not known:
        return Lineage(None, None, None, None)
    baseline, first_bad = known[0], None
    for version in known[1:-1]:
        verdict = "good" if accepted_as(version, known, accepted) else judge(baseline, version)
        if verdict == "good":
            baseline, first_bad = version, None
        elif verdict == "bad" and first_bad is None:
            first_bad = version
    newest = known[-1]
    if len(known) == 1:
        return Lineage(None, newest, None, accepted_as(newest, known, accepted))
    return Lineage(baseline, newest, first_bad, accepted_as(newest, known, accepted))


def accepted_as(
    version: VersionMetrics, known: Sequence[VersionMetrics], accepted: Sequence[Acceptance]
) -> Acceptance | None:
    """The acceptance naming this version (by commit id), or made while it was the newest one live."""
    for acceptance in accepted:
        if acceptance.version and same_commit(acceptance.version, version.prompt_version):
            return acceptance
        if _live_at(known, acceptance.decided_at) is version:
            return acceptance
    return None


def _live_at(known: Sequence[VersionMetrics], moment: str | None) -> VersionMetrics | None:
    when = parse_timestamp(moment) if moment else None
    if when is None:
        return None
    live = [v for v in known if v.first_seen and (seen := parse_timestamp(v.first_seen)) and seen <= when]
    return live[-1] if live else None


def same_commit(a: str, b: str) -> bool:
    """Full or shortened ids of one commit (at least 7 characters each)."""
    return a == b or (min(len(a), len(b)) >= 7 and (a.startswith(b) or b.startswith(a)))
