"""Each detector on traces built to trigger it; a healthy agent triggers none."""

from __future__ import annotations

from collections.abc import Iterable

from optimizer.analysis.aggregate import AgentState, Aggregator
from optimizer.analysis.engine import analyze_agent
from optimizer.artifacts.loader import parse_prompt, parse_soul
from optimizer.artifacts.model import AgentArtifacts
from optimizer.config import Thresholds
from optimizer.models import AgentAnalysis, Finding
from optimizer.traces.fastcheck import started_at_if_valid
from tests.support.builders import exchange, failing_call, trace

BOOKING_RULES = (
    "Before you call create_booking, always confirm the arrival date, the departure date and the number "
    "of guests with the guest, and repeat them back in one sentence."
)


def artifacts(tools: Iterable[str] = ("lookup_booking",), body: str = "You are the front desk.\n") -> AgentArtifacts:
    tool_list = ", ".join(tools)
    prompt = parse_prompt("prompts/frontdesk/system.md", f"---\ntools: [{tool_list}]\n---\n{body}")
    soul = parse_soul("souls/frontdesk.yaml", "name: frontdesk\nalways_do:\n  - be kind\n")
    return AgentArtifacts("frontdesk", soul, (prompt,))


def analyze(traces: Iterable[dict], arts: AgentArtifacts | None = None, **thresholds) -> AgentAnalysis:
    aggregator = Aggregator()
    for t in traces:
        started = started_at_if_valid(t)
        assert started is not None, t
        aggregator.observe(t, started)
    state = aggregator.agents.get("frontdesk") or AgentState("frontdesk")
    return analyze_agent(state, arts if arts is not None else artifacts(), Thresholds(**thresholds))


def kinds(analysis: AgentAnalysis) -> list[str]:
    return sorted({f.kind for f in analysis.findings})


def only(analysis: AgentAnalysis, kind: str) -> list[Finding]:
    return [f for f in analysis.findings if f.kind == kind]


def healthy(n: int, version: str = "v1") -> list[dict]:
    return [trace(prompt_version=version) for _ in range(n)]


def test_a_healthy_agent_has_no_findings():
    assert analyze(healthy(150, "v1") + healthy(150, "v2")).findings == ()


def test_tool_failure_names_the_tool_with_rate_and_sample_ids():
    failing = [
        trace(tool_calls=[failing_call("check_availability", f"Timeout after {3000 + i}ms calling availability")])
        for i in range(12)
    ]
    fine = [trace(tool_calls=[{"name": "check_availability", "ok": True}]) for _ in range(28)]
    (finding,) = only(analyze(failing + fine, artifacts(("lookup_booking", "check_availability"))), "tool_failure")
    assert finding.subject == "check_availability"
    assert finding.figures["calls"] == 40 and finding.figures["failures"] == 12
    assert finding.figures["timeouts"] == 12
    assert set(finding.evidence.trace_ids) <= {t["trace_id"] for t in failing}
    assert len(finding.evidence.trace_ids) == 5


def test_tool_failure_needs_enough_calls():
    failing = [trace(tool_calls=[failing_call("check_availability", "boom")]) for _ in range(5)]
    assert not only(analyze(failing + healthy(40)), "tool_failure")


def test_repeated_error_groups_messages_that_differ_only_in_numbers_and_ids():
    errors = [
        trace(error={"type": "UpstreamError", "message": f"Room {n} not found in PMS (request {n * 7919:x}a1)"})
        for n in (12, 413, 9)
    ]
    (finding,) = only(analyze(errors + healthy(40)), "repeated_error")
    assert finding.figures["occurrences"] == 3
    assert finding.figures["origin"] == "agent"


def test_an_error_at_the_agents_background_rate_is_no_finding():
    timeout = {"type": "UpstreamError", "message": "upstream timeout after 30s"}
    background = [trace(error=timeout) for _ in range(12)] + healthy(1988)  # 0.6% of traces
    assert not only(analyze(background), "repeated_error")
    spike = [trace(error=timeout) for _ in range(40)] + healthy(1960)  # 2%
    assert only(analyze(spike), "repeated_error")


