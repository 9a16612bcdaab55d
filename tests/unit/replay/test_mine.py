"""The replay set: the conversations behind a finding first, a holdout that went well, bounded and redacted."""

from __future__ import annotations

from optimizer.models import Evidence, Finding
from optimizer.replay.mine import Limits, Target, mine
from tests.support.builders import trace


def _gap(trace_ids: tuple[str, ...] = ()) -> Finding:
    return Finding(
        "knowledge_gap", "frontdesk", "pet", "pets unanswered", 3.0, {"keywords": "pet, allow"}, Evidence(trace_ids)
    )


def _asked(question: str, reply: str, **overrides: object) -> dict:
    messages = [{"role": "user", "content": "Hello"}, {"role": "assistant", "content": "Hello, how can I help?"}]
    messages += [{"role": "user", "content": question}, {"role": "assistant", "content": reply}]
    return trace(messages=messages, **overrides)


def test_a_gap_set_holds_the_unanswered_questions_then_a_holdout_that_went_well():
    unanswered = [_asked("Can I bring my dog?", "I'm not sure, I'll check with the team and get back to you.")]
    answered_elsewhere = [trace() for _ in range(5)]
    escalated = [trace(escalated=True)]
    [replay_set] = mine(
        [*unanswered, *answered_elsewhere, *escalated], [Target(1, "FAQ on pets", _gap())], Limits(4, 2)
    )
    roles = [c.role for c in replay_set.conversations]
    assert roles == ["failing", "holdout", "holdout"]
    failing = replay_set.conversations[0]
    assert failing.target_turns == (1,) and failing.user_turns[1] == "Can I bring my dog?"
    assert escalated[0]["trace_id"] not in {c.trace_id for c in replay_set.conversations}  # did not go well
    assert replay_set.found == (1, 5)


def test_the_set_is_bounded_and_the_findings_own_samples_come_first():
    traces = [_asked(f"Are pets allowed, {n} dogs?", "I don't know.") for n in range(30)]
    sample = traces[17]["trace_id"]
    [replay_set] = mine(traces, [Target(1, "t", _gap((sample,)))], Limits(3, 0))
    assert len(replay_set.conversations) == 3
    assert replay_set.conversations[0].trace_id == sample
    again = mine(list(reversed(traces)), [Target(1, "t", _gap((sample,)))], Limits(3, 0))[0]
    assert [c.trace_id for c in again.conversations] == [c.trace_id for c in replay_set.conversations]


def test_a_tool_failure_set_keeps_the_recorded_calls_and_their_redacted_errors():
    failed = trace(
        tool_calls=[{"name": "check_availability", "ok": False, "error": "Timeout for jane.doe@example.com"}],
        messages=[{"role": "user", "content": "Room for Friday? I am at jane.doe@example.com"}],
    )
    fine = trace(tool_calls=[{"name": "check_availability", "ok": True}])
    finding = Finding("tool_failure", "frontdesk", "check_availability", "fails", 1.0)
    [replay_set] = mine([failed, fine, trace()], [Target(1, "retry", finding)], Limits(2, 2))
    failing, holdout = replay_set.conversations
    assert (failing.role, holdout.role) == ("failing", "holdout")
    assert holdout.trace_id == fine["trace_id"]  # the holdout called the tool too
    call = failing.tool_calls[0]
    assert not call.ok and "Timeout" in (call.error or "") and "jane.doe" not in (call.error or "")
    assert "jane.doe" not in failing.user_turns[0]
