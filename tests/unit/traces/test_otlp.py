"""The OTLP/JSON source, read from spans the OpenTelemetry SDK made and its own encoder wrote."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from opentelemetry import trace as otel_trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, Status, StatusCode, TraceFlags

from optimizer.errors import TraceSourceError
from optimizer.traces.formats import open_reader
from optimizer.traces.otlp import OtlpReader
from tests.support.builders import trace
from tests.support.otlp_export import SpanFactory, collector_lines, otel_trace_id, write_otlp

START = datetime(2026, 11, 19, tzinfo=UTC)
END = START + timedelta(days=1)
T0 = int(datetime(2026, 11, 19, 10, tzinfo=UTC).timestamp()) * 1_000_000_000
MS = 1_000_000


def read(path: Path, **bounds: int) -> tuple[list[dict], OtlpReader]:
    reader = OtlpReader([path], str(path), **bounds)
    return [record for _, record in reader.read(START, END)], reader


class Turns:
    """SDK spans built by hand: a tracer, explicit times, parents, statuses."""

    def __init__(self, service: str = "frontdesk") -> None:
        self.factory = SpanFactory()
        self.tracer = self.factory.tracer(service)

    def span(self, name, parent=None, *, at=0, ms=10, error=None, trace_id=None, **attributes):
        if trace_id is not None:
            self.factory.ids.next_trace_id = int(trace_id, 16)
        context = otel_trace.set_span_in_context(parent) if parent is not None else None
        span = self.tracer.start_span(name, context=context, start_time=T0 + at * MS)
        for key, value in attributes.items():
            span.set_attribute(key.replace("__", "."), value)
        if error is not None:
            span.set_status(Status(StatusCode.ERROR, error or None))
        span.end_at = T0 + (at + ms) * MS  # type: ignore[attr-defined]
        return span

    @staticmethod
    def end(*spans):
        for span in spans:
            span.end(end_time=span.end_at)

    def write(self, path: Path, batch: int = 64, keep=lambda span: True) -> Path:
        spans = [span for span in self.factory.spans() if keep(span)]
        path.write_bytes(b"".join(collector_lines(spans, batch)))
        return path


def messages(*pairs: tuple[str, str]) -> str:
    return orjson.dumps([{"role": role, "parts": [{"type": "text", "content": text}]} for role, text in pairs]).decode()


def test_a_genai_turn_folds_its_model_calls_and_tool_spans(tmp_path):
    t = Turns()
    turn = t.span("invoke_agent frontdesk", ms=900, trace_id="ab" * 16, gen_ai__operation__name="invoke_agent")
    turn.set_attribute("gen_ai.agent.name", "frontdesk")
    turn.set_attribute("gen_ai.conversation.id", "conv-1")
    turn.set_attribute("optimizer.prompt.version", "8a41d07")
    first = t.span(
        "chat claude-sonnet-4-5",
        turn,
        at=1,
        gen_ai__operation__name="chat",
        gen_ai__request__model="claude-sonnet-4-5",
        gen_ai__usage__input_tokens=1200,  # includes the 200 read from the cache
        gen_ai__usage__cache_read__input_tokens=200,
        gen_ai__usage__output_tokens=100,
        gen_ai__input__messages=messages(("system", "You are..."), ("user", "Can I bring my dog?")),
        gen_ai__output__messages=messages(("assistant", "Let me check.")),
    )
    lookup = t.span("execute_tool check_pets", turn, at=20, ms=30, error="Timeout after 3000ms")
    lookup.set_attribute("gen_ai.operation.name", "execute_tool")
    lookup.set_attribute("gen_ai.tool.name", "check_pets")
    again = t.span("execute_tool check_pets", turn, at=60, ms=5, gen_ai__operation__name="execute_tool")
    again.set_attribute("gen_ai.tool.name", "check_pets")
    again.set_attribute("error.type", "RateLimited")
    second = t.span(
        "chat",
        turn,
        at=100,
        gen_ai__operation__name="chat",
        gen_ai__response__model="claude-sonnet-4-5",
        gen_ai__usage__prompt_tokens=500,  # the older names
        gen_ai__usage__completion_tokens=50,
        gen_ai__input__messages=messages(
            ("system", "You are..."), ("user", "Can I bring my dog?"), ("assistant", "Let me check."), ("tool", "?")
        ),
        gen_ai__output__messages=messages(("assistant", "Dogs are welcome.")),
    )
    t.end(first, lookup, again, second, turn)
    (record,), reader = read(t.write(tmp_path / "spans.jsonl"))

    assert record["trace_id"] == "ab" * 16
    assert (record["agent"], record["session_id"], record["prompt_version"]) == ("frontdesk", "conv-1", "8a41d07")
    assert record["model"] == "claude-sonnet-4-5"
    assert record["usage"] == {"input_tokens": 1500, "output_tokens": 150, "cache_read_input_tokens": 200}
    # No cost attribute: Sonnet's list price, $3 in, $15 out, $0.30 cache read per million tokens.
    assert record["cost_usd"] == pytest.approx((1500 * 3 + 150 * 15 + 200 * 0.3) / 1e6)
    assert record["latency_ms"] == 900
    assert record["tool_calls"] == [
        {"name": "check_pets", "ok": False, "error": "Timeout after 3000ms", "latency_ms": 30},
        {"name": "check_pets", "ok": False, "error": "RateLimited", "latency_ms": 5},
    ]
    # Each call's new input and its output: the history sent again is not counted twice.
    assert [(m["role"], m["content"]) for m in record["messages"]] == [
        ("system", "You are..."),
        ("user", "Can I bring my dog?"),
        ("assistant", "Let me check."),
        ("tool", "?"),
        ("assistant", "Dogs are welcome."),
    ]
    assert reader.report().skipped == 0


def test_openinference_names_are_read_too(tmp_path):
    t = Turns()
    agent = t.span("agent", ms=400, openinference__span__kind="AGENT", agent__name="concierge", session__id="s-9")
    llm = t.span(
        "llm",
        agent,
        at=1,
        openinference__span__kind="LLM",
        llm__model_name="gpt-4o",
        llm__token_count__prompt=900,
        llm__token_count__completion=80,
        llm__token_count__prompt_details__cache_write=100,
        llm__cost__total=0.0042,
        **{
            "llm.input_messages.0.message.role": "user",
            "llm.input_messages.0.message.content": "Late check-out?",
            "llm.output_messages.0.message.role": "assistant",
            "llm.output_messages.0.message.content": "Until 1 pm.",
        },
    )
    tool = t.span("tool", agent, at=50, openinference__span__kind="TOOL", tool__name="lookup_booking")
    t.end(llm, tool, agent)
    (record,), _ = read(t.write(tmp_path / "phoenix.json"))

    assert (record["agent"], record["session_id"], record["model"]) == ("concierge", "s-9", "gpt-4o")
    assert record["usage"] == {"input_tokens": 800, "output_tokens": 80, "cache_creation_input_tokens": 100}
    assert record["cost_usd"] == 0.0042
    assert record["tool_calls"] == [{"name": "lookup_booking", "ok": True, "error": None, "latency_ms": 10}]
    assert [m["content"] for m in record["messages"]] == ["Late check-out?", "Until 1 pm."]


def test_turns_are_agent_spans_and_a_conversation_groups_them(tmp_path):
    t = Turns(service="frontdesk")
    server = t.span("POST /chat", ms=1000, trace_id="01" * 16, session__id="guest-7")
    turns = [t.span("invoke_agent", server, at=10 * i, gen_ai__operation__name="invoke_agent") for i in range(2)]
    t.end(*turns, server)
    lone = t.span("chat", ms=20, trace_id="02" * 16, gen_ai__operation__name="chat", gen_ai__usage__output_tokens=7)
    t.end(lone)
    records, _ = read(t.write(tmp_path / "spans.json"))

    by_id = {r["trace_id"]: r for r in records}
    assert sorted(by_id) == sorted([f"{'01' * 16}-{turn.context.span_id:016x}" for turn in turns] + ["02" * 16])
    # The agent from service.name; the session from the server span above the turns.
    assert {r["session_id"] for r in records if r["trace_id"].startswith("01")} == {"guest-7"}
    assert by_id["02" * 16]["agent"] == "frontdesk" and "session_id" not in by_id["02" * 16]
    assert by_id["02" * 16]["usage"] == {"output_tokens": 7}


def test_a_span_whose_parent_is_remote_starts_the_trace_here(tmp_path):
    t = Turns()
    upstream = SpanContext(int("cd" * 16, 16), 0x1234, is_remote=True, trace_flags=TraceFlags(1))
    turn = t.span("invoke_agent", NonRecordingSpan(upstream), gen_ai__operation__name="invoke_agent")
    t.end(turn)
    records, reader = read(t.write(tmp_path / "spans.json"))
    assert [r["trace_id"] for r in records] == ["cd" * 16]
    assert reader.report().skipped == 0


def test_spans_of_one_trace_over_many_lines_fold_as_one(tmp_path):
    records = [trace(), trace(), trace()]
    one_line = write_otlp(tmp_path / "batched.jsonl", records)
    per_span = write_otlp(tmp_path / "per-span.jsonl", records, batch=1)
    assert len(per_span.read_bytes().splitlines()) > len(records)
    assert read(per_span)[0] == read(one_line)[0]
    assert [r["trace_id"] for r in read(per_span)[0]] == [otel_trace_id(r["trace_id"]) for r in records]


def test_a_trace_whose_root_never_arrives_is_counted_and_named(tmp_path):
    t = Turns()
    root = t.span("invoke_agent", trace_id="ee" * 16, gen_ai__operation__name="invoke_agent")
    child = t.span("chat", root, gen_ai__operation__name="chat")
    t.end(child, root)
    path = t.write(tmp_path / "spans.jsonl", batch=1, keep=lambda span: span.name != "invoke_agent")
    records, reader = read(path)
    report = reader.report()
    assert records == []
    assert report.skipped == 1
    assert report.skipped_examples[0].reason == f"trace {'ee' * 16}: its root span never arrived"
    assert (report.skipped_examples[0].file, report.skipped_examples[0].line) == (str(path), 1)
    assert "1 trace(s) incomplete" in report.description


def test_waiting_traces_are_bounded_and_the_dropped_ones_counted(tmp_path):
    t = Turns()
    for n in range(5):
        root = t.span("invoke_agent", trace_id=f"{n + 1:032x}", gen_ai__operation__name="invoke_agent")
        child = t.span("chat", root, gen_ai__operation__name="chat", gen_ai__usage__output_tokens=1)
        t.end(child, root)
    # Every root but the last two's is lost: three traces wait for ever, with room for two.
    roots_lost = {f"{n + 1:032x}" for n in range(3)}
    path = t.write(
        tmp_path / "spans.jsonl",
        batch=1,
        keep=lambda s: s.parent is not None or f"{s.context.trace_id:032x}" not in roots_lost,
    )
    records, reader = read(path, max_open_traces=2)
    report = reader.report()
    assert sorted(r["trace_id"] for r in records) == [f"{4:032x}", f"{5:032x}"]
    assert report.skipped == 3
    reasons = [example.reason for example in report.skipped_examples]
    assert sum("dropped before its root span arrived" in reason for reason in reasons) >= 1
    assert sum("never arrived" in reason for reason in reasons) >= 1


def test_a_span_after_its_trace_was_folded_is_counted(tmp_path):
    t = Turns()
    root = t.span("invoke_agent", trace_id="aa" * 16, gen_ai__operation__name="invoke_agent")
    late = t.span("execute_tool", root, gen_ai__operation__name="execute_tool", gen_ai__tool__name="notify")
    t.end(root, late)  # the tool span ends after the turn: it comes in a later batch
    records, reader = read(t.write(tmp_path / "spans.jsonl", batch=1))
    assert [r["trace_id"] for r in records] == ["aa" * 16]
    assert reader.report().skipped_examples[0].reason.endswith("a span arrived after the trace's root was folded")


def test_an_attribute_of_the_wrong_type_skips_its_turn_and_names_it(tmp_path):
    t = Turns()
    bad = t.span("invoke_agent", trace_id="bb" * 16, gen_ai__operation__name="invoke_agent")
    call = t.span("chat", bad, gen_ai__operation__name="chat", gen_ai__usage__input_tokens="1200")
    good = t.span("invoke_agent", trace_id="cc" * 16, gen_ai__operation__name="invoke_agent")
    sentiment = t.span("invoke_agent", trace_id="dd" * 16, optimizer__sentiment="furious")
    sentiment.set_attribute("gen_ai.operation.name", "invoke_agent")
    t.end(call, bad, good, sentiment)
    records, reader = read(t.write(tmp_path / "spans.jsonl", batch=2))
    report = reader.report()
    assert [r["trace_id"] for r in records] == ["cc" * 16]
    assert report.skipped == 2
    first, second = report.skipped_examples
    assert first.reason == (
        f"trace {'bb' * 16}: span {call.context.span_id:016x}: "
        "attribute gen_ai.usage.input_tokens must be an integer >= 0 (it is a string)"
    )
    assert first.line == 1
    assert "1200" not in first.reason  # a reason never quotes the value
    assert "optimizer.sentiment must be one of positive, neutral, negative, unknown" in second.reason
    assert "furious" not in second.reason and second.line == 2


def test_a_truncated_line_is_counted_and_the_rest_is_read(tmp_path):
    path = write_otlp(tmp_path / "spans.jsonl", [trace(), trace(), trace()], batch=2)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])  # the exporter died mid-line
    records, reader = read(path)
    report = reader.report()
    assert len(records) == 2
    assert report.skipped_examples[0].line == len(lines)
    assert report.skipped_examples[0].reason.startswith("not valid JSON")
    assert report.skipped_examples[1].reason.endswith("its root span never arrived")


def test_a_line_that_is_json_but_not_an_export_request_is_named(tmp_path):
    path = write_otlp(tmp_path / "spans.jsonl", [trace()])
    path.write_bytes(path.read_bytes() + b'{"resourceLogs": []}\n')
    records, reader = read(path)
    assert len(records) == 1
    assert reader.report().skipped_examples[0].reason == "not an OTLP/JSON export request (no resourceSpans list)"


def test_files_are_told_apart_by_content_gzipped_or_not(tmp_path):
    otlp = tmp_path / "otel"
    otlp.mkdir()
    write_otlp(otlp / "traces-1.json", [trace()])
    write_otlp(otlp / "traces-2.json.gz", [trace()])
    (otlp / "notes.json").write_text('{"not": "traces"}\n')
    reader = open_reader(otlp)
    assert isinstance(reader, OtlpReader)
    assert len(list(reader.read(START, END))) == 2
    assert reader.report().files == 2

    canonical = tmp_path / "traces.jsonl.gz"
    canonical.write_bytes(gzip.compress(orjson.dumps(trace()) + b"\n"))
    assert not isinstance(open_reader(canonical), OtlpReader)
    (otlp / "canonical.jsonl").write_bytes(orjson.dumps(trace()) + b"\n")
    with pytest.raises(TraceSourceError, match=r"holds both OTLP/JSON .* and trace records"):
        open_reader(otlp)
