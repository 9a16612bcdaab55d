"""Markdown tables shared by the PR description and `analyze --format markdown`."""

from __future__ import annotations

from collections.abc import Sequence

from optimizer.models import VersionMetrics
from optimizer.render import markdown as md

VERSION_HEADER = ["Version", "Traces", "Sessions", "Cost/trace", "p50", "p95", "Escalation", "Negative", "Errors"]


def versions_table(versions: Sequence[VersionMetrics]) -> str:
    """One row per prompt version: the figures a reviewer compares first."""
    rows = [
        [
            md.version(v.prompt_version),
            md.count(v.traces),
            md.count(v.sessions),
            md.usd(v.cost_per_trace_usd),
            md.ms(v.latency_p50_ms),
            md.ms(v.latency_p95_ms),
            md.pct(v.escalation_rate),
            md.pct(v.sentiment.get("negative")),
            md.count(v.errors),
        ]
        for v in versions
    ]
    return md.table(VERSION_HEADER, rows, numeric=set(range(1, len(VERSION_HEADER))))
