"""The spans of one trace -> one trace record per agent turn, as otlp_mapping's table says. Pure.

The turn: each outermost agent span (``gen_ai.operation.name = invoke_agent``, or OpenInference's
``openinference.span.kind = AGENT``), which is how both conventions mark "the agent handled one
request"; a trace with no agent span is one turn, its root span (a single model call, or a
framework that marks nothing). Every span below a turn belongs to it: its model calls (``chat``,
``text_completion``, ``generate_content``, OpenInference ``LLM``) give the usage, cost and model,
its tool spans (``execute_tool``, ``TOOL``) the tool calls. Turns are grouped into conversations
by ``gen_ai.conversation.id`` (else ``session.id``); a turn with neither is its own conversation,
which is what the analysis does with a trace that has no session_id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from optimizer.errors import ConfigError
from optimizer.pricing import cost_usd, price_for
from optimizer.traces.fastcheck import started_at_if_valid
from optimizer.traces.otlp_mapping import (
    AGENT_OPERATIONS,
    BY_TARGET,
    ERROR_TYPE,
    MODEL_OPERATIONS,
    OPENINFERENCE_KIND,
    OPERATION,
    TOOL_OPERATIONS,
    AttributeProblem,
    Prices,
)
from optimizer.traces.otlp_spans import Span
from optimizer.traces.record import trace_problem

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_USAGE = ("input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")
_USAGE_TARGETS = tuple((key, f"usage.{key}") for key in _USAGE)


@dataclass(frozen=True)
class Turn:
    started: datetime
    record: dict[str, Any]
    line: int  # where its turn span was read


@dataclass(frozen=True)
class Unusable:
    line: int  # where the span that makes it unusable was read
    reason: str


def fold(spans: list[Span], prices: Prices) -> list[Turn | Unusable]:
    """Every turn of one trace (its spans in the order read), or why it cannot be used."""
    by_id = {span.span_id: span for span in spans}
    for span in spans:
        span.children = []
    tops = []
    for span in spans:
        parent = by_id.get(span.parent_id) if span.parent_id else None
        if parent is None:
            tops.append(span)
        else:
            parent.children.append(span)
    turns = [turn for top in tops for turn in _agent_spans(top)] or [s for s in tops if s.parent_id is None] or tops
    return [_turn(turn, by_id, prices, several=len(turns) > 1) for turn in turns]


def _agent_spans(span: Span) -> Iterable[Span]:
    if span.get(OPERATION) in AGENT_OPERATIONS or span.get(OPENINFERENCE_KIND) == "AGENT":
        yield span
        return
    for child in span.children:
        yield from _agent_spans(child)


def _below(span: Span) -> list[Span]:
    found, stack = [], list(span.children)
    while stack:
        child = stack.pop()
        found.append(child)
        stack.extend(child.children)
    return sorted(found, key=lambda s: s.start_ns)


def _ancestors(span: Span, by_id: dict[str, Span]) -> list[Span]:
    found: list[Span] = []
    parent = by_id.get(span.parent_id) if span.parent_id else None
    while parent is not None and parent not in found:
        found.append(parent)
        parent = by_id.get(parent.parent_id) if parent.parent_id else None
    return found


def _is_model_call(span: Span) -> bool:
    return span.get(OPERATION) in MODEL_OPERATIONS or span.get(OPENINFERENCE_KIND) == "LLM"


def _is_tool(span: Span) -> bool:
    return span.get(OPERATION) in TOOL_OPERATIONS or span.get(OPENINFERENCE_KIND) == "TOOL"


class _View:
    """One turn's spans, and the field lookups of the table's "read from" column."""

    def __init__(self, turn: Span, by_id: dict[str, Span]) -> None:
        self.turn = turn
        self.below = _below(turn)
        self.order = [turn, *self.below, *_ancestors(turn, by_id)]
        self.calls = [span for span in [turn, *self.below] if _is_model_call(span)]
        self.tools = [span for span in self.below if _is_tool(span)]
        # Each attribute as the first span in ``order`` that has it holds it: one dict for every lookup.
        self._merged: dict[str, Any] = {}
        for span in reversed(self.order):
            self._merged.update(span.attributes)

    def first(self, target: str) -> Any:
        """The turn's value of ``target``: the first of its attributes found on its spans, else the resource."""
        names = BY_TARGET[target].attributes
        for attributes in (self._merged, self.turn.resource):
            for name in names:
                value = attributes.get(name)
                if value is not None:
                    return value
        return None


