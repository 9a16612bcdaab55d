"""Trace records -> OpenTelemetry spans made by the real SDK -> the JSON lines the Collector's file
exporter writes.

Spans come from opentelemetry-sdk (a tracer, explicit times, statuses), and are encoded by the
SDK's own OTLP encoder (opentelemetry-exporter-otlp-proto-common) into ExportTraceServiceRequest
messages; protobuf's json_format turns those into JSON, and ids are then written as hex, as the
OTLP/JSON encoding requires (protobuf's generic JSON writes bytes as base64). One request per
line, ``batch`` spans each, in the order the spans ended: what a BatchSpanProcessor feeding the
Collector produces.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from google.protobuf.json_format import MessageToDict
from opentelemetry import trace as otel_trace
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from opentelemetry.trace import Status, StatusCode

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND_NS = 1000


def otel_trace_id(trace_id: str) -> str:
    """The OTel trace id (32 hex digits) a record's trace id is written under: itself when it is one."""
    if len(trace_id) == 32 and all(c in "0123456789abcdef" for c in trace_id):
        return trace_id
    return hashlib.sha256(trace_id.encode()).hexdigest()[:32]


class _ChosenIds(RandomIdGenerator):
    """Random span ids; the next trace id as the test chose it (once), else a random one."""

    def __init__(self) -> None:
        self.next_trace_id = 0

    def generate_trace_id(self) -> int:
        chosen, self.next_trace_id = self.next_trace_id, 0
        return chosen or super().generate_trace_id()


