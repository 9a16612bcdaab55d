"""A block the agent fills in twice at run time is found from the traces compile() annotated."""

from __future__ import annotations

from datetime import UTC, datetime

from optimizer.analysis.aggregate import Aggregator
from optimizer.analysis.engine import analyze_agent
from optimizer.analysts.heuristic_items import action_items_for
from optimizer.config import Thresholds
from optimizer.runtime import ActiveVersion

STARTED = datetime(2026, 11, 19, tzinfo=UTC)
PLAYBOOKS = ("Escalate refunds above 200 GBP to the manager on duty, with the booking reference. " * 40)[:2000]


def trace_after(template: str, n: int, **values: str) -> dict:
    active = ActiveVersion("frontdesk", "v1", None, {"prompts/frontdesk/system.md": template}).for_session(f"s{n}")
    active.compile("system", **values)
    return {"trace_id": f"t{n}", "agent": "frontdesk", "prompt_version": "v1", "metadata": active.trace_metadata()}


def findings(traces: list[dict]) -> list:
    aggregator = Aggregator()
    for trace in traces:
        aggregator.observe(trace, STARTED)
    analysis = analyze_agent(aggregator.agents["frontdesk"], None, Thresholds())
    return [finding for finding in analysis.findings if finding.kind == "prompt_duplication"]


def test_a_placeholder_written_twice_in_the_prompt_is_one_finding_with_its_waste_per_turn():
    traces = [trace_after("{{PLAYBOOKS}}\n\nRules.\n\n{{PLAYBOOKS}}\n", n, PLAYBOOKS=PLAYBOOKS) for n in range(3)]
    [finding] = findings(traces)
    assert finding.title == "{{PLAYBOOKS}} injected twice in the system prompt at run time: ~500 tokens wasted per turn"
    assert (finding.figures["traces"], finding.figures["wasted_tokens_in_window"]) == (3, 1500)
    assert finding.evidence.trace_ids == ("t0", "t1", "t2")


def test_distinct_fills_and_short_repeats_are_not_findings():
    template = "{{PLAYBOOKS}}\n\n{{GUEST_CONTEXT}}\n\n{{SIGNATURE}}\n"
    distinct = trace_after(template, 1, PLAYBOOKS=PLAYBOOKS, GUEST_CONTEXT="Room 4", SIGNATURE="The front desk")
    short = trace_after(template, 2, PLAYBOOKS=PLAYBOOKS, GUEST_CONTEXT="The front desk", SIGNATURE="The front desk")
    assert findings([distinct, short]) == []


def test_the_reviewer_is_told_to_fix_the_agents_code_not_the_prompt():
    traces = [trace_after("{{PLAYBOOKS}}\n\n{{PLAYBOOKS}}\n", 0, PLAYBOOKS=PLAYBOOKS)]
    [item] = action_items_for(findings(traces))
    assert item.title == "Fill the duplicated block in once"
    assert "no edit of the prompt files can fix it" in item.detail
