"""The Supabase source's state, metrics and findings equal the JSONL path's on the same traces.

The traces go into a real PostgreSQL in file order; the Supabase path calls optimizer_analyze
through supabase-py and the PostgREST layer; the JSONL path streams the same records from a
file. Counts, rates and integer sums must be equal; floating sums and variances (added in a
different order) within 1e-9; latency sketches identical (the same buckets).
"""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.analysis.aggregate import AgentState, Aggregator, Samples
from optimizer.analysis.engine import analyze_agent
from optimizer.analysis.serialize import analysis_to_dict
from optimizer.artifacts.files import WorkingTreeFiles
from optimizer.config import SupabaseSettings, Thresholds, load_settings
from optimizer.propose.window import SelectionArgs, analyze_window, selection_from
from optimizer.traces.fastcheck import started_at_if_valid
from optimizer.traces.jsonl import JsonlReader
from optimizer.traces.supabase import SupabaseAnalysis
from tests.support.postgres import PROJECT, insert_traces

START = datetime(2026, 11, 19, tzinfo=UTC)
END = START + timedelta(days=1)
LOW = Thresholds(
    tool_failure_rate=0.1,
    tool_min_calls=3,
    repeated_error_min=2,
    knowledge_gap_min=1,
    escalation_rate=0.1,
    topic_escalation_rate=0.3,
    min_traces=5,
    regression_pct=1.0,
    regression_min_traces=3,
    negative_sentiment_rate=0.05,
    owner_correction_rate=0.05,
)

QUESTIONS = [
    "Can I bring my dog?",
    "Are pets allowed?",
    "Is the hotel dog friendly?",
    "Where can I park?",
    "Is parking included?",
    "What time is breakfast?",
    "Do you have a pool?",
    "Can I get a refund for ORD-88231?",
    "hi",
    "Wifi?",
    "I’d like to cancel booking 4411",
    "Kann ich meinen Hund mitbringen?",
]
ANSWERS = [
    "I'm sorry, I don't have information about that.",
    "I'm not sure about that, let me connect you with a colleague.",
    "I don't know if you saw, but breakfast is at 7.",  # not a non-answer
    "I'm not sure what you mean.",  # a clarifying question
    "Breakfast is from 7:30 to 10am.",
    "A colleague will get back to you shortly.",
    "That's outside my knowledge, sorry.",
    "I couldn't find a booking under that name.",
    "I’m not sure.",
    "I'll pass your question to a colleague.",
    "I DON'T KNOW, sorry!",
    "I don\u2019t \u212anow.",  # the Kelvin sign, which Python lowers to "k"
    "Yes, the pool is open from 8.",
]
ERRORS = [
    "Timeout after {n}ms calling availability service for room {room}",
    "Availability service returned 503 Service Unavailable",
    "HTTP 404 for booking '{ref}'",
    "Payment provider error: refund declined",
    "rate limited, retry in {n}s",
    "",
]
TOOLS = ["check_availability", "create_booking", "issue_refund"]
ROLLUPS = ("versions", "latency", "sentiments", "sessions", "topics", "tools", "failures", "flagged", "candidates")
ABSENT = object()
safe_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=0, max_size=30
)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.just(ABSENT), st.none(), strategy)


@st.composite
def error_text(draw: st.DrawFn) -> str:
    template = draw(st.sampled_from(ERRORS))
    return template.format(
        n=draw(st.integers(100, 5000)), room=draw(st.integers(100, 420)), ref=draw(st.sampled_from(["ABC12", "x9"]))
    )