def ns(timestamp: str) -> int:
    moment = datetime.fromisoformat(timestamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * _MICROSECOND_NS


def _ms_ns(value: float) -> int:
    return round(value * 1_000_000)


class SpanFactory:
    """One TracerProvider per agent (service.name is a resource attribute), spans kept in memory."""

    def __init__(self, style: str = "genai") -> None:
        self.style = style  # "genai" (OTel GenAI conventions) or "openinference"
        self.exporter = InMemorySpanExporter()
        self.ids = _ChosenIds()
        self._providers: dict[str, TracerProvider] = {}

    def tracer(self, service: str) -> otel_trace.Tracer:
        provider = self._providers.get(service)
        if provider is None:
            provider = TracerProvider(resource=Resource.create({"service.name": service}), id_generator=self.ids)
            provider.add_span_processor(SimpleSpanProcessor(self.exporter))
            self._providers[service] = provider
        return provider.get_tracer("optimizer-tests")

    def spans(self) -> tuple[ReadableSpan, ...]:
        return self.exporter.get_finished_spans()

    def record(self, record: dict[str, Any]) -> None:
        """The spans of one agent turn: the agent span, a model call under it, one span per tool call."""
        self.ids.next_trace_id = int(otel_trace_id(record["trace_id"]), 16)
        tracer = self.tracer(record["agent"])
        start = ns(record["started_at"])
        latency = record.get("latency_ms") or 0
        turn = tracer.start_span(f"invoke_agent {record['agent']}", start_time=start)
        for key, value in _turn_attributes(record, self.style).items():
            turn.set_attribute(key, value)
        context = otel_trace.set_span_in_context(turn)
        if record.get("usage") or record.get("model") or record.get("cost_usd") is not None:
            call = tracer.start_span("chat", context=context, start_time=start + 1000)
            for key, value in _call_attributes(record, self.style).items():
                call.set_attribute(key, value)
            call.end(end_time=start + 2000)
        at = start + 3000
        for tool in record.get("tool_calls") or ():
            span = tracer.start_span(f"execute_tool {tool['name']}", context=context, start_time=at)
            for key, value in _tool_attributes(tool, self.style).items():
                span.set_attribute(key, value)
            if tool.get("ok") is False or tool.get("error"):
                span.set_status(Status(StatusCode.ERROR, tool.get("error") or None))
            at += _ms_ns(tool.get("latency_ms") or 0)
            span.end(end_time=at)
            at += 1000
        error = record.get("error")
        if error:
            if error.get("type"):
                turn.set_attribute("error.type", error["type"])
            turn.set_status(Status(StatusCode.ERROR, error.get("message") or None))
        turn.end(end_time=start + _ms_ns(latency))


def _present(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _turn_attributes(record: dict[str, Any], style: str) -> dict[str, Any]:
    openinference = style == "openinference"
    metadata = record.get("metadata")
    values: dict[str, Any] = {
        "openinference.span.kind" if openinference else "gen_ai.operation.name": "AGENT"
        if openinference
        else "invoke_agent",
        "agent.name" if openinference else "gen_ai.agent.name": record["agent"],
        "session.id" if openinference else "gen_ai.conversation.id": record.get("session_id"),
        "optimizer.prompt.version": record.get("prompt_version"),
        "optimizer.channel": record.get("channel"),
        "optimizer.escalated": record.get("escalated"),
        "optimizer.owner_corrected": record.get("owner_corrected"),
        "optimizer.sentiment": record.get("sentiment"),
        "optimizer.feedback": record.get("feedback"),
        "metadata" if openinference else "optimizer.metadata": None if metadata is None else json.dumps(metadata),
    }
    messages = record.get("messages")
    if messages:
        values.update(_openinference_messages(messages) if openinference else _genai_messages(messages))
    return _present(values)


def _split(messages: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """What the turn was sent, and the trailing assistant replies it gave."""
    cut = len(messages)
    while cut and messages[cut - 1]["role"] == "assistant":
        cut -= 1
    return list(messages[:cut]), list(messages[cut:])


def _genai_messages(messages: Sequence[dict[str, Any]]) -> dict[str, str]:
    def parts(message: dict[str, Any]) -> dict[str, Any]:
        content = message.get("content")
        return {"role": message["role"], "parts": [] if content is None else [{"type": "text", "content": content}]}

    sent, replies = _split(messages)
    return {
        "gen_ai.input.messages": json.dumps([parts(m) for m in sent]),
        "gen_ai.output.messages": json.dumps([parts(m) for m in replies]),
    }


def _openinference_messages(messages: Sequence[dict[str, Any]]) -> dict[str, str]:
    values: dict[str, str] = {}
    sent, replies = _split(messages)
    for prefix, group in (("llm.input_messages", sent), ("llm.output_messages", replies)):
        for index, message in enumerate(group):
            values[f"{prefix}.{index}.message.role"] = message["role"]
            if message.get("content") is not None:
                values[f"{prefix}.{index}.message.content"] = message["content"]
    return values


def _call_attributes(record: dict[str, Any], style: str) -> dict[str, Any]:
    usage = record.get("usage") or {}
    cache_read = usage.get("cache_read_input_tokens")
    cache_write = usage.get("cache_creation_input_tokens")
    given = usage.get("input_tokens")
    input_total = None if given is None else int(given) + int(cache_read or 0) + int(cache_write or 0)
    output = usage.get("output_tokens")
    if style == "openinference":
        return _present(
            {
                "openinference.span.kind": "LLM",
                "llm.model_name": record.get("model"),
                "llm.token_count.prompt": input_total,
                "llm.token_count.completion": None if output is None else int(output),
                "llm.token_count.prompt_details.cache_read": None if cache_read is None else int(cache_read),
                "llm.token_count.prompt_details.cache_write": None if cache_write is None else int(cache_write),
                "llm.cost.total": record.get("cost_usd"),
            }
        )
    return _present(
        {
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": record.get("model"),
            "gen_ai.response.model": record.get("model"),
            "gen_ai.usage.input_tokens": input_total,
            "gen_ai.usage.output_tokens": None if output is None else int(output),
            "gen_ai.usage.cache_read.input_tokens": None if cache_read is None else int(cache_read),
            "gen_ai.usage.cache_creation.input_tokens": None if cache_write is None else int(cache_write),
            "gen_ai.usage.cost": record.get("cost_usd"),
        }
    )


def _tool_attributes(tool: dict[str, Any], style: str) -> dict[str, Any]:
    if style == "openinference":
        values = {"openinference.span.kind": "TOOL", "tool.name": tool["name"]}
    else:
        values = {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": tool["name"]}
    return _present({**values, "optimizer.tool.retry": tool.get("retry")})


def request_json(spans: Sequence[ReadableSpan]) -> dict[str, Any]:
    """One ExportTraceServiceRequest, in the OTLP/JSON encoding the Collector writes."""
    message = MessageToDict(encode_spans(spans), use_integers_for_enums=True)
    for resource_spans in message.get("resourceSpans", ()):
        for scope_spans in resource_spans.get("scopeSpans", ()):
            for span in scope_spans.get("spans", ()):
                for key in ("traceId", "spanId", "parentSpanId"):
                    if key in span:
                        span[key] = base64.b64decode(span[key]).hex()
    return message


def collector_lines(spans: Sequence[ReadableSpan], batch: int = 64) -> list[bytes]:
    return [orjson.dumps(request_json(spans[i : i + batch])) + b"\n" for i in range(0, len(spans), batch)]


def write_otlp(path: Path, records: Iterable[dict[str, Any]], *, batch: int = 64, style: str = "genai") -> Path:
    """``records`` as the Collector's file exporter would have written the SDK's spans of them."""
    factory = SpanFactory(style)
    for record in records:
        factory.record(record)
    lines = collector_lines(factory.spans(), batch)
    data = b"".join(lines)
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path
