"""Accumulated state -> the figures a reviewer reads (VersionMetrics). Pure."""

from __future__ import annotations

from datetime import UTC, datetime

from optimizer.analysis.aggregate import AgentState, VersionState
from optimizer.models import ToolStats, VersionMetrics
from optimizer.timeutil import iso


def version_metrics(agent: AgentState) -> tuple[VersionMetrics, ...]:
    """Metrics of each prompt_version of the agent, oldest first (by the first trace seen)."""
    ordered = sorted(agent.versions.items(), key=lambda item: (item[1].first_seen is None, item[1].first_seen))
    return tuple(_metrics(agent.agent, name, state) for name, state in ordered)


def _metrics(agent: str, name: str, state: VersionState) -> VersionMetrics:
    n = state.traces
    cost_n = state.cost.n
    sentiment_total = sum(state.sentiment.values())
    return VersionMetrics(
        agent=agent,
        prompt_version=name,
        traces=n,
        sessions=state.sessions.count(),
        first_seen=iso(state.first_seen) if state.first_seen else None,
        last_seen=iso(state.last_seen) if state.last_seen else None,
        cost_total_usd=round(state.cost_total, 6),
        cost_per_trace_usd=round(state.cost.mean, 6) if cost_n else None,
        cost_stddev_usd=round(state.cost.stddev, 6) if cost_n > 1 else None,
        input_tokens=int(state.input_tokens),
        output_tokens=int(state.output_tokens),
        cache_read_input_tokens=int(state.cache_read_input_tokens),
        cache_creation_input_tokens=int(state.cache_creation_input_tokens),
        latency_p50_ms=_rounded(state.latency.quantile(0.5)),
        latency_p95_ms=_rounded(state.latency.quantile(0.95)),
        latency_mean_ms=_rounded(state.latency_moments.mean) if state.latency_moments.n else None,
        latency_stddev_ms=_rounded(state.latency_moments.stddev) if state.latency_moments.n > 1 else None,
        escalation_rate=round(state.escalated / n, 4) if n else None,
        owner_correction_rate=round(state.owner_corrected / n, 4) if n else None,
        sentiment={k: round(v / sentiment_total, 4) for k, v in sorted(state.sentiment.items())},
        feedback_up=state.feedback_up,
        feedback_down=state.feedback_down,
        errors=state.errors,
        tools=tuple(
            ToolStats(
                tool,
                counts.calls,
                counts.failures,
                _rounded(counts.latency.quantile(0.95)),
                counts.turns,
                counts.turn_failures,
            )
            for tool, counts in sorted(state.tools.items())
        ),
        sentiment_traces=sentiment_total,
    )


def _first_seen(state: VersionState) -> datetime:
    return state.first_seen or datetime.max.replace(tzinfo=UTC)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
