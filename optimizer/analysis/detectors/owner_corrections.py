"""owner_corrections: the owner had to correct the agent too often."""

from __future__ import annotations

from optimizer.analysis.detectors.context import DetectorContext
from optimizer.analysis.detectors.rates import rate_finding
from optimizer.models import Finding

KIND = "owner_corrections"


def detect(ctx: DetectorContext) -> list[Finding]:
    state = ctx.state
    corrected = sum(v.owner_corrected for v in state.versions.values())
    threshold = ctx.thresholds.owner_correction_rate
    return rate_finding(ctx, KIND, "were corrected by the owner", corrected, state.traces, threshold, state.corrected)
