"""What one conversation says, read the same way by the JSONL aggregator and the Supabase path:
its first and last open question, the questions the agent could not answer (with the staff
reply that followed each), the first staff reply and the owner's first correction. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from optimizer.text.answers import is_unanswered
from optimizer.text.topics import topic_of


@dataclass(slots=True)
class Conversation:
    first_question: str | None = None
    last_question: str | None = None  # still open at the end: answered "I don't know" closes it
    gaps: list[tuple[str, str | None]] = field(default_factory=list)  # unanswered question, staff reply after it
    staff: str | None = None  # the first reply of a person after a hand-off (role human)
    correction: str | None = None  # the owner's first correction (role owner)


def read_conversation(messages: Iterable[dict[str, Any]] | None) -> Conversation:
    # Once per trace: locals while reading, one object at the end.
    first = last = staff = correction = None
    gaps: list[tuple[str, str | None]] = []
    for message in messages or ():
        content = message.get("content")
        if not content:
            continue
        role = message.get("role")
        if role == "user":
            last = content
            if first is None:
                first = content
        elif role == "assistant":
            if last is not None and is_unanswered(content):
                gaps.append((last, None))
                last = None  # one gap per question, however often the agent repeats itself
        elif role == "human":
            staff = staff or content
            if gaps and gaps[-1][1] is None:
                gaps[-1] = (gaps[-1][0], content)
        elif role == "owner":
            correction = correction or content
    return Conversation(first, last, gaps, staff, correction)


def topic_named(metadata: Any, first_question: str | None) -> str:
    """The trace's own topic (metadata.topic), else the topic of its first question, else "other"."""
    topic = metadata.get("topic") if isinstance(metadata, dict) else None
    if isinstance(topic, str) and topic:
        return topic
    return topic_of(first_question) if first_question else "other"