def test_a_tool_error_is_a_finding_only_while_the_tool_fails_beyond_its_normal_rate():
    def calls(failed: int, ok: int) -> list[dict]:
        bad = [trace(tool_calls=[failing_call("check_availability", "Timeout after 3000ms")]) for _ in range(failed)]
        return bad + [trace(tool_calls=[{"name": "check_availability", "ok": True}]) for _ in range(ok)]

    assert not only(analyze(calls(8, 392)), "repeated_error")  # 2% of calls: the tool's noise
    (finding,) = only(analyze(calls(120, 280)), "repeated_error")  # 30%
    assert finding.figures["origin"] == "tool check_availability"


def test_unused_tool_is_reported_only_with_enough_traffic():
    arts = artifacts(("lookup_booking", "issue_refund"))
    (finding,) = only(analyze(healthy(40), arts), "unused_tool")
    assert finding.subject == "issue_refund"
    assert not only(analyze(healthy(5), arts), "unused_tool")


def test_knowledge_gap_clusters_differently_worded_questions():
    questions = [
        "Can I bring my dog?",
        "Are pets allowed in the rooms?",
        "is it ok to bring our cat along",
        "What is your pet policy?",
    ]
    sorry = "I'm sorry, I don't have information about that. Let me connect you with a colleague."
    gaps = [trace(messages=exchange(q, sorry)) for q in questions]
    findings = only(analyze(gaps + healthy(40)), "knowledge_gap")
    assert len(findings) == 1
    assert findings[0].figures["unanswered"] == 4
    assert "pet" in findings[0].subject


def test_prompt_duplication_counts_wasted_tokens():
    body = f"You are the front desk.\n\n{BOOKING_RULES}\n\nBe brief.\n\n{BOOKING_RULES}\n"
    (finding,) = only(analyze(healthy(40), artifacts(body=body)), "prompt_duplication")
    assert finding.figures["copies"] == 2
    assert finding.figures["wasted_tokens_per_turn"] > 20


def test_escalation_overall_and_by_topic():
    refunds = [trace(escalated=True, metadata={"topic": "refund"}) for _ in range(15)]
    refunds_fine = [trace(metadata={"topic": "refund"}) for _ in range(5)]
    findings = only(analyze(refunds + refunds_fine + healthy(60)), "escalation")
    subjects = {f.subject: f for f in findings}
    assert subjects["refund"].figures["escalation_rate"] == 0.75
    assert subjects["overall"].figures["escalated"] == 15


def test_cost_regression_when_the_new_version_costs_more():
    old = [trace(prompt_version="v1", cost_usd=0.010 + (i % 5) * 0.0005) for i in range(80)]
    new = [trace(prompt_version="v2", cost_usd=0.013 + (i % 5) * 0.0005) for i in range(80)]
    (finding,) = only(analyze(old + new), "cost_regression")
    assert finding.subject == "v2"
    assert 25 < finding.figures["change_pct"] < 35


def test_no_cost_regression_for_noise():
    old = [trace(prompt_version="v1", cost_usd=0.010 + (i % 7) * 0.002) for i in range(40)]
    new = [trace(prompt_version="v2", cost_usd=0.0105 + (i % 7) * 0.002) for i in range(40)]
    assert not only(analyze(old + new), "cost_regression")


def test_latency_regression():
    old = [trace(prompt_version="v1", latency_ms=1000 + (i % 9) * 20) for i in range(60)]
    new = [trace(prompt_version="v2", latency_ms=1500 + (i % 9) * 20) for i in range(60)]
    (finding,) = only(analyze(old + new), "latency_regression")
    assert finding.figures["change_pct"] > 40


def test_negative_sentiment_and_owner_corrections_above_threshold():
    unhappy = [
        trace(sentiment="negative", messages=exchange("This is useless, call me at +44 20 7946 0958", "Sorry"))
        for _ in range(12)
    ]
    corrected = [trace(owner_corrected=True) for _ in range(8)]
    analysis = analyze(unhappy + corrected + healthy(40))
    (negative,) = only(analysis, "negative_sentiment")
    assert negative.figures["count"] == 12
    assert all("7946" not in e for e in negative.evidence.excerpts)  # the phone number is redacted
    (owner,) = only(analysis, "owner_corrections")
    assert owner.figures["count"] == 8


def test_findings_come_strongest_first():
    failing = [trace(tool_calls=[failing_call("check_availability", "Timeout after 3000ms")]) for _ in range(30)]
    analysis = analyze(failing + healthy(30), artifacts(("lookup_booking", "check_availability", "issue_refund")))
    scores = [f.score for f in analysis.findings]
    assert scores == sorted(scores, reverse=True)
