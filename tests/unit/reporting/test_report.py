"""The weekly report: its numbers, and Markdown that renders (CommonMark) with well-formed charts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from markdown_it import MarkdownIt

from optimizer.analysis.aggregate import Aggregator
from optimizer.analysis.daily import DailyAggregator
from optimizer.analysis.metrics import version_metrics
from optimizer.history.model import PastProposal
from optimizer.measure.compare import changes_for, compare_versions
from optimizer.measure.effects import DecisionEffect
from optimizer.render.report import render_json, render_markdown
from optimizer.reporting.build import AgentReport, day_rows
from optimizer.traces.fastcheck import started_at_if_valid
from tests.support.builders import failing_call, trace
from tests.support.mermaid import check_xychart

START = datetime(2026, 11, 14, tzinfo=UTC)


def week_of_traces() -> list[dict]:
    traces = []
    for day in range(7):
        version = "v1" if day < 4 else "v2"
        for i in range(40 + day):
            at = START + timedelta(days=day, minutes=i)
            failing = version == "v1" and i % 3 == 0
            call = (
                failing_call("check_availability", "Timeout") if failing else {"name": "check_availability", "ok": True}
            )
            traces.append(
                trace(
                    prompt_version=version,
                    started_at=at.isoformat(),
                    tool_calls=[call],
                    cost_usd=0.01,
                    escalated=i % 10 == 0,
                )
            )
    return traces


def build() -> AgentReport:
    daily, aggregator = DailyAggregator(), Aggregator()
    for t in week_of_traces():
        started = started_at_if_valid(t)
        daily.observe(t, started)
        aggregator.observe(t, started)
    versions = version_metrics(aggregator.agents["frontdesk"])
    merged = PastProposal("abc", "Retry check_availability once", ("tool_failure:check_availability",), "approved", 7)
    rejected = PastProposal(
        "def",
        "Add an FAQ on parking",
        ("knowledge_gap:parking",),
        "rejected",
        8,
        reasons=("We do not want to promise parking.",),
    )
    effect = changes_for(merged.finding_keys, compare_versions(*versions, min_samples=30))
    decisions = (DecisionEffect(merged, effect), DecisionEffect(rejected))
    return AgentReport("frontdesk", day_rows(daily.agent_days("frontdesk")), versions, decisions)


def test_report_numbers_add_up():
    report = build()
    assert [d.traces for d in report.days] == [40, 41, 42, 43, 44, 45, 46]
    assert sum(d.traces for d in report.days) == sum(v.traces for v in report.versions) == 301
    assert report.days[0].tool_failure_rate == 0.35  # 14 of 40 calls failed on the first day
    assert report.days[-1].tool_failure_rate == 0.0
    data = render_json([report], "2026-11-14", "2026-11-21")
    effects = {e["metric"]: e for e in data["agents"][0]["decisions"][0]["effects"]}
    assert effects["tool check_availability failure rate"]["verdict"] == "better"


def test_markdown_renders_and_every_chart_is_well_formed():
    text = render_markdown([build()], "2026-11-14", "2026-11-21")
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    charts = [t.content for t in tokens if t.type == "fence" and t.info == "mermaid"]
    assert len(charts) == 3
    for chart in charts:
        check_xychart(chart, points=7)
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert html.count("<table>") == 2
    assert "We do not want to promise parking." in html
    assert "cost per trace" not in html  # only the metric the finding was about
    assert "tool check_availability failure rate 34.3% → 0.0% (n = 166 → 135): better" in html
