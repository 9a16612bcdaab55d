"""No secret or personal data from traces reaches any output: `analyze` (both formats), `run
--dry-run --output DIR` (what it prints and every file), the run records, the log lines, and the
request sent to Claude. Each kind of the leak corpus rides in every field a trace carries text in.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from optimizer.render import markdown as md
from tests.fakes.anthropic_server import FakeAnthropic, tool_answer
from tests.fakes.claude_answers import PETS_FAQ, answer
from tests.support.leak_corpus import LEAKS, leak_texts

# Every detector speaks up on a handful of traces, so each piece of evidence is shown.
THRESHOLDS = """
thresholds:
  tool_failure_rate: 0.01
  tool_min_calls: 1
  repeated_error_min: 2
  knowledge_gap_min: 1
  escalation_rate: 0.01
  topic_escalation_rate: 0.01
  min_traces: 1
  negative_sentiment_rate: 0.01
  owner_correction_rate: 0.01
"""


def _traces(index: int, kind: str, text: str, value: str) -> list[str]:
    """Three traces carrying ``text`` in every free-text field, one carrying it in every field that
    names something (tool, version, topic, model, channel, session, error type), and one bad line
    carrying ``value`` alone where a timestamp belongs."""
    named = {
        "trace_id": f"named-{index}",
        "session_id": text,
        "agent": "frontdesk",
        "started_at": f"2026-11-19T09:{index % 60:02d}:00Z",
        "prompt_version": text,
        "model": text,
        "channel": text,
        "escalated": True,
        "metadata": {"topic": text},
        "tool_calls": [{"name": text, "ok": False, "error": "timeout"}],
        "error": {"type": text},
    }
    lines = [json.dumps(named, ensure_ascii=False)]
    for copy in range(3):
        lines.append(
            json.dumps(
                {
                    "trace_id": f"leak-{index}-{copy}",
                    "session_id": f"s-{index}-{copy}",
                    "agent": "frontdesk",
                    "started_at": f"2026-11-19T{10 + copy:02d}:{index % 60:02d}:00Z",
                    "prompt_version": "8a41d07",
                    "escalated": True,
                    "owner_corrected": True,
                    "sentiment": "negative",
                    "tool_calls": [{"name": f"tool_{index}", "ok": False, "error": f"case {index} failed: {text}"}],
                    "error": {"type": "AgentError", "message": f"crashed on {text}"},
                    "messages": [
                        {"role": "user", "content": f"{text} — what about it?"},
                        {"role": "assistant", "content": "I'm sorry, I don't know."},
                        {"role": "human", "content": f"Staff here: {text}"},
                        {"role": "owner", "content": f"Correction: {text}"},
                    ],
                },
                ensure_ascii=False,
            )
        )
    lines.append(json.dumps({"trace_id": f"bad-{index}", "agent": "frontdesk", "started_at": value}))
    return lines


@pytest.fixture
def leaky_repo(repo: Path) -> Path:
    traces = repo / "examples" / "traces" / "leaks.jsonl"
    lines = [line for i, (kind, text, value) in enumerate(leak_texts()) for line in _traces(i, kind, text, value)]
    traces.write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = repo / "optimizer.yaml"
    config.write_text(config.read_text() + THRESHOLDS)
    return repo


def _forms(value: str) -> set[str]:
    """The value as written, JSON-escaped, Markdown-escaped and HTML-escaped: a leak in any disguise."""
    return {
        value,
        json.dumps(value)[1:-1],
        md.text(value),
        md.html_text(value),
        re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~])", r"\\\1", value),
    }


def _leaks(outputs: dict[str, str]) -> list[str]:
    return [
        f"{kind} in {where}"
        for kind, _, value in LEAKS
        for where, text in outputs.items()
        if any(form in text for form in _forms(value))
    ]


def _registry_text(path: Path) -> str:
    """Every value of every row of the local registry, JSON decoded (so escapes cannot hide a value)."""
    connection = sqlite3.connect(path)
    try:
        tables = [row[0] for row in connection.execute("select name from sqlite_master where type = 'table'")]
        values = []
        for table in tables:
            for row in connection.execute(f"select * from {table}"):  # noqa: S608 (names from sqlite_master)
                for value in row:
                    try:
                        values.append(json.dumps(json.loads(value), ensure_ascii=False))
                    except (TypeError, ValueError):
                        values.append(str(value))
        return "\n".join(values)
    finally:
        connection.close()


def test_the_corpus_has_sixty_kinds_or_more():
    assert len(LEAKS) >= 60


def test_no_kind_reaches_analyze_run_files_or_records(leaky_repo, run_cli, tmp_path):
    outputs: dict[str, str] = {}
    for fmt in ("json", "markdown"):
        result = run_cli("analyze", "--repo", leaky_repo, "--format", fmt)
        assert result.code == 0, result.err
        outputs[f"analyze {fmt}"] = result.out + result.err
    json.loads(run_cli("analyze", "--repo", leaky_repo, "--format", "json").out)  # valid JSON, whatever the traces
    out = tmp_path / "out"
    result = run_cli("run", "--repo", leaky_repo, "--dry-run", "--analyst", "heuristic", "--output", out)
    assert result.code == 0, result.err
    outputs["run --dry-run"] = result.out + result.err
    for file in sorted(out.rglob("*")):
        if file.is_file():
            outputs[f"file {file.name}"] = file.read_text(encoding="utf-8")
    result = run_cli("run", "--repo", leaky_repo, "--analyst", "heuristic")
    assert result.code == 0, result.err
    outputs["run"] = result.out + result.err
    outputs["run records"] = _registry_text(leaky_repo / ".optimizer" / "registry.sqlite3")
    assert {"file pr-body.md", "file findings.json", "file proposals.json", "file changes.patch"} <= set(outputs)
    assert "secret\\]" in outputs["analyze markdown"] and "[name]" in outputs["file findings.json"]
    leaks = _leaks(outputs)
    assert leaks == [], f"{len(leaks)} leaks: " + "; ".join(leaks)
    shown = [i for i in range(len(LEAKS)) if f"case {i} failed: " in outputs["file findings.json"]]
    assert len(shown) == len(LEAKS)  # every kind was shown (masked) in the evidence, not left out


def test_no_kind_reaches_the_request_to_claude(leaky_repo, run_cli, monkeypatch):
    with FakeAnthropic() as api:
        api.script(tool_answer(answer(PETS_FAQ)))
        monkeypatch.setenv("ANTHROPIC_API_KEY", api.key)
        monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)
        result = run_cli("run", "--repo", leaky_repo, "--dry-run", "--analyst", "claude")
        sent = api.all_bytes().decode("utf-8")
    assert result.code == 0, result.err
    [analyst_call] = [m for m in api.messages if m.get("tool_choice", {}).get("name") == "submit_proposals"]
    request = json.dumps(json.loads(json.dumps(analyst_call)), ensure_ascii=False)
    assert "[secret]" in request
    leaks = _leaks({"request": request, "raw request": sent, "run": result.out + result.err})
    where = [request[max(0, request.find(v) - 300) : request.find(v) + 50] for _, _, v in LEAKS if v in request]
    assert leaks == [], f"{len(leaks)} leaks: " + "; ".join(leaks) + "\n" + "\n".join(where)
