"""A pull request's inputs as a run would pass them (findings, proposals, versions), and the check
that hostile trace text cannot escape the description."""

from __future__ import annotations

import re
from dataclasses import replace

from optimizer.history.markers import parse_meta
from optimizer.models import (
    AgentAnalysis,
    Edit,
    Evidence,
    Finding,
    Proposal,
    SkippedLine,
    SourceReport,
    ToolStats,
    VersionMetrics,
    Window,
)
from optimizer.render.pr_body import PrContext

HOSTILE = (
    "--> </details> @everyone [x](http://evil) <img src=x onerror=alert(1)> <!-- "
    "![p](http://evil/p.png) #1 ``` $\\huge{OK}$ | a | www.evil.com"
)


ESCALATION = Finding(
    kind="topic_escalation",
    agent="support",
    subject="refunds",
    title="Refund questions are escalated 62% of the time",
    score=42.0,
    figures={"traces": 68, "escalated": 42, "escalation_rate": 0.6176, "threshold": 0.5},
    evidence=Evidence(
        trace_ids=("t-101", "t-102", "t-103", "t-104", "t-105", "t-106", "t-107"),
        excerpts=("user: can I get a refund for order [redacted]?", "agent: let me get a human for that"),
    ),
)


TOOL = Finding(
    kind="tool_failure",
    agent="support",
    subject="lookup_order",
    title="Tool lookup_order fails 23.1% of calls",
    score=30.0,
    figures={"calls": 130, "failures": 30, "failure_rate": 0.2308, "latency_p95_ms": 4210.0},
    evidence=Evidence(trace_ids=("t-201", "t-202"), excerpts=("TimeoutError: upstream took 30s",)),
)


GAP = Finding(
    kind="knowledge_gap",
    agent="support",
    subject="shipping abroad",
    title="Nobody answered questions about shipping abroad",
    score=5.0,
    figures={"questions": 5},
    evidence=Evidence(trace_ids=("t-301",)),
)


PROMPT = "prompts/support/system.md"


SOUL = "souls/support.yaml"


ESCALATE = Proposal(
    title="Let the agent answer refund questions itself",
    edit=Edit(op="add_faq", path=SOUL, question="Can I get a refund?", answer="Yes, within 30 days."),
    finding_keys=(ESCALATION.key,),
    rationale="Most refund escalations ask the same question; the FAQ answers it.",
    expected_effect="Escalation rate on refunds falls below 30%.",
    confidence=0.8,
    score=42.0,
)


RETRY = Proposal(
    title="Tell the agent to retry lookup_order once",
    edit=Edit(
        op="replace_text",
        path=PROMPT,
        old="Call lookup_order.",
        new="Call lookup_order; if it times out, retry once.",
    ),
    finding_keys=(TOOL.key,),
    rationale="A third of failures are timeouts that succeed on retry.",
    expected_effect="Fewer failed lookups.",
    confidence=0.55,
    score=30.0,
)


def version(name: str, traces: int, tools: tuple[ToolStats, ...] = ()) -> VersionMetrics:
    return VersionMetrics(
        agent="support",
        prompt_version=name,
        traces=traces,
        sessions=traces // 3,
        first_seen="2024-05-01T00:00:00Z",
        last_seen="2024-05-01T23:00:00Z",
        cost_total_usd=traces * 0.0123,
        cost_per_trace_usd=0.0123,
        cost_stddev_usd=0.002,
        input_tokens=1000,
        output_tokens=500,
        cache_read_input_tokens=0,
        cache_creation_input_tokens=0,
        latency_p50_ms=1234.0,
        latency_p95_ms=5678.0,
        latency_mean_ms=2000.0,
        latency_stddev_ms=800.0,
        escalation_rate=0.154,
        owner_correction_rate=0.01,
        sentiment={"negative": 0.071, "neutral": 0.8, "positive": 0.129},
        feedback_up=3,
        feedback_down=1,
        errors=7,
        tools=tools,
    )


SHA_OLD = "a" * 40


SHA_NEW = "b" * 40


def context(**changes) -> PrContext:
    analysis = AgentAnalysis(
        agent="support",
        versions=(
            version(SHA_OLD, 1000),
            version(SHA_NEW, 1345, tools=(ToolStats("lookup_order", 130, 30, 4210.0),)),
        ),
        findings=(ESCALATION, TOOL, GAP),
    )
    ctx = PrContext(
        agent="support",
        analysis=analysis,
        window=Window(start="2024-05-01T00:00:00Z", end="2024-05-02T00:00:00Z", hours=24.0),
        source=SourceReport(
            description="traces/",
            files=2,
            lines=2400,
            traces_in_window=2345,
            skipped=3,
            skipped_examples=(SkippedLine("traces/a.jsonl", 17, "not JSON: Expecting value"),),
        ),
        proposals=(ESCALATE, RETRY),
        action_items=(),
        refusals=(),
        run_id="run-2024-05-02",
        analyst="heuristic",
        base_sha="c" * 40,
        commit_shas=("d" * 40, "e" * 40),
    )
    return replace(ctx, **changes)


def outside_code(body: str) -> str:
    """The body without fenced blocks and code spans, which GitHub shows verbatim and inert."""
    body = body.rstrip().rsplit("\n", 1)[0]  # the meta comment holds the raw text, JSON-escaped
    body = re.sub(r"^(`{3,})[^\n]*\n.*?^\1$", "", body, flags=re.M | re.S)
    return re.sub(r"(?<![\\`])(`+)(?!`).*?(?<!`)\1(?!`)", "", body)


def assert_safe(body: str) -> None:
    prose = outside_code(body)
    assert "<!--" not in prose, "only the meta comment may open a comment"
    assert "-->" not in prose, "only the meta comment may close one"
    assert body.rstrip().splitlines()[-1].startswith("<!-- optimizer:meta {")
    assert prose.count("<details>") == prose.count("</details>")
    assert "<img" not in prose
    assert "](http" not in prose.replace("\\](http", "")
    assert "@everyone" not in prose
    assert "http://evil" not in prose
    assert "www.evil" not in prose
    assert re.search(r"(?<!\\)\$\\huge", prose) is None
    assert re.search(r"(?<![\\`])#1\b", prose) is None
    meta = parse_meta(body)
    assert meta is not None
    assert meta["run_id"] == "run-2024-05-02"
