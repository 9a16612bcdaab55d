"""Shared by negative_sentiment and owner_corrections: a rate over all versions above a threshold."""

from __future__ import annotations

from optimizer.analysis.aggregate import Samples
from optimizer.analysis.detectors.context import DetectorContext, evidence
from optimizer.analysis.stats import wilson_interval
from optimizer.fmt import count, pct
from optimizer.models import Finding


def rate_finding(
    ctx: DetectorContext, kind: str, what: str, hits: int, total: int, threshold: float, samples: Samples
) -> list[Finding]:
    if total < ctx.thresholds.min_traces or hits / total < threshold:
        return []
    rate = hits / total
    low, high = wilson_interval(hits, total)
    return [
        Finding(
            kind=kind,
            agent=ctx.agent,
            subject="overall",
            title=f"{pct(rate)} of conversations {what} ({count(hits)} of {count(total)}; threshold {pct(threshold)})",
            score=float(hits),
            figures={
                "count": hits,
                "traces": total,
                "rate": round(rate, 4),
                "rate_ci95": f"{pct(low)}–{pct(high)}",
            },
            evidence=evidence(samples),
        )
    ]
