"""Which OpenTelemetry attribute fills which trace field: the one table, shown as is in docs/otel.md.

Each canonical field is mapped once, to the attribute names that carry it in the OTel GenAI
semantic conventions (older names after newer ones), OpenInference's names (Phoenix) and the
``optimizer.*`` attributes the runtime sets; the first one found wins. An attribute whose value
disagrees with its type makes the turn skipped and counted, like a malformed line.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

Prices = Mapping[str, Mapping[str, float]]  # claude.prices: model -> USD per million tokens

# Where a field is read (the turn and its spans are defined in otlp_fold).
TURN = "turn"  # the turn span, else its descendants (in start order), its ancestors, the resource
CALLS = "calls"  # summed over the turn's model-call spans, else the turn span's own
LAST_CALL = "last call"  # the turn's last model-call span, else as TURN
TOOL = "tool span"  # each tool span of the turn
SPAN = "turn span"  # the turn span itself

# Span kinds, as the two conventions name them.
OPERATION = "gen_ai.operation.name"
OPENINFERENCE_KIND = "openinference.span.kind"
AGENT_OPERATIONS = frozenset({"invoke_agent"})
MODEL_OPERATIONS = frozenset({"chat", "text_completion", "generate_content"})
TOOL_OPERATIONS = frozenset({"execute_tool"})
ERROR_TYPE = "error.type"
SERVICE_NAME = "service.name"
OPENINFERENCE_MESSAGES = ("llm.input_messages.", "llm.output_messages.")  # flattened: .N.message.role / .content

SENTIMENTS = ("positive", "neutral", "negative", "unknown")
FEEDBACK = ("up", "down")


class AttributeProblem(ValueError):
    """An attribute whose value is not of its field's type; the message names it, never the value."""


@dataclass(frozen=True)
class Kind:
    words: str  # what the value must be, for the table and the reason
    check: Callable[[Any], Any]  # the value as the trace field holds it; raises TypeError when it is not one


def _string(value: Any) -> str:
    if type(value) is not str:
        raise TypeError
    return value


def _count(value: Any) -> int:
    if type(value) is int and value >= 0:
        return value
    if type(value) is float and value.is_integer() and value >= 0:
        return int(value)
    raise TypeError


def _number(value: Any) -> float | int:
    if (type(value) is int or type(value) is float) and math.isfinite(value) and value >= 0:
        return value
    raise TypeError


def _boolean(value: Any) -> bool:
    if type(value) is not bool:
        raise TypeError
    return value


