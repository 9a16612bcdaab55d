"""cost_regression: the newest prompt_version costs more per trace than the previous one."""

from __future__ import annotations

from optimizer.analysis.detectors.context import DetectorContext
from optimizer.analysis.detectors.regression import regression, regression_finding
from optimizer.fmt import signed_pct, usd
from optimizer.models import Finding, VersionMetrics

KIND = "cost_regression"


def detect(ctx: DetectorContext) -> list[Finding]:
    found = regression(ctx, lambda v: (v.cost_per_trace_usd, v.cost_stddev_usd))
    if found is None:
        return []
    previous, newest, result = found
    title = (
        f"prompt_version {newest.prompt_version} costs {signed_pct(result.change_pct)} per trace "
        f"({usd(result.old_mean)} → {usd(result.new_mean)}) against {previous.prompt_version}"
    )
    figures: dict[str, float | int | str | None] = {
        "previous_cost_per_trace_usd": previous.cost_per_trace_usd,
        "newest_cost_per_trace_usd": newest.cost_per_trace_usd,
        "previous_input_tokens_per_trace": _input_per_trace(previous),
        "newest_input_tokens_per_trace": _input_per_trace(newest),
    }
    return [regression_finding(ctx, KIND, found, title, figures)]


def _input_per_trace(version: VersionMetrics) -> int:
    return round(version.input_tokens / version.traces) if version.traces else 0
