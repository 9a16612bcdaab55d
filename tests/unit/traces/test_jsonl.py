"""The JSONL source: streaming, .gz, directories, skipped lines, the window."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from optimizer.errors import TraceSourceError
from optimizer.traces.jsonl import JsonlReader
from tests.support.builders import trace

START = datetime(2026, 11, 19, tzinfo=UTC)
END = datetime(2026, 11, 20, tzinfo=UTC)


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def read_all(path: Path, agent: str | None = None) -> tuple[list[dict], JsonlReader]:
    source = JsonlReader(path)
    return [record for _started, record in source.read(START, END, agent)], source


def test_reads_a_file_and_counts_lines(tmp_path):
    path = write_jsonl(tmp_path / "t.jsonl", [json.dumps(trace()) for _ in range(3)])
    traces, source = read_all(path)
    assert len(traces) == 3
    report = source.report()
    assert (report.files, report.lines, report.traces_in_window, report.skipped) == (1, 3, 3, 0)


def test_bad_lines_are_skipped_counted_and_named(tmp_path):
    lines = [json.dumps(trace()), "{not json", json.dumps(trace(agent=None)), "", json.dumps(trace())]
    path = write_jsonl(tmp_path / "t.jsonl", lines)
    traces, source = read_all(path)
    report = source.report()
    assert len(traces) == 2
    assert report.skipped == 2
    assert [str(s).split(": ")[0] for s in report.skipped_examples] == [f"{path}:2", f"{path}:3"]
    assert "not valid JSON" in report.skipped_examples[0].reason
    assert "agent" in report.skipped_examples[1].reason


def test_only_the_first_five_skipped_lines_are_kept_but_all_are_counted(tmp_path):
    path = write_jsonl(tmp_path / "t.jsonl", ["[]"] * 12)
    _traces, source = read_all(path)
    assert source.report().skipped == 12
    assert len(source.report().skipped_examples) == 5


def test_gzip_and_directories(tmp_path):
    (tmp_path / "a").mkdir()
    write_jsonl(tmp_path / "a" / "one.jsonl", [json.dumps(trace())])
    with gzip.open(tmp_path / "a" / "two.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write(json.dumps(trace()) + "\n" + json.dumps(trace()) + "\n")
    (tmp_path / "a" / "notes.txt").write_text("not a trace file")
    traces, source = read_all(tmp_path)
    assert len(traces) == 3
    assert source.report().files == 2


def test_window_bounds_and_agent_selection(tmp_path):
    lines = [
        json.dumps(trace(started_at="2026-11-18T23:59:59Z")),
        json.dumps(trace(started_at="2026-11-19T00:00:00Z")),
        json.dumps(trace(started_at="2026-11-20T00:00:00Z")),
        json.dumps(trace(started_at="2026-11-19T12:00:00", agent="other")),  # naive: taken as UTC
    ]
    path = write_jsonl(tmp_path / "t.jsonl", lines)
    assert [t["started_at"] for t in read_all(path)[0]] == ["2026-11-19T00:00:00Z", "2026-11-19T12:00:00"]
    assert [t["agent"] for t in read_all(path, agent="other")[0]] == ["other"]


def test_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(TraceSourceError, match="does not exist"):
        read_all(tmp_path / "nope")


def test_directory_without_trace_files_is_a_clear_error(tmp_path):
    (tmp_path / "readme.txt").write_text("x")
    with pytest.raises(TraceSourceError, match=r"no \.jsonl"):
        read_all(tmp_path)


def test_corrupt_gzip_stops_with_the_file_named(tmp_path):
    path = tmp_path / "bad.jsonl.gz"
    path.write_bytes(gzip.compress((json.dumps(trace()) + "\n").encode() * 50)[:-30])
    with pytest.raises(TraceSourceError, match=r"bad\.jsonl\.gz"):
        read_all(path)


def test_progress_is_reported_to_the_callback(tmp_path):
    path = write_jsonl(tmp_path / "t.jsonl", [json.dumps(trace())])
    seen: list[tuple[int, int]] = []
    list(JsonlReader(path, progress=lambda done, total: seen.append((done, total))).read(START, END))
    assert seen[-1] == (path.stat().st_size, path.stat().st_size)
