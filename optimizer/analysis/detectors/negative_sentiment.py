"""negative_sentiment: too many conversations end unhappy."""

from __future__ import annotations

from optimizer.analysis.detectors.context import DetectorContext
from optimizer.analysis.detectors.rates import rate_finding
from optimizer.models import Finding

KIND = "negative_sentiment"


def detect(ctx: DetectorContext) -> list[Finding]:
    state = ctx.state
    rated = sum(v.sentiment.total() - v.sentiment["unknown"] for v in state.versions.values())
    negative = sum(v.sentiment["negative"] for v in state.versions.values())
    threshold = ctx.thresholds.negative_sentiment_rate
    return rate_finding(ctx, KIND, "were negative", negative, rated, threshold, state.negative)
