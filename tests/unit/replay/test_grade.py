"""The deterministic graders: answered, escalated, retried."""

from __future__ import annotations

from optimizer.replay.grade import grade
from optimizer.replay.model import ReplayConversation, Side, ToolUse


def _conversation(role: str = "failing", targets: tuple[int, ...] = ()) -> ReplayConversation:
    return ReplayConversation("t1", role, "m", ("Hi", "Dogs?"), (), targets)  # type: ignore[arg-type]


def test_a_gap_passes_only_when_the_unanswered_turn_is_answered():
    answered = Side(("I'm not sure what you mean", "Yes, dogs are welcome for £15 a night."))
    still = Side(("Hello!", "I don't know, I'll check with the team and get back to you."))
    assert grade(_conversation(targets=(1,)), answered, "knowledge_gap", "pet").passed
    verdict = grade(_conversation(targets=(1,)), still, "knowledge_gap", "pet")
    assert not verdict.passed and "turn 2 is still not answered" in verdict.reason


def test_an_escalation_fails_on_a_hand_off():
    verdict = grade(_conversation(), Side(("Hi", "Let me connect you with a colleague.")), "escalation", "refund")
    assert not verdict.passed and "escalated at turn 2" in verdict.reason
    assert grade(_conversation(), Side(("Hi", "Refunds take five days.")), "escalation", "refund").passed


def test_a_tool_failure_passes_on_a_retry_and_a_holdout_fails_on_a_needless_one():
    once = Side(("Hi", "Slow now."), (ToolUse(1, "check_availability", False),))
    retried = Side(("Hi", "Free."), (ToolUse(1, "check_availability", False), ToolUse(1, "check_availability", True)))
    assert not grade(_conversation(), once, "tool_failure", "check_availability").passed
    assert grade(_conversation(), retried, "tool_failure", "check_availability").passed
    twice = Side(("Hi", "Free."), (ToolUse(1, "check_availability", True), ToolUse(1, "check_availability", True)))
    verdict = grade(_conversation("holdout"), twice, "tool_failure", "check_availability")
    assert not verdict.passed and "again right after it succeeded" in verdict.reason
