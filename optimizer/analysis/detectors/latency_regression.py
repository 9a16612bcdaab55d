"""latency_regression: the newest prompt_version answers slower than the previous one."""

from __future__ import annotations

from optimizer.analysis.detectors.context import DetectorContext
from optimizer.analysis.detectors.regression import regression, regression_finding
from optimizer.fmt import ms, signed_pct
from optimizer.models import Finding

KIND = "latency_regression"


def detect(ctx: DetectorContext) -> list[Finding]:
    found = regression(ctx, lambda v: (v.latency_mean_ms, v.latency_stddev_ms))
    if found is None:
        return []
    previous, newest, result = found
    title = (
        f"prompt_version {newest.prompt_version} is {signed_pct(result.change_pct)} slower "
        f"({ms(result.old_mean)} → {ms(result.new_mean)} mean) against {previous.prompt_version}"
    )
    figures: dict[str, float | int | str | None] = {
        "previous_p95_ms": previous.latency_p95_ms,
        "newest_p95_ms": newest.latency_p95_ms,
    }
    return [regression_finding(ctx, KIND, found, title, figures)]
