"""The lean pass of the measurement and the report agrees with the daily pass, figure for figure."""

from __future__ import annotations

from datetime import UTC, datetime

from optimizer.analysis.aggregate import Aggregator
from optimizer.analysis.daily import DailyAggregator, day_counts
from optimizer.analysis.metrics import version_metrics
from optimizer.analysis.versions import VersionAggregator
from optimizer.timeutil import utc_days
from optimizer.traces.fastcheck import started_at_if_valid
from tests.support.builders import trace
from tests.support.known_effects import Batch


def feed(*aggregators, traces):
    for t in traces:
        started = started_at_if_valid(t)
        for aggregator in aggregators:
            aggregator.observe(t, started)


def test_version_metrics_are_those_of_the_full_pass():
    traces = Batch("v1", 300, 1, 2, failure_rate=0.2, seed=1).traces() + Batch("v2", 200, 3, 2, seed=2).traces()
    traces.append(trace(prompt_version=None, sentiment="negative", latency_ms=None, cost_usd=None))
    full, lean = Aggregator(), VersionAggregator()
    feed(full, lean, traces=traces)
    assert version_metrics(lean.agents["frontdesk"]) == version_metrics(full.agents["frontdesk"])
    assert lean.agents["frontdesk"].traces == 501


def test_a_days_counts_from_version_state_equal_the_daily_aggregators():
    traces = Batch("v1", 240, 1, 1, failure_rate=0.25, escalation_rate=0.1, seed=3).traces()
    traces += [trace(sentiment="negative"), trace(sentiment="unknown"), trace(sentiment=None, tool_calls=None)]
    for t in traces:
        t["started_at"] = "2026-11-14T12:00:00Z"
    daily, lean = DailyAggregator(), VersionAggregator()
    feed(daily, lean, traces=traces)
    [(_day, by_version)] = daily.agent_days("frontdesk").items()
    assert day_counts(lean.agents["frontdesk"].versions["v1"]) == by_version["v1"]


def test_days_are_utc_days_whatever_the_offset():
    daily = DailyAggregator()
    feed(daily, traces=[trace(started_at="2026-11-15T01:30:00+03:00")])
    assert [str(day) for day in daily.agent_days("frontdesk")] == ["2026-11-14"]
    start = datetime(2026, 11, 14, 18, tzinfo=UTC)
    pieces = list(utc_days(start, datetime(2026, 11, 16, 6, tzinfo=UTC)))
    assert [(a.isoformat(), b.isoformat()) for a, b in pieces] == [
        ("2026-11-14T18:00:00+00:00", "2026-11-15T00:00:00+00:00"),
        ("2026-11-15T00:00:00+00:00", "2026-11-16T00:00:00+00:00"),
        ("2026-11-16T00:00:00+00:00", "2026-11-16T06:00:00+00:00"),
    ]
