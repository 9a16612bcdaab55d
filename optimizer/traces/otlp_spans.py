"""One OTLP/JSON export request (a line of the Collector's file exporter) -> compact spans.

The OTLP/JSON encoding (opentelemetry-proto's docs/specification.md): lowerCamelCase keys, trace
and span ids as hex, 64-bit integers as strings or numbers, enums as integers. Ids in base64, as a
protobuf-to-JSON converter writes them, are read too. A span keeps only the attributes the mapping
knows (otlp_mapping), so a buffered trace costs little whatever its instrumentation sends; an
attribute of the wrong type is kept as a problem, which skips its turn when it is folded.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from optimizer.traces.otlp_mapping import AttributeProblem, is_kept, typed

STATUS_ERROR = 2
_IS_REMOTE_KNOWN = 0x100  # SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK
_IS_REMOTE = 0x200  # SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK


class SpanProblem(ValueError):
    """A span the reader cannot use (no ids, no times); the message says where and what."""


@dataclass(slots=True)
class Span:
    trace_id: str
    span_id: str
    parent_id: str | None  # None: a root; a span whose parent is remote counts as a root too
    name: str
    start_ns: int
    end_ns: int
    error: bool  # status code ERROR
    status_message: str | None
    attributes: dict[str, Any]
    resource: dict[str, Any]  # shared by the spans of one resource
    line: int
    problem: str | None = None  # an attribute of the wrong type
    children: list[Span] = field(default_factory=list)

    def get(self, key: str) -> Any:
        return self.attributes.get(key)


def spans_of(request: Any, line: int) -> Iterator[Span | SpanProblem]:
    """The spans of one ExportTraceServiceRequest, and a SpanProblem for each one that is unusable."""
    if type(request) is not dict or type(request.get("resourceSpans")) is not list:
        yield SpanProblem("not an OTLP/JSON export request (no resourceSpans list)")
        return
    for r, resource_spans in enumerate(request["resourceSpans"]):
        if type(resource_spans) is not dict:
            yield SpanProblem(f"resourceSpans[{r}] is not an object")
            continue
        resource, problem = _attributes((resource_spans.get("resource") or {}).get("attributes"))
        for s, scope_spans in enumerate(_list(resource_spans.get("scopeSpans"))):
            for i, raw in enumerate(_list(scope_spans.get("spans") if type(scope_spans) is dict else None)):
                where = f"resourceSpans[{r}].scopeSpans[{s}].spans[{i}]"
                try:
                    span = _span(raw, resource, line)
                except SpanProblem as err:
                    yield SpanProblem(f"{where}: {err}")
                    continue
                if problem and not span.problem:
                    span.problem = f"resource: {problem}"
                yield span


def _list(value: Any) -> list[Any]:
    return value if type(value) is list else []


def _span(raw: Any, resource: dict[str, Any], line: int) -> Span:
    if type(raw) is not dict:
        raise SpanProblem("not an object")
    trace_id = _id(raw.get("traceId"), 16, "traceId")
    span_id = _id(raw.get("spanId"), 8, "spanId")
    parent = raw.get("parentSpanId")
    parent_id = _id(parent, 8, "parentSpanId") if parent else None
    flags = _integer(raw.get("flags") or 0, "flags")
    if parent_id and flags & (_IS_REMOTE_KNOWN | _IS_REMOTE) == _IS_REMOTE_KNOWN | _IS_REMOTE:
        parent_id = None  # the parent lives in another service: here this span is where the trace starts
    start = _integer(raw.get("startTimeUnixNano"), "startTimeUnixNano")
    end = _integer(raw.get("endTimeUnixNano"), "endTimeUnixNano")
    if end < start:
        raise SpanProblem("endTimeUnixNano is before startTimeUnixNano")
    status: dict[str, Any] = raw["status"] if type(raw.get("status")) is dict else {}
    message = status.get("message")
    attributes, problem = _attributes(raw.get("attributes"))
    name = raw.get("name")
    return Span(
        trace_id=trace_id,
        span_id=span_id,
        parent_id=parent_id,
        name=name if type(name) is str else "",
        start_ns=start,
        end_ns=end,
        error=status.get("code") in (STATUS_ERROR, "STATUS_CODE_ERROR"),
        status_message=message if type(message) is str and message else None,
        attributes=attributes,
        resource=resource,
        line=line,
        problem=f"span {span_id}: {problem}" if problem else None,
    )


def _id(value: Any, size: int, key: str) -> str:
    """A trace or span id as lowercase hex: hex as OTLP/JSON writes it, or base64 as protobuf's JSON does."""
    if type(value) is str:
        if len(value) == 2 * size:
            try:
                bytes.fromhex(value)
                return value.lower()
            except ValueError:
                pass
        try:
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) == size:
            return raw.hex()
    raise SpanProblem(f"{key} is missing or not {size} bytes in hex")


def _integer(value: Any, key: str) -> int:
    if type(value) is int:
        return value
    if type(value) is str and value.isdigit():
        return int(value)
    raise SpanProblem(f"{key} is missing or not an integer")


def _attributes(raw: Any) -> tuple[dict[str, Any], str | None]:
    """The kept attributes, typed; and the first problem (an attribute of the wrong type), if any."""
    kept: dict[str, Any] = {}
    problem = None
    for item in _list(raw):
        if type(item) is not dict:
            continue
        key = item.get("key")
        if type(key) is not str or not is_kept(key):
            continue
        try:
            kept[key] = typed(key, any_value(item.get("value")))
        except AttributeProblem as err:
            problem = problem or str(err)
    return kept, problem


def any_value(value: Any) -> Any:
    """An OTLP AnyValue as a Python value: string, int, float, bool, list, dict, bytes or None."""
    if type(value) is not dict or not value:
        return None
    kind, inner = next(iter(value.items()))
    if kind == "stringValue" or kind == "boolValue":
        return inner
    if kind == "intValue":
        return int(inner) if type(inner) is str and inner.lstrip("-").isdigit() else inner
    if kind == "doubleValue":
        return _double(inner)
    if kind == "arrayValue":
        return [any_value(item) for item in _list((inner or {}).get("values"))]
    if kind == "kvlistValue":
        pairs = _list((inner or {}).get("values"))
        return {pair.get("key"): any_value(pair.get("value")) for pair in pairs if type(pair) is dict}
    if kind == "bytesValue":
        return bytes(inner, "utf-8") if type(inner) is str else inner  # never a field's type: kept only to be named
    return None


def _double(value: Any) -> Any:
    """protojson writes a double as a number, or as a string for NaN and the infinities."""
    if type(value) is str:
        try:
            return float(value)
        except ValueError:
            return value
    return float(value) if type(value) is int else value
