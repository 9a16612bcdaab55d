"""Why a trace record breaks the contract (schemas/trace.schema.json), in words a user can act on.

A reason names the field and what is wrong with it, never the value: a bad field may hold
anything, a secret or a guest's message included, and reasons are shown in pull requests.

jsonschema costs ~100 µs a record, which would make a 1M-trace file take minutes; this check is
hand-written against the same schema. The hot loop uses ``fastcheck.started_at_if_valid`` and
asks this module only about the rare bad line; property tests keep all three in agreement.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from optimizer.traces.fastcheck import is_count

_AGENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")
_OPTIONAL_STRINGS = ("session_id", "prompt_version", "model", "channel")
_USAGE_KEYS = ("input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")
_SENTIMENTS = frozenset({"positive", "neutral", "negative", "unknown"})
_FEEDBACK = frozenset({"up", "down"})


def trace_problem(record: Any) -> str | None:
    """Why ``record`` breaks the trace schema, or None when it is a valid trace."""
    if type(record) is not dict:
        return "not a JSON object"
    problem = _required_problem(record)
    if problem:
        return problem
    for key in _OPTIONAL_STRINGS:
        value = record.get(key)
        if value is not None and type(value) is not str:
            return f"{key} must be a string or null"
    return (
        _optional_timestamp(record, "ended_at")
        or _usage_problem(record.get("usage"))
        or _number_problem(record, "cost_usd")
        or _number_problem(record, "latency_ms")
        or _tool_calls_problem(record.get("tool_calls"))
        or _messages_problem(record.get("messages"))
        or _flags_problem(record)
        or _error_problem(record.get("error"))
        or _metadata_problem(record.get("metadata"))
    )


def _required_problem(record: dict[str, Any]) -> str | None:
    trace_id = record.get("trace_id")
    if type(trace_id) is not str or not trace_id:
        return "trace_id is missing or not a non-empty string"
    agent = record.get("agent")
    if type(agent) is not str or not _AGENT_NAME.match(agent):
        return "agent is missing or not a valid agent name"
    if "started_at" not in record:
        return "started_at is missing"
    return _timestamp_problem(record["started_at"], "started_at")


def _timestamp_problem(value: Any, key: str) -> str | None:
    if type(value) is not str:
        return f"{key} must be an ISO 8601 timestamp string"
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return f"{key} is not an ISO 8601 timestamp ({_shape(value)})"
    return None if "T" in value or " " in value else f"{key} has no time of day (a date alone)"


def _shape(value: str) -> str:
    """What a bad string looks like, without any of it: its length and the kinds of characters."""
    kinds = [
        name
        for name, test in (("letters", str.isalpha), ("digits", str.isdigit), ("spaces", str.isspace))
        if any(test(char) for char in value)
    ]
    other = any(not (char.isalnum() or char.isspace()) for char in value)
    return f"a string of {len(value)} characters: {', '.join(kinds + ['symbols'] * other) or 'empty'}"


def _optional_timestamp(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    return None if value is None else _timestamp_problem(value, key)


def _is_number(value: Any) -> bool:
    return type(value) is int or type(value) is float


def _number_problem(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None or (_is_number(value) and value >= 0):
        return None
    return f"{key} must be a number >= 0 or null"


def _usage_problem(usage: Any) -> str | None:
    if usage is None:
        return None
    if type(usage) is not dict:
        return "usage must be an object or null"
    for key in _USAGE_KEYS:
        value = usage.get(key)
        if value is not None and not is_count(value):
            return f"usage.{key} must be an integer >= 0 or null"
    return None


def _tool_calls_problem(calls: Any) -> str | None:
    if calls is None:
        return None
    if type(calls) is not list:
        return "tool_calls must be an array or null"
    for index, call in enumerate(calls):
        if type(call) is not dict:
            return f"tool_calls[{index}] must be an object"
        name = call.get("name")
        if type(name) is not str or not name:
            return f"tool_calls[{index}].name is missing or empty"
        ok, error, latency = call.get("ok"), call.get("error"), call.get("latency_ms")
        if ok is not None and type(ok) is not bool:
            return f"tool_calls[{index}].ok must be a boolean or null"
        if error is not None and type(error) is not str:
            return f"tool_calls[{index}].error must be a string or null"
        if latency is not None and not (_is_number(latency) and latency >= 0):
            return f"tool_calls[{index}].latency_ms must be a number >= 0 or null"
    return None


def _messages_problem(messages: Any) -> str | None:
    if messages is None:
        return None
    if type(messages) is not list:
        return "messages must be an array or null"
    for index, message in enumerate(messages):
        if type(message) is not dict:
            return f"messages[{index}] must be an object"
        if type(message.get("role")) is not str:
            return f"messages[{index}].role is missing or not a string"
        for key in ("content", "at"):
            value = message.get(key)
            if value is not None and type(value) is not str:
                return f"messages[{index}].{key} must be a string or null"
    return None


def _flags_problem(record: dict[str, Any]) -> str | None:
    for key in ("escalated", "owner_corrected"):
        value = record.get(key)
        if value is not None and type(value) is not bool:
            return f"{key} must be a boolean or null"
    sentiment = record.get("sentiment")
    if sentiment is not None and (type(sentiment) is not str or sentiment not in _SENTIMENTS):
        return "sentiment must be one of positive, neutral, negative, unknown or null"
    feedback = record.get("feedback")
    if feedback is not None and (type(feedback) is not str or feedback not in _FEEDBACK):
        return "feedback must be 'up', 'down' or null"
    arm = record.get("arm")
    if arm is not None and (type(arm) is not str or arm not in ("canary", "stable")):
        return "arm must be 'canary', 'stable' or null"
    return None


def _error_problem(error: Any) -> str | None:
    if error is None:
        return None
    if type(error) is not dict:
        return "error must be an object or null"
    for key in ("type", "message"):
        value = error.get(key)
        if value is not None and type(value) is not str:
            return f"error.{key} must be a string or null"
    return None


def _metadata_problem(metadata: Any) -> str | None:
    if metadata is None or type(metadata) is dict:
        return None
    return "metadata must be an object or null"
