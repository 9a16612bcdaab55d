"""The deterministic graders, one per finding kind: did the replayed agent answer, escalate, retry? Pure.

- knowledge_gap: the questions the agent could not answer get an answer, not an "I don't know" or a
  hand-off (the phrase lists of ``text.answers``); a holdout conversation is answered throughout.
  Whether an answer is true to the soul is beyond a phrase list: ``judge`` may ask the model.
- escalation: no reply hands the conversation to a person.
- tool_failure: after the recorded failure the agent calls the tool again (a retry); in a holdout
  conversation it does not call a tool again right after it succeeded.
- any other kind: the holdout conversations are still answered throughout.
"""

from __future__ import annotations

from optimizer.replay.model import ReplayConversation, Side, Verdict
from optimizer.text.answers import is_handoff, is_unanswered
from optimizer.text.redact import clip

QUOTE_CHARS = 80


def grade(conversation: ReplayConversation, side: Side, kind: str, subject: str) -> Verdict:
    if kind == "tool_failure":
        return _retried(side, subject) if conversation.role == "failing" else _no_needless_retry(side)
    if kind == "escalation":
        return _not_escalated(side)
    turns = conversation.target_turns if kind == "knowledge_gap" and conversation.role == "failing" else ()
    return _answered(side, turns or tuple(range(len(side.replies))))


def _answered(side: Side, turns: tuple[int, ...]) -> Verdict:
    for turn in turns:
        reply = side.replies[turn] if turn < len(side.replies) else ""
        if is_unanswered(reply) or is_handoff(reply):
            return Verdict(False, f"turn {turn + 1} is still not answered: “{clip(reply, QUOTE_CHARS)}”")
    shown = ", ".join(str(turn + 1) for turn in turns)
    return Verdict(True, f"answered (turn {shown})" if len(turns) == 1 else f"answered (turns {shown})")


def _not_escalated(side: Side) -> Verdict:
    for turn, reply in enumerate(side.replies):
        if is_handoff(reply):
            return Verdict(False, f"escalated at turn {turn + 1}: “{clip(reply, QUOTE_CHARS)}”")
    return Verdict(True, "not escalated")


def _retried(side: Side, tool: str) -> Verdict:
    calls = [use for use in side.tool_uses if use.name == tool]
    if not calls:
        return Verdict(False, f"did not call {tool}")
    failed = next((n for n, use in enumerate(calls) if not use.ok), None)
    if failed is None:
        return Verdict(True, f"called {tool} and it answered")
    if failed + 1 < len(calls):
        return Verdict(True, f"retried {tool} after its recorded failure ({len(calls)} calls)")
    return Verdict(False, f"did not retry {tool} after its recorded failure")


def _no_needless_retry(side: Side) -> Verdict:
    for before, after in zip(side.tool_uses, side.tool_uses[1:], strict=False):
        if before.ok and after.name == before.name and after.turn == before.turn:
            return Verdict(False, f"called {after.name} again right after it succeeded (turn {after.turn + 1})")
    answered = _answered(side, tuple(range(len(side.replies))))
    return answered if not answered.passed else Verdict(True, "no needless retry; " + answered.reason)
