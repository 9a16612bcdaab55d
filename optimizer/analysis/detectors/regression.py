"""Shared by cost_regression and latency_regression: newest prompt_version against the previous one."""

from __future__ import annotations

from collections.abc import Callable

from optimizer.analysis.detectors.context import DetectorContext
from optimizer.analysis.stats import MeanComparison, compare_means
from optimizer.models import Finding, VersionMetrics

Moments = Callable[[VersionMetrics], tuple[float | None, float | None]]  # (mean, stddev)


def newest_pair(ctx: DetectorContext) -> tuple[VersionMetrics, VersionMetrics] | None:
    """(previous, newest) when both have enough traces to compare."""
    versions = [v for v in ctx.versions if v.prompt_version != "unknown"]
    if len(versions) < 2:
        return None
    previous, newest = versions[-2], versions[-1]
    minimum = ctx.thresholds.regression_min_traces
    if previous.traces < minimum or newest.traces < minimum:
        return None
    return previous, newest


def regression(ctx: DetectorContext, moments: Moments) -> tuple[VersionMetrics, VersionMetrics, MeanComparison] | None:
    """The comparison when the newest version is worse by the threshold and beyond the noise."""
    pair = newest_pair(ctx)
    if pair is None:
        return None
    previous, newest = pair
    (old_mean, old_sd), (new_mean, new_sd) = moments(previous), moments(newest)
    if old_mean is None or new_mean is None:
        return None
    result = compare_means(previous.traces, old_mean, old_sd or 0.0, newest.traces, new_mean, new_sd or 0.0)
    if result.change_pct is None or result.change_pct < ctx.thresholds.regression_pct or not result.significant:
        return None
    return previous, newest, result


def comparison_figures(result: MeanComparison) -> dict[str, float | str | None]:
    return {
        "change_pct": round(result.change_pct, 1) if result.change_pct is not None else None,
        "change_ci95": f"{result.ci95_low_pct:+.1f}% to {result.ci95_high_pct:+.1f}%"
        if result.ci95_low_pct is not None and result.ci95_high_pct is not None
        else None,
        "p_value": float(f"{result.p_value:.2g}"),
    }


def regression_finding(
    ctx: DetectorContext,
    kind: str,
    found: tuple[VersionMetrics, VersionMetrics, MeanComparison],
    title: str,
    figures: dict[str, float | int | str | None],
) -> Finding:
    """The finding both regression detectors report: the pair, the test, and their own figures."""
    previous, newest, result = found
    return Finding(
        kind=kind,
        agent=ctx.agent,
        subject=newest.prompt_version,
        title=title,
        score=round(newest.traces * (result.change_pct or 0) / 100, 2),
        figures={
            "previous_version": previous.prompt_version,
            "newest_version": newest.prompt_version,
            **figures,
            "previous_traces": previous.traces,
            "newest_traces": newest.traces,
            **comparison_figures(result),
        },
    )