tool_call = st.fixed_dictionaries(
    {"name": st.sampled_from(TOOLS)},
    optional={
        "ok": st.one_of(st.none(), st.booleans()),
        "error": st.one_of(st.none(), error_text()),
        "latency_ms": st.one_of(st.none(), st.just(0), st.integers(1, 9000), st.floats(0.5, 20000)),
    },
)
message = st.fixed_dictionaries(
    {"role": st.sampled_from(["user", "assistant", "system"])},
    optional={
        "content": st.one_of(st.none(), st.just(""), st.sampled_from(QUESTIONS), st.sampled_from(ANSWERS), safe_text),
        "at": st.none(),
    },
)
exchange = st.tuples(
    st.one_of(st.sampled_from(QUESTIONS), safe_text), st.lists(st.sampled_from(ANSWERS), min_size=1, max_size=2)
).map(lambda pair: [{"role": "user", "content": pair[0]}, *({"role": "assistant", "content": a} for a in pair[1])])
conversation = st.lists(st.one_of(exchange, st.lists(message, max_size=2)), min_size=1, max_size=3).map(
    lambda parts: [item for part in parts for item in part]
)
usage = st.fixed_dictionaries(
    {},
    optional={
        key: st.one_of(st.none(), st.integers(0, 5000), st.sampled_from([3.0, 0.0]))
        for key in ("input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")
    },
)


@st.composite
def started_at(draw: st.DrawFn) -> str:
    seconds = draw(st.one_of(st.sampled_from([-1, 0, 86399, 86400]), st.integers(-7200, 93600)))
    moment = START + timedelta(seconds=seconds, microseconds=draw(st.sampled_from([0, 250000])))
    style = draw(st.sampled_from(["Z", "+00:00", "+02:00", "naive"]))
    if style == "+02:00":
        return (moment + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S.%f") + "+02:00"
    text = moment.strftime("%Y-%m-%dT%H:%M:%S.%f")
    return text if style == "naive" else text + style


@st.composite
def trace(draw: st.DrawFn) -> dict[str, Any]:
    fields = {
        "session_id": maybe(st.sampled_from(["", "s1", "s2", "s3", "t-3"])),
        "prompt_version": maybe(st.sampled_from(["", "v1", "v2", "v3"])),
        "usage": maybe(usage),
        "cost_usd": maybe(st.one_of(st.just(0), st.integers(0, 2), st.floats(0, 0.2))),
        "latency_ms": maybe(st.one_of(st.just(0), st.integers(1, 10000), st.floats(0.5, 20000))),
        "tool_calls": maybe(st.lists(tool_call, max_size=3)),
        "messages": maybe(st.one_of(st.lists(message, max_size=6), conversation)),
        "escalated": maybe(st.booleans()),
        "owner_corrected": maybe(st.booleans()),
        "sentiment": maybe(st.sampled_from(["positive", "neutral", "negative", "unknown"])),
        "feedback": maybe(st.sampled_from(["up", "down"])),
        "error": maybe(
            st.sampled_from(
                [{}, {"type": "api_error"}, {"message": "Overloaded"}, {"message": "", "type": "x"}, {"type": None}]
            )
        ),
        "metadata": maybe(
            st.sampled_from([{}, {"topic": "pets"}, {"topic": "parking"}, {"topic": ""}, {"topic": 3}, {"a": 1}])
        ),
    }
    record: dict[str, Any] = {"agent": draw(st.sampled_from(["frontdesk", "concierge"]))}
    record["started_at"] = draw(started_at())
    for key, strategy in fields.items():
        value = draw(strategy)
        if value is not ABSENT:
            record[key] = value
    return record


traces = st.lists(trace(), min_size=1, max_size=60).map(
    lambda records: [{"trace_id": f"t-{n}", **record} for n, record in enumerate(records)]
)


# Windows with whole hours only (all from the rollups), partial hours at one or both ends (those
# traces aggregated on the fly), and one inside a single hour (no rollup at all).
windows = st.sampled_from(
    [
        (START, END),
        (START + timedelta(minutes=17), END),
        (START, END - timedelta(minutes=1, microseconds=1)),
        (START + timedelta(minutes=59, seconds=59), END - timedelta(hours=3, minutes=30)),
        (START + timedelta(hours=5, minutes=10), START + timedelta(hours=5, minutes=50)),
    ]
)


def jsonl_states(
    tmp: Path, records: list[dict[str, Any]], start: datetime = START, end: datetime = END
) -> dict[str, AgentState]:
    path = tmp / "traces.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    source = JsonlReader(path)
    aggregator = Aggregator()
    for started, record in source.read(start, end):
        aggregator.observe(record, started)
    assert source.report().skipped == 0
    return aggregator.agents


def supabase_states(rest: Any, start: datetime = START, end: datetime = END) -> dict[str, AgentState]:
    return SupabaseAnalysis(rest.url, rest.key("service_role"), SupabaseSettings()).aggregate(start, end)


def samples(value: Samples | None) -> tuple[list[str], list[str]] | None:
    return None if value is None else (value.trace_ids, value.excerpts)


def digest(state: AgentState) -> dict[str, Any]:
    """Everything the detectors read from the state, in comparable form."""
    return {
        "traces": state.traces,
        "versions": sorted(state.versions),
        "tool_failures": {name: samples(s) for name, s in state.tool_failures.items()},
        "error_groups": {
            key: (g.pattern, g.origin, g.count, samples(g.samples)) for key, g in state.error_groups.items()
        },
        "errors_dropped": state.errors_dropped,
        "unanswered": state.unanswered.clusters(),
        "unanswered_ignored": state.unanswered.ignored,
        "topic_traces": dict(state.topic_traces),
        "topic_escalations": {k: v for k, v in state.topic_escalations.items() if v},
        "escalation_samples": {k: samples(s) for k, s in state.escalation_samples.items()},
        "negative": samples(state.negative),
        "corrected": samples(state.corrected),
        "sketches": {
            name: (v.latency.count, v.latency.quantile(0.5), v.latency.quantile(0.95))
            for name, v in state.versions.items()
        },
    }


def assert_close(left: Any, right: Any, where: str = "") -> None:
    """Equal, except floats: within 1e-9 (sums and variances add up in another order in SQL)."""
    if isinstance(left, float) or isinstance(right, float):
        assert isinstance(left, int | float) and isinstance(right, int | float), where
        assert math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-12), f"{where}: {left} != {right}"
    elif isinstance(left, dict):
        assert isinstance(right, dict) and set(left) == set(right), f"{where}: {sorted(left)} != {sorted(right)}"
        for key in left:
            assert_close(left[key], right[key], f"{where}.{key}")
    elif isinstance(left, list | tuple):
        assert isinstance(right, list | tuple) and len(left) == len(right), f"{where}: {left} != {right}"
        for index, (a, b) in enumerate(zip(left, right, strict=True)):
            assert_close(a, b, f"{where}[{index}]")
    else:
        assert left == right, f"{where}: {left!r} != {right!r}"