def own(span: Span, target: str) -> Any:
    attributes = span.attributes
    for name in BY_TARGET[target].attributes:
        value = attributes.get(name)
        if value is not None:
            return value
    return None


def _turn(turn: Span, by_id: dict[str, Span], prices: Prices, several: bool) -> Turn | Unusable:
    view = _View(turn, by_id)
    trace_id = f"{turn.trace_id}-{turn.span_id}" if several else turn.trace_id
    for span in view.order:
        if span.problem:
            return Unusable(span.line, f"trace {turn.trace_id}: {span.problem}")
    try:
        record = _record(view, trace_id, prices)
    except AttributeProblem as err:
        return Unusable(turn.line, f"trace {turn.trace_id}: {err}")
    started = started_at_if_valid(record)
    if started is None:
        if record.get("agent") is None:
            reason = "no agent name: set gen_ai.agent.name on the agent span, or service.name on the resource"
        else:
            reason = trace_problem(record) or "breaks the trace schema"
        return Unusable(turn.line, f"trace {turn.trace_id}: {reason}")
    return Turn(started, record, turn.line)


def _record(view: _View, trace_id: str, prices: Prices) -> dict[str, Any]:
    turn = view.turn
    record: dict[str, Any] = {
        "trace_id": trace_id,
        "agent": view.first("agent"),
        "started_at": _time(turn.start_ns).isoformat(),
        "ended_at": _time(turn.end_ns).isoformat(),
        "latency_ms": _ms(turn.end_ns - turn.start_ns),
        "session_id": view.first("session_id"),
        "prompt_version": view.first("prompt_version"),
        "model": _model(view),
        "channel": view.first("channel"),
        "arm": view.first("arm"),
        "escalated": view.first("escalated"),
        "owner_corrected": view.first("owner_corrected"),
        "sentiment": view.first("sentiment"),
        "feedback": view.first("feedback"),
    }
    usage, cost = _usage_and_cost(view, record["model"], prices)
    record["usage"] = usage
    record["cost_usd"] = cost
    record["tool_calls"] = [_tool_call(span) for span in view.tools] or None
    record["messages"] = _messages(view)
    if turn.error:
        record["error"] = {"type": turn.get(ERROR_TYPE), "message": turn.status_message}
    record["metadata"] = view.first("metadata")
    return {key: value for key, value in record.items() if value is not None}


