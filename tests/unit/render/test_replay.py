"""The replay section: figures per proposal, and nothing from a trace or the model rendered as Markdown."""

from __future__ import annotations

import re

from optimizer.render.replay import replay_section
from optimizer.replay.model import (
    ConversationResult,
    ProposalReplay,
    ReplayConversation,
    ReplayReport,
    ReplaySet,
    Side,
    Usage,
    Verdict,
)


def _result(role: str, before: bool, after: bool, reason: str = "answered") -> ConversationResult:
    conversation = ReplayConversation(f"tr_{role}_{before}_{after}", role, "m", ("Hi",))  # type: ignore[arg-type]
    side = Side(("Hello",), usage=Usage(100, 20, 0, 0, 1), cost_usd=0.001)
    return ConversationResult(conversation, side, side, Verdict(before, reason), Verdict(after, reason))


def test_the_table_counts_fixed_and_kept_conversations_and_names_a_regression():
    results = (_result("failing", False, True), _result("failing", False, False), _result("holdout", True, False))
    report = ReplayReport(
        model="claude-sonnet-4-5",
        budget_usd=0.5,
        proposals=(ProposalReplay(ReplaySet(1, "Add an FAQ", "knowledge_gap:pet", ()), results),),
    )
    section = replay_section(report)
    assert "| 1 | Add an FAQ | 1 of 2 (current: 0) | 0 of 1 | 120 → 120 | $0.0060 |" in section
    assert "**1 holdout conversation regressed:** `tr_holdout_True_False` (proposal 1)." in section


def test_a_reason_quoting_a_reply_cannot_add_markdown_or_mentions():
    hostile = "turn 1: “| @admin [click](https://evil.example) <img src=x>”"
    results = (_result("failing", False, False, hostile),)
    report = ReplayReport(model="m", proposals=(ProposalReplay(ReplaySet(1, "t", "escalation:x", ()), results),))
    section = replay_section(report)
    assert "@admin" not in section and "<img" not in section and "](https://" not in section
    row = next(line for line in section.splitlines() if "tr_failing" in line)
    assert len(re.findall(r"(?<!\\)\|", row)) == 6  # five cells: the quoted pipe opened none


def test_a_skipped_replay_is_one_line():
    assert (
        replay_section(ReplayReport(skipped="no ANTHROPIC_API_KEY")) == "**Replay:** skipped: no ANTHROPIC\\_API\\_KEY."
    )
