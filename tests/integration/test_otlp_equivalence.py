"""The same conversations as canonical JSONL and as OTLP/JSON (spans the OpenTelemetry SDK made,
written as the Collector's file exporter writes them) give the same metrics, findings and proposals."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.cli import main
from optimizer.pricing import BUILTIN_PRICES
from tests.support.example_repo import make_example_repo
from tests.support.otlp_export import otel_trace_id, write_otlp

PROJECT = Path(__file__).resolve().parents[2]
NOW = "2026-11-20T00:00:00Z"
WINDOW_START = datetime(2026, 11, 17, tzinfo=UTC)


def cli(*args: str | Path) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([str(arg) for arg in args])
    return code, out.getvalue()


def analyze(repo: Path, traces: Path) -> dict[str, Any]:
    code, out = cli("analyze", "--repo", repo, "--traces", traces, "--now", NOW, "--window-hours", 72, "--format=json")
    assert code == 0
    return json.loads(out)


def renamed(text: str, ids: dict[str, str]) -> str:
    """The canonical run's output with each trace id as the OTLP file carries it."""
    for canonical, hex_id in ids.items():
        text = text.replace(canonical, hex_id)
    return text


def example_records() -> list[dict[str, Any]]:
    files = sorted((PROJECT / "examples" / "traces").glob("*.jsonl"))
    return [orjson.loads(line) for file in files for line in file.read_bytes().splitlines() if line.strip()]


def test_the_example_conversations_as_otlp_give_the_same_findings_and_proposals(tmp_path, monkeypatch):
    for key in ("GIT_AUTHOR", "GIT_COMMITTER"):
        monkeypatch.setenv(f"{key}_NAME", "Ada")
        monkeypatch.setenv(f"{key}_EMAIL", "ada@example.com")
    records = example_records()
    repo = make_example_repo(tmp_path)
    (tmp_path / "otel").mkdir()
    otlp = write_otlp(tmp_path / "otel" / "traces.json.gz", records)
    ids = {r["trace_id"]: otel_trace_id(r["trace_id"]) for r in records}

    canonical, from_otlp = analyze(repo, repo / "examples" / "traces"), analyze(repo, otlp)
    assert from_otlp["source"]["traces_in_window"] == canonical["source"]["traces_in_window"] == len(records)
    assert from_otlp["source"]["skipped"] == 0
    assert from_otlp["agents"] == json.loads(renamed(json.dumps(canonical["agents"]), ids))
    assert any(agent["findings"] for agent in canonical["agents"])

    outputs = {}
    for name, traces in (("jsonl", repo / "examples" / "traces"), ("otlp", otlp)):
        out = tmp_path / name
        code, _ = cli(
            "run", "--repo", repo, "--traces", traces, "--now", NOW, "--window-hours", 72,
            "--dry-run", "--analyst", "heuristic", "--output", out,
        )  # fmt: skip
        assert code == 0
        outputs[name] = {file: (out / file).read_text() for file in ("proposals.json", "findings.json")}
    for file, text in outputs["jsonl"].items():
        expected, got = json.loads(renamed(text, ids)), json.loads(outputs["otlp"][file])
        if file == "proposals.json":
            assert expected["proposals"]
            del expected["commits"], got["commits"]  # each run commits its edits anew (times differ)
        else:
            del expected["source"], got["source"]  # what was read: three JSONL files, one OTLP file
        assert got == expected
    assert subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True).stdout == ""


# Conversations as the trace schema allows them, less what OTLP cannot say: a latency is a span's
# duration (always there), and a turn with tokens of a priced model but no cost is priced.
_HEX = st.text("0123456789abcdef", min_size=32, max_size=32).filter(lambda s: s.strip("0"))
_TEXT = st.sampled_from(["Can I bring my dog?", "What time is breakfast?", "I'm not sure.", "", "Thanks!"])
_TOOL = st.fixed_dictionaries(
    {"name": st.sampled_from(["lookup_booking", "check_availability"]), "latency_ms": st.integers(0, 5000)},
    optional={
        "ok": st.none() | st.booleans(),
        "error": st.none() | st.sampled_from(["Timeout after 3000ms", "HTTP 503 from PMS"]),
        "retry": st.booleans(),
    },
)
_MESSAGE = st.fixed_dictionaries(
    {"role": st.sampled_from(["user", "assistant", "human", "owner"]), "content": st.none() | _TEXT}
)
_USAGE = st.fixed_dictionaries(
    {},
    optional={
        key: st.integers(0, 50_000)
        for key in ("input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")
    },
)


@st.composite
def conversation_turn(draw: st.DrawFn) -> dict[str, Any]:
    model = draw(st.sampled_from(["claude-sonnet-4-5", "claude-haiku-4-5", "in-house-llm", None]))
    priced = model in BUILTIN_PRICES
    started = WINDOW_START + timedelta(microseconds=draw(st.integers(0, 3 * 86_400 * 10**6 - 1)))
    record: dict[str, Any] = {
        "trace_id": draw(_HEX),
        "agent": draw(st.sampled_from(["frontdesk", "concierge"])),
        "started_at": started.isoformat(),
        "latency_ms": draw(st.integers(0, 60_000) | st.sampled_from([12.5, 801.25])),
        "model": model,
        "usage": draw(st.none() | _USAGE),
        "cost_usd": draw(st.floats(0, 1, allow_nan=False) if priced else st.none() | st.floats(0, 1)),
    }
    optional = {
        "session_id": st.sampled_from(["s-1", "s-2", "s-3"]),
        "prompt_version": st.sampled_from(["v1", "v2"]),
        "channel": st.sampled_from(["web", "email"]),
        "tool_calls": st.lists(_TOOL, max_size=3),
        "messages": st.lists(_MESSAGE, max_size=4),
        "escalated": st.booleans(),
        "owner_corrected": st.booleans(),
        "sentiment": st.sampled_from(["positive", "neutral", "negative", "unknown"]),
        "feedback": st.sampled_from(["up", "down"]),
        "error": st.fixed_dictionaries({"type": st.none() | st.just("Overloaded"), "message": st.none() | _TEXT}),
        "metadata": st.fixed_dictionaries({"topic": st.sampled_from(["pets", "breakfast", "parking"])}),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            record[key] = draw(strategy)
    return record


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    records=st.lists(conversation_turn(), min_size=1, max_size=25, unique_by=lambda r: r["trace_id"]),
    style=st.sampled_from(["genai", "openinference"]),
    batch=st.sampled_from([1, 3, 64]),
)
def test_any_conversations_as_otlp_give_the_same_metrics_and_findings(tmp_path_factory, records, style, batch):
    folder = tmp_path_factory.mktemp("same")
    canonical = folder / "traces.jsonl"
    canonical.write_bytes(b"".join(orjson.dumps(record) + b"\n" for record in records))
    otlp = write_otlp(folder / "otel.json", records, batch=batch, style=style)

    expected, got = analyze(folder, canonical), analyze(folder, otlp)
    assert got["source"]["skipped"] == expected["source"]["skipped"] == 0
    assert got["window"] == expected["window"]
    assert got["agents"] == expected["agents"]
