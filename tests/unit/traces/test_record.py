"""The fast trace check must agree with the published JSON Schema."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from optimizer.schemas import load_schema
from optimizer.traces.fastcheck import started_at_if_valid
from optimizer.traces.record import trace_problem
from tests.support.builders import trace

SCHEMA = Draft202012Validator(load_schema("trace"))
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(-5, 5, allow_nan=False),
    st.sampled_from([0.0, 3.0, -1.0, 2.5]),
    st.sampled_from(["", "x", "2026-11-19T10:00:00Z", "up", "negative"]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=2),
        st.dictionaries(
            st.sampled_from(
                ["name", "ok", "role", "content", "error", "latency_ms", "type", "message", "input_tokens"]
            ),
            inner,
            max_size=3,
        ),
    ),
    max_leaves=6,
)
FIELDS = list(load_schema("trace")["properties"])


@settings(max_examples=1500, deadline=None)
@given(st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=4), st.sets(st.sampled_from(FIELDS), max_size=2))
def test_fast_check_agrees_with_the_schema(changes: dict[str, Any], removed: set[str]) -> None:
    record = trace(**changes)
    for key in removed:
        record.pop(key, None)
    # jsonschema does not check `format: date-time` without an extra package; the contract does
    schema_ok = SCHEMA.is_valid(record) and not any(
        isinstance(record.get(key), str) and not TIMESTAMP.match(record[key]) for key in ("started_at", "ended_at")
    )
    assert (trace_problem(record) is None) == schema_ok, (record, trace_problem(record))
    assert (started_at_if_valid(record) is not None) == schema_ok, record


def test_a_healthy_trace_passes_and_gives_its_start_time_in_utc():
    assert trace_problem(trace()) is None
    assert started_at_if_valid(trace(started_at="2026-11-19T10:00:00")).tzinfo is not None


def test_only_the_three_required_fields_are_needed():
    assert trace_problem({"trace_id": "a", "agent": "bot", "started_at": "2026-11-19T10:00:00+01:00"}) is None


def test_problems_name_the_field():
    assert "agent" in trace_problem(trace(agent=None))
    assert "usage.input_tokens" in trace_problem(trace(usage={"input_tokens": -1}))
    assert "tool_calls[0].name" in trace_problem(trace(tool_calls=[{"ok": True}]))
    assert "sentiment" in trace_problem(trace(sentiment="angry"))
    assert "started_at" in trace_problem(trace(started_at="yesterday"))
    assert trace_problem([1, 2]) == "not a JSON object"