def assert_same_analysis(expected: dict[str, AgentState], actual: dict[str, AgentState]) -> None:
    assert set(expected) == set(actual)
    for name in expected:
        assert digest(actual[name]) == digest(expected[name]), name
        want, got = analyze_agent(expected[name], None, LOW), analyze_agent(actual[name], None, LOW)
        assert_close([v.to_dict() for v in got.versions], [v.to_dict() for v in want.versions], f"{name}.versions")
        assert_close([f.to_dict() for f in got.findings], [f.to_dict() for f in want.findings], f"{name}.findings")


def test_generated_records_are_valid_traces():
    @given(traces)
    @settings(max_examples=50, deadline=None)
    def check(records):
        assert all(started_at_if_valid(record) is not None for record in records)

    check()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(records=traces, window=windows, batches=st.integers(1, 3))
def test_supabase_path_equals_jsonl_path(records, window, batches, database_url, rest, tmp_path_factory):
    """In several INSERT statements, so the hourly rollups merge what each one adds."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("truncate public.optimizer_traces restart identity")
        for table in ROLLUPS:
            conn.execute(f"truncate public.optimizer_rollup_{table}")
    size = -(-len(records) // batches)
    for first in range(0, len(records), size):
        insert_traces(database_url, records[first : first + size])
    expected = jsonl_states(tmp_path_factory.mktemp("jsonl"), records, *window)
    assert_same_analysis(expected, supabase_states(rest, *window))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=traces, window=windows)
def test_updates_and_deletes_keep_the_rollups_right(records, window, database_url, rest, tmp_path_factory):
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("truncate public.optimizer_traces restart identity")
        for table in ROLLUPS:
            conn.execute(f"truncate public.optimizer_rollup_{table}")
    insert_traces(database_url, records)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("delete from public.optimizer_traces where id % 3 = 0")
        conn.execute("update public.optimizer_traces set escalated = not coalesce(escalated, false) where id % 3 = 1")
    kept = [dict(r) for n, r in enumerate(records, 1) if n % 3 != 0]
    for n, record in zip((n for n in range(1, len(records) + 1) if n % 3 != 0), kept, strict=True):
        if n % 3 == 1:
            record["escalated"] = not record.get("escalated")
    expected = jsonl_states(tmp_path_factory.mktemp("jsonl"), kept, *window)
    assert_same_analysis(expected, supabase_states(rest, *window))


def test_the_shipped_example_gives_the_same_report_through_supabase(database_url, rest, tmp_path, monkeypatch):
    """The example agent's 2,700 traces: `analyze` through Supabase prints what the JSONL path prints."""
    files = sorted((PROJECT / "examples" / "traces").glob("*.jsonl"))
    records = [json.loads(line) for path in files for line in path.read_text().splitlines()]
    insert_traces(database_url, records)
    repo = tmp_path / "repo"
    for name in ("souls", "prompts"):
        shutil.copytree(PROJECT / name, repo / name)
    shutil.copy(PROJECT / "optimizer.yaml", repo / "optimizer.yaml")
    settings_jsonl = load_settings(repo)
    selection = selection_from(settings_jsonl, SelectionArgs(traces=PROJECT / "examples" / "traces"))
    jsonl, _ = analyze_window(settings_jsonl, WorkingTreeFiles(repo), selection)

    monkeypatch.setenv("SUPABASE_URL", rest.url)
    monkeypatch.setenv("SUPABASE_SERVICE_ROLE_KEY", rest.key("service_role"))
    settings_supabase = replace(settings_jsonl, traces_source="supabase")
    supabase, _ = analyze_window(settings_supabase, WorkingTreeFiles(repo), selection)

    want, got = analysis_to_dict(jsonl), analysis_to_dict(supabase)
    assert got["source"]["traces_in_window"] == want["source"]["traces_in_window"] == len(records)
    assert_close(got["agents"], want["agents"], "agents")
    kinds = {finding["kind"] for finding in got["agents"][0]["findings"]}
    assert {"tool_failure", "repeated_error", "knowledge_gap", "escalation", "cost_regression"} <= kinds
    assert rest.bytes_sent["table"] == 0  # no row was pulled through the table endpoint


def test_a_block_injected_twice_at_run_time_is_found_through_supabase_as_from_jsonl(database_url, rest, tmp_path):
    from tests.unit.runtime.test_injected_duplication import PLAYBOOKS, trace_after

    twice = "{{PLAYBOOKS}}\n\nRules.\n\n{{PLAYBOOKS}}\n"
    records = [
        {
            **trace_after(twice if n % 3 else "{{PLAYBOOKS}}\n", n, PLAYBOOKS=PLAYBOOKS),
            "started_at": f"{START:%Y-%m-%d}T0{n}:00:00Z",
        }
        for n in range(7)
    ]
    insert_traces(database_url, records)
    expected, actual = jsonl_states(tmp_path, records), supabase_states(rest)
    want, got = (
        [f.to_dict() for f in analyze_agent(states["frontdesk"], None, LOW).findings if f.kind == "prompt_duplication"]
        for states in (expected, actual)
    )
    assert got == want and len(got) == 1
    assert got[0]["figures"]["traces"] == 4 and got[0]["figures"]["wasted_tokens_in_window"] == 2000