def _time(ns: int) -> datetime:
    return _EPOCH + timedelta(microseconds=ns // 1000)


def _ms(ns: int) -> float | int:
    ms = ns / 1e6
    return int(ms) if ms.is_integer() else ms


def _model(view: _View) -> Any:
    for call in reversed(view.calls):
        model = own(call, "model")
        if model is not None:
            return model
    return view.first("model")


def _usage_and_cost(view: _View, model: str | None, prices: Prices) -> tuple[dict[str, int] | None, float | None]:
    # The model calls that report tokens, else the turn span's own tokens.
    counted = [(call, tokens) for call in view.calls if _any((tokens := _span_usage(call)).values())]
    sources = counted or [(view.turn, _span_usage(view.turn))]
    usage: dict[str, int] = {k: sum(u[k] or 0 for _, u in sources) for k in _USAGE if _any(u[k] for _, u in sources)}
    costs = [own(call, "cost_usd") for call in view.calls if own(call, "cost_usd") is not None]
    if not costs and own(view.turn, "cost_usd") is not None:
        costs = [own(view.turn, "cost_usd")]
    if costs:
        return usage or None, sum(costs)
    priced = [_priced(u, own(span, "model") or model, prices) for span, u in sources]
    cost = None if not usage or None in priced else float(sum(c for c in priced if c is not None))
    return usage or None, cost


def _any(values: Iterable[Any]) -> bool:
    return any(value is not None for value in values)


def _span_usage(span: Span) -> dict[str, int | None]:
    """One span's tokens as the trace schema counts them: input without the cached tokens it includes."""
    usage = {key: own(span, target) for key, target in _USAGE_TARGETS}
    if usage["input_tokens"] is not None:
        cached = (usage["cache_read_input_tokens"] or 0) + (usage["cache_creation_input_tokens"] or 0)
        usage["input_tokens"] = max(0, usage["input_tokens"] - cached)
    return usage


def _priced(usage: dict[str, int | None], model: str | None, prices: Prices) -> float | None:
    if model is None:
        return None
    try:
        price = price_for(model, prices)
    except ConfigError:  # a model the table does not know: no cost rather than a made-up one
        return None
    return cost_usd(
        price,
        input_tokens=usage["input_tokens"] or 0,
        output_tokens=usage["output_tokens"] or 0,
        cache_write=usage["cache_creation_input_tokens"] or 0,
        cache_read=usage["cache_read_input_tokens"] or 0,
    )


def _tool_call(span: Span) -> dict[str, Any]:
    name = own(span, "tool_calls[].name") or span.name.removeprefix("execute_tool ").strip() or "unnamed"
    error_type = span.get(ERROR_TYPE)
    failed = span.error or error_type is not None
    call: dict[str, Any] = {
        "name": name,
        "ok": not failed,
        "error": (span.status_message or error_type) if failed else None,
        "latency_ms": _ms(span.end_ns - span.start_ns),
    }
    retry = own(span, "tool_calls[].retry")
    if retry is not None:
        call["retry"] = retry
    return call


def _messages(view: _View) -> list[dict[str, Any]] | None:
    """The turn span's messages as they are; else each model call's new input (what follows the last
    assistant message it was sent: earlier turns' history is not counted twice) and its output."""
    own_messages = _span_messages(view.turn)
    if own_messages is not None:
        return own_messages[0] + own_messages[1]
    found: list[dict[str, Any]] = []
    for call in view.calls:
        messages = _span_messages(call)
        if messages is None:
            continue
        sent, answer = messages
        last_reply = max((i for i, m in enumerate(sent) if m["role"] == "assistant"), default=-1)
        found += sent[last_reply + 1 :] + answer
    return found or None


def _span_messages(span: Span) -> tuple[list[dict[str, Any]], list[dict[str, Any]]] | None:
    sent, answer = span.get("gen_ai.input.messages"), span.get("gen_ai.output.messages")
    if sent is not None or answer is not None:
        return _genai("gen_ai.input.messages", sent or []), _genai("gen_ai.output.messages", answer or [])
    sent_oi, answer_oi = _openinference(span, "llm.input_messages."), _openinference(span, "llm.output_messages.")
    if sent_oi or answer_oi:
        return sent_oi, answer_oi
    return None


def _genai(key: str, messages: list[Any]) -> list[dict[str, Any]]:
    """GenAI messages: ``[{role, parts: [{type: text, content}]}]`` (or an older ``{role, content}``)."""
    found = []
    for index, message in enumerate(messages):
        if type(message) is not dict or type(message.get("role")) is not str:
            raise AttributeProblem(f"attribute {key}: message {index} has no role")
        parts = message.get("parts")
        if type(parts) is list:
            texts = [p["content"] for p in parts if _is_text_part(p)]
            content = "\n".join(texts) if texts else None
        else:
            content = message.get("content") if type(message.get("content")) is str else None
        found.append({"role": message["role"], "content": content})
    return found


def _is_text_part(part: Any) -> bool:
    return type(part) is dict and part.get("type") == "text" and type(part.get("content")) is str


def _openinference(span: Span, prefix: str) -> list[dict[str, Any]]:
    """OpenInference's flattened messages: ``<prefix>N.message.role`` and ``<prefix>N.message.content``."""
    slots: dict[int, dict[str, Any]] = {}
    for key, value in span.attributes.items():
        if not key.startswith(prefix):
            continue
        number, _, rest = key[len(prefix) :].partition(".")
        if number.isdigit() and rest in ("message.role", "message.content"):
            slots.setdefault(int(number), {})[rest.removeprefix("message.")] = value
    found = []
    for index in sorted(slots):
        if "role" not in slots[index]:
            raise AttributeProblem(f"attribute {prefix}{index}.message.role is missing")
        found.append({"role": slots[index]["role"], "content": slots[index].get("content")})
    return found