def _one_of(*allowed: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if type(value) is not str or value not in allowed:
            raise TypeError
        return value

    return check


def _json(value: Any) -> Any:
    """A structured value (kvlist, array) as is; a string holding JSON parsed."""
    if type(value) is str:
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError as err:
            raise TypeError from err
    return value


def _object(value: Any) -> dict[str, Any]:
    parsed = _json(value)
    if type(parsed) is not dict:
        raise TypeError
    return parsed


def _list(value: Any) -> list[Any]:
    parsed = _json(value)
    if type(parsed) is not list:
        raise TypeError
    return parsed


STRING = Kind("a string", _string)
COUNT = Kind("an integer >= 0", _count)
NUMBER = Kind("a number >= 0", _number)
BOOLEAN = Kind("a boolean", _boolean)
SENTIMENT = Kind(f"one of {', '.join(SENTIMENTS)}", _one_of(*SENTIMENTS))
FEEDBACK_KIND = Kind("up or down", _one_of(*FEEDBACK))
JSON_OBJECT = Kind("a JSON object (a string or a map)", _object)
MESSAGES = Kind("messages as JSON (a string or an array)", _list)
DERIVED = Kind("", lambda value: value)


@dataclass(frozen=True)
class Field:
    target: str  # the trace field (schemas/trace.schema.json), dotted below an object
    attributes: tuple[str, ...]  # first found wins; empty: derived from the span itself
    kind: Kind
    where: str
    note: str = ""


FIELDS: tuple[Field, ...] = (
    Field("trace_id", (), DERIVED, SPAN, "the trace id (hex); with several turns in one trace, trace id-span id"),
    Field("started_at", (), DERIVED, SPAN, "the span's start time"),
    Field("ended_at", (), DERIVED, SPAN, "the span's end time"),
    Field("latency_ms", (), DERIVED, SPAN, "the span's duration"),
    Field("agent", ("gen_ai.agent.name", "agent.name", SERVICE_NAME), STRING, TURN, "service.name on the resource"),
    Field("session_id", ("gen_ai.conversation.id", "session.id"), STRING, TURN, "none: the turn is its own session"),
    Field("prompt_version", ("optimizer.prompt.version",), STRING, TURN, "set by the runtime"),
    Field("model", ("gen_ai.response.model", "gen_ai.request.model", "llm.model_name"), STRING, LAST_CALL),
    Field(
        "usage.input_tokens",
        ("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt"),
        COUNT,
        CALLS,
        "less the cache reads and writes, which these attributes include",
    ),
    Field(
        "usage.output_tokens",
        ("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.token_count.completion"),
        COUNT,
        CALLS,
    ),
    Field(
        "usage.cache_read_input_tokens",
        ("gen_ai.usage.cache_read.input_tokens", "llm.token_count.prompt_details.cache_read"),
        COUNT,
        CALLS,
    ),
    Field(
        "usage.cache_creation_input_tokens",
        ("gen_ai.usage.cache_creation.input_tokens", "llm.token_count.prompt_details.cache_write"),
        COUNT,
        CALLS,
    ),
    Field(
        "cost_usd",
        ("optimizer.cost_usd", "gen_ai.usage.cost", "llm.cost.total"),
        NUMBER,
        CALLS,
        "none: from the price table (claude.prices, then the built-in list) by model and tokens",
    ),
    Field(
        "messages",
        ("gen_ai.input.messages", "gen_ai.output.messages", "llm.input_messages.N.message.*"),
        MESSAGES,
        TURN,
        "input then output; on the turn span as they are, else each model call's new input and its output",
    ),
    Field("tool_calls[].name", ("gen_ai.tool.name", "tool.name"), STRING, TOOL, "else the span's name"),
    Field("tool_calls[].ok", (ERROR_TYPE,), STRING, TOOL, "false when the status is ERROR or error.type is set"),
    Field("tool_calls[].error", (), DERIVED, TOOL, "the status message, else error.type"),
    Field("tool_calls[].latency_ms", (), DERIVED, TOOL, "the span's duration"),
    Field("tool_calls[].retry", ("optimizer.tool.retry",), BOOLEAN, TOOL),
    Field("error", (ERROR_TYPE,), STRING, SPAN, "status ERROR: {type: error.type, message: status message}"),
    Field("escalated", ("optimizer.escalated",), BOOLEAN, TURN),
    Field("owner_corrected", ("optimizer.owner_corrected",), BOOLEAN, TURN),
    Field("sentiment", ("optimizer.sentiment",), SENTIMENT, TURN),
    Field("feedback", ("optimizer.feedback",), FEEDBACK_KIND, TURN),
    Field("channel", ("optimizer.channel",), STRING, TURN),
    Field("metadata", ("optimizer.metadata", "metadata"), JSON_OBJECT, TURN, "OpenInference's metadata too"),
    Field("arm", ("optimizer.arm",), STRING, TURN, "stable or canary: the canary arm the runtime gave the session"),
)

BY_TARGET = {field.target: field for field in FIELDS}
KINDS: dict[str, Kind] = {name: f.kind for f in FIELDS if f.kind is not DERIVED for name in f.attributes}
KINDS[OPERATION] = KINDS[OPENINFERENCE_KIND] = STRING
# KINDS' keys are the attributes a span keeps (and OpenInference's messages); every other one is dropped as read.


def wrong_type(key: str, kind: Kind, value: Any) -> str:
    """Why ``value`` cannot fill ``key``'s field: the attribute and the types, never the value."""
    return f"attribute {key} must be {kind.words} (it is {_type_word(value)})"


def _type_word(value: Any) -> str:
    names = {str: "a string", bool: "a boolean", int: "an integer", float: "a number", list: "an array", dict: "a map"}
    return names.get(type(value), "empty" if value is None else "bytes")


def markdown_table() -> str:
    """The table as docs/otel.md shows it."""
    lines = ["| trace field | attributes (first found wins) | type | read from | note |", "|---|---|---|---|---|"]
    for field in FIELDS:
        names = ", ".join(f"`{name}`" for name in field.attributes) or "—"
        lines.append(f"| `{field.target}` | {names} | {field.kind.words or '—'} | {field.where} | {field.note} |")
    return "\n".join(lines) + "\n"
