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
_USAGE_KEYS = ("input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")
_SENTIMENTS = frozenset({"positive", "neutral", "negative", "unknown"})
_FEEDBACK = frozenset({"up", "down"})
_ARMS = frozenset({"canary", "stable"})
_fromisoformat = datetime.fromisoformat


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
    started = _timestamp(get("started_at"))
    if started is None:
        return None
    for key in ("session_id", "prompt_version", "model", "channel"):
        value = get(key)
        if value is not None and type(value) is not str:
            return None
    value = get("ended_at")
    if value is not None and _timestamp(value) is None:
        return None
    usage = get("usage")
    if usage is not None:
        if type(usage) is not dict:
            return None
        for key in _USAGE_KEYS:
            value = usage.get(key)
            if value is not None and not (type(value) is int and value >= 0) and not is_count(value):
                return None
    for key in ("cost_usd", "latency_ms"):
        value = get(key)
        if value is not None and not ((type(value) is int or type(value) is float) and value >= 0):
            return None
    if not (_calls_ok(get("tool_calls")) and _messages_ok(get("messages"))):
        return None
    for key in ("escalated", "owner_corrected"):
        value = get(key)
        if value is not None and type(value) is not bool:
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
        type(value) is dict and _optional_str(value.get("type")) and _optional_str(value.get("message"))
    ):
        return None
    value = get("metadata")
    if value is not None and type(value) is not dict:
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


def _optional_str(value: Any) -> bool:
    return value is None or type(value) is str


def _calls_ok(calls: Any) -> bool:
    if calls is None:
        return True
    if type(calls) is not list:
        return False
    for call in calls:
        if type(call) is not dict:
            return False
        name, ok, latency, retry = call.get("name"), call.get("ok"), call.get("latency_ms"), call.get("retry")
        if type(name) is not str or not name or (ok is not None and type(ok) is not bool):
            return False
        if retry is not None and type(retry) is not bool:
            return False
        if not _optional_str(call.get("error")):
            return False
        if latency is not None and not ((type(latency) is int or type(latency) is float) and latency >= 0):
            return False
    return True


def _messages_ok(messages: Any) -> bool:
    if messages is None:
        return True
    if type(messages) is not list:
        return False
    for message in messages:
        if type(message) is not dict or type(message.get("role")) is not str:
            return False
        content, at = message.get("content"), message.get("at")
        if (content is not None and type(content) is not str) or (at is not None and type(at) is not str):
            return False
    return True
