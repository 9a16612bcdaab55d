"""The replay set of each proposal, mined from the window's traces in one pass. Pure.

For a proposal's finding: the conversations behind it (the unanswered questions of a knowledge gap,
the escalated conversations of a topic, the turns a tool failed), then a holdout of conversations
that went well (of the same topic or tool where the finding has one). The finding's own sample
traces come first; the rest are chosen by a hash of the trace id, so the same window gives the same
set on every run and the choice spreads over the window. Everything kept is redacted here, before
it can be sent, stored or shown.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from optimizer.analysis.conversation import topic_named
from optimizer.models import Finding
from optimizer.replay.model import RecordedCall, ReplayConversation, ReplaySet, Role
from optimizer.text.answers import is_handoff, is_unanswered
from optimizer.text.redact import excerpt, redact, redact_name
from optimizer.text.topics import content_words, label_of

MAX_TURNS = 6  # user turns replayed per conversation: enough for the finding, bounded in cost
MAX_TURN_CHARS = 2000
ERROR_CHARS = 200


@dataclass(frozen=True)
class Target:
    """A proposal to mine for: its number, its title and the finding it answers."""

    proposal: int
    title: str
    finding: Finding


@dataclass(frozen=True)
class Limits:
    failing: int
    holdout: int


@dataclass
class _Pool:
    """The ``limit`` candidates with the smallest sort keys seen so far (bounded: at most twice that
    many held at a time), and how many were seen; conversations are built only for those chosen."""

    limit: int
    held: list[tuple[tuple[int, str], dict[str, Any], Role, tuple[int, ...]]] = field(default_factory=list)
    seen: int = 0

    def offer(self, key: tuple[int, str], trace: dict[str, Any], role: Role, turns: tuple[int, ...]) -> None:
        self.seen += 1
        if self.limit <= 0:
            return
        self.held.append((key, trace, role, turns))
        if len(self.held) > 2 * self.limit:
            self.held = sorted(self.held, key=lambda held: held[0])[: self.limit]

    def chosen(self) -> list[ReplayConversation]:
        kept = sorted(self.held, key=lambda held: held[0])[: self.limit]
        return [conversation(trace, role, turns) for _key, trace, role, turns in kept]


def mine(traces: Iterable[dict[str, Any]], targets: Sequence[Target], limits: Limits) -> list[ReplaySet]:
    """One pass over the traces of one agent's window: a replay set per target, in target order."""
    pools = [(_Pool(limits.failing), _Pool(limits.holdout)) for _ in targets]
    samples = [frozenset(target.finding.evidence.trace_ids) for target in targets]
    for trace in traces:
        seen = _Seen.of(trace)
        for target, (failing, holdout), sample in zip(targets, pools, samples, strict=True):
            role, turns = classify(target.finding, trace, seen)
            if role is None:
                continue
            trace_id = str(trace["trace_id"])
            key = (0 if trace_id in sample else 1, hashlib.sha256(trace_id.encode()).hexdigest())
            (failing if role == "failing" else holdout).offer(key, trace, role, turns)
    return [
        ReplaySet(
            target.proposal,
            target.title,
            target.finding.key,
            (*failing.chosen(), *holdout.chosen()),
            (failing.seen, holdout.seen),
        )
        for target, (failing, holdout) in zip(targets, pools, strict=True)
    ]


@dataclass(frozen=True)
class _Seen:
    """What every classifier needs of a trace, read once."""

    user_turns: tuple[str, ...]
    unanswered: tuple[int, ...]  # user turns whose next reply did not answer
    handoff: bool
    topic: str
    went_well: bool

    @classmethod
    def of(cls, trace: dict[str, Any]) -> _Seen:
        users: list[str] = []
        unanswered: list[int] = []
        handoff = False
        for message in trace.get("messages") or ():
            content = message.get("content")
            if not content:
                continue
            if message.get("role") == "user":
                users.append(content)
            elif message.get("role") == "assistant" and users:
                if is_unanswered(content) and (not unanswered or unanswered[-1] != len(users) - 1):
                    unanswered.append(len(users) - 1)
                handoff = handoff or is_handoff(content)
        topic = label_of([redact_name(topic_named(trace.get("metadata"), users[0] if users else None))])
        calls = trace.get("tool_calls") or ()
        well = not (
            trace.get("escalated")
            or trace.get("owner_corrected")
            or trace.get("sentiment") == "negative"
            or trace.get("error")
            or unanswered
            or handoff
            or any(call.get("ok") is False for call in calls)
        )
        return cls(tuple(users), tuple(unanswered), handoff, topic, well and bool(users))


def classify(finding: Finding, trace: dict[str, Any], seen: _Seen) -> tuple[Role | None, tuple[int, ...]]:
    """Whether a trace is behind the finding (failing), a holdout for it, or neither; and its target turns."""
    if not seen.user_turns:
        return None, ()
    if finding.kind == "knowledge_gap":
        lead = str(finding.figures.get("keywords") or finding.subject).split(",")[0].strip()
        turns = tuple(n for n in seen.unanswered if lead in content_words(seen.user_turns[n]))
        return ("failing", turns) if turns else ("holdout" if seen.went_well else None, ())
    if finding.kind == "escalation":
        if finding.subject != "overall" and seen.topic != finding.subject:
            return None, ()
        return ("failing", ()) if trace.get("escalated") else ("holdout" if seen.went_well else None, ())
    if finding.kind == "tool_failure":
        calls = [c for c in trace.get("tool_calls") or () if redact_name(str(c.get("name"))) == finding.subject]
        if not calls:
            return None, ()
        return ("failing", ()) if calls[-1].get("ok") is False else ("holdout" if seen.went_well else None, ())
    return ("holdout" if seen.went_well else None), ()  # other kinds: no conversation to fix, only to keep


def conversation(trace: dict[str, Any], role: Role, turns: tuple[int, ...]) -> ReplayConversation:
    """The trace as the replay keeps it: redacted user turns (at most MAX_TURNS) and recorded tool calls."""
    users = [
        redact(str(m["content"])[:MAX_TURN_CHARS])
        for m in trace.get("messages") or ()
        if m.get("role") == "user" and m.get("content")
    ]
    calls = tuple(
        RecordedCall(
            redact_name(str(call.get("name"))),
            call.get("ok") is not False,
            excerpt(str(call.get("error") or "failed"), ERROR_CHARS) if call.get("ok") is False else None,
        )
        for call in trace.get("tool_calls") or ()
    )
    model = trace.get("model")
    return ReplayConversation(
        str(trace["trace_id"]),
        role,
        redact_name(model) if isinstance(model, str) else None,
        tuple(users[:MAX_TURNS]),
        calls,
        tuple(n for n in turns if n < MAX_TURNS),
    )


def agent_model(sets: Iterable[ReplaySet]) -> str | None:
    """The model most of the replayed conversations ran on."""
    models = Counter(c.model for s in sets for c in s.conversations if c.model)
    return models.most_common(1)[0][0] if models else None
