"""The trace schema as one flat function, for the hot loop: valid -> its start time, else None.

``record.trace_problem`` says *why* a record is invalid and is called only for the rare bad
line; this function only decides, in one frame with no helper calls on the happy path, which
is what keeps reading a 1M-trace file close to the cost of parsing its JSON. A property test
keeps the two, and the published JSON Schema, in agreement.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

_AGENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")
_known_agents: set[str] = set()  # names already matched; bounded below
_MAX_KNOWN_AGENTS = 10_000
_SENTIMENTS = frozenset({"positive", "neutral", "negative", "unknown"})
_FEEDBACK = frozenset({"up", "down"})
_ARMS = frozenset({"canary", "stable"})
_fromisoformat = datetime.fromisoformat
# Types a value may have, as sets: one membership test instead of "is None or type is ...".
_STR_OR_NULL = frozenset({str, type(None)})
_BOOL_OR_NULL = frozenset({bool, type(None)})
_OBJECT_OR_NULL = frozenset({dict, type(None)})
_NUMBER = frozenset({int, float})  # not bool: JSON Schema's true is no number


def started_at_if_valid(record: Any) -> datetime | None:
    if type(record) is not dict:
        return None
    get = record.get
    value = get("trace_id")
    if type(value) is not str or not value:
        return None
    value = get("agent")
    if type(value) is not str:
        return None
    if value not in _known_agents:
        if not _AGENT_NAME.match(value):
            return None
        if len(_known_agents) < _MAX_KNOWN_AGENTS:
            _known_agents.add(value)
    value = get("started_at")
    if type(value) is not str or ("T" not in value and " " not in value):
        return None
    try:
        started = _fromisoformat(value)
    except ValueError:
        return None
    if (
        type(get("session_id")) not in _STR_OR_NULL
        or type(get("prompt_version")) not in _STR_OR_NULL
        or type(get("model")) not in _STR_OR_NULL
        or type(get("channel")) not in _STR_OR_NULL
        or type(get("escalated")) not in _BOOL_OR_NULL
        or type(get("owner_corrected")) not in _BOOL_OR_NULL
        or type(get("metadata")) not in _OBJECT_OR_NULL
    ):
        return None
    value = get("ended_at")
    if value is not None and _timestamp(value) is None:
        return None
    usage = get("usage")
    if usage is not None:
        if type(usage) is not dict:
            return None
        get_count = usage.get
        for value in (
            get_count("input_tokens"),
            get_count("output_tokens"),
            get_count("cache_read_input_tokens"),
            get_count("cache_creation_input_tokens"),
        ):
            if value is not None and not (type(value) is int and value >= 0) and not is_count(value):
                return None
    value = get("cost_usd")
    if value is not None and not (type(value) in _NUMBER and value >= 0):
        return None
    value = get("latency_ms")
    if value is not None and not (type(value) in _NUMBER and value >= 0):
        return None
    value = get("tool_calls")
    if value is not None and not _calls_ok(value):
        return None
    value = get("messages")
    if value is not None and not _messages_ok(value):
        return None
    value = get("sentiment")
    if value is not None and (type(value) is not str or value not in _SENTIMENTS):
        return None
    value = get("feedback")
    if value is not None and (type(value) is not str or value not in _FEEDBACK):
        return None
    value = get("arm")
    if value is not None and (type(value) is not str or value not in _ARMS):
        return None
    value = get("error")
    if value is not None and not (
        type(value) is dict and type(value.get("type")) in _STR_OR_NULL and type(value.get("message")) in _STR_OR_NULL
    ):
        return None
    return started if started.tzinfo else started.replace(tzinfo=UTC)


def is_count(value: Any) -> bool:
    """A JSON Schema integer >= 0: JSON Schema counts 3.0 as an integer, and so do we."""
    if type(value) is int:
        return value >= 0
    return type(value) is float and value.is_integer() and value >= 0


def _timestamp(value: Any) -> datetime | None:
    if type(value) is not str or ("T" not in value and " " not in value):
        return None
    try:
        return _fromisoformat(value)
    except ValueError:
        return None


def _calls_ok(calls: Any) -> bool:
    if type(calls) is not list:
        return False
    for call in calls:
        if type(call) is not dict:
            return False
        get = call.get
        name = get("name")
        if type(name) is not str or not name:
            return False
        if (
            type(get("ok")) not in _BOOL_OR_NULL
            or type(get("retry")) not in _BOOL_OR_NULL
            or type(get("error")) not in _STR_OR_NULL
        ):
            return False
        latency = get("latency_ms")
        if latency is not None and not (type(latency) in _NUMBER and latency >= 0):
            return False
    return True


def _messages_ok(messages: Any) -> bool:
    if type(messages) is not list:
        return False
    for message in messages:
        if type(message) is not dict:
            return False
        get = message.get
        if (
            type(get("role")) is not str
            or type(get("content")) not in _STR_OR_NULL
            or type(get("at")) not in _STR_OR_NULL
        ):
            return False
    return True
