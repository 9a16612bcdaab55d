"""Reading the embedded default trace format: JSONL files (.jsonl, .jsonl.gz), a file or a directory.

Streams line by line, so memory does not grow with the file (but for one hash per trace id in the
window). A line that is not JSON, breaks the trace schema or repeats a trace id already read is
skipped and counted; the first few are kept as ``file:line: reason`` (a reason never quotes a value).
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, cast

import orjson

from optimizer.errors import TraceSourceError
from optimizer.models import SkippedLine, SourceReport
from optimizer.text.redact import redact
from optimizer.traces.fastcheck import started_at_if_valid
from optimizer.traces.record import trace_problem

Trace = tuple[datetime, dict[str, Any]]  # (started_at, the record)
Progress = Callable[[int, int], None]  # (bytes read so far, total bytes)
MAX_SKIPPED_EXAMPLES = 5
_PROGRESS_EVERY = 8 << 20  # bytes


def trace_files(path: Path) -> list[Path]:
    """The trace files at ``path``: the file itself, or every .jsonl / .jsonl.gz below the directory."""
    if path.is_file():
        return [path]
    if path.is_dir():
        found = sorted(p for p in path.rglob("*") if p.is_file() and _is_trace_file(p))
        if not found:
            raise TraceSourceError(f"{path}: no .jsonl or .jsonl.gz files in this directory")
        return found
    if path.exists():
        raise TraceSourceError(f"{path}: not a regular file or a directory (a FIFO or a device?); give a .jsonl file")
    raise TraceSourceError(f"{path}: traces path does not exist (set traces.path in optimizer.yaml or --traces)")


def _is_trace_file(path: Path) -> bool:
    return path.name.endswith((".jsonl", ".jsonl.gz"))


@dataclass(frozen=True)
class _Selection:
    start: datetime
    end: datetime
    agent: str | None


@dataclass
class SkippedLines:
    """The lines (or spans, or traces) a reader skipped: how many, and the first few, each named by file and line."""

    count: int = 0
    examples: list[SkippedLine] = field(default_factory=list)

    def add(self, file: str, line: int, reason: str) -> None:
        self.count += 1
        if len(self.examples) < MAX_SKIPPED_EXAMPLES:
            self.examples.append(SkippedLine(file, line, reason[:200]))


class JsonlReader:
    """Reads valid traces of one window (and optionally one agent) from JSONL files."""

    def __init__(self, path: Path, progress: Progress | None = None) -> None:
        self.path = path
        self._progress = progress
        self._files = 0
        self._lines = 0
        self._in_window = 0
        self._skips = SkippedLines()
        self._line_number = 0
        self._bytes_total = 0
        self._bytes_before = 0
        self._seen_ids: set[int] = set()  # hashes of the trace ids in the window: a repeat is counted once

    def read(self, start: datetime, end: datetime, agent: str | None = None) -> Iterator[Trace]:
        """Yield (started_at, record) for each valid trace with ``start <= started_at < end``
        (and of ``agent``, when given)."""
        files = trace_files(self.path)
        self._seen_ids = set()
        self._bytes_total = sum(f.stat().st_size for f in files)
        self._bytes_before = 0
        for file in files:
            self._files += 1
            yield from self._read_file(file, _Selection(start, end, agent))
            self._bytes_before += file.stat().st_size
        if self._progress:
            self._progress(self._bytes_total, self._bytes_total)

    def report(self) -> SourceReport:
        return SourceReport(
            description=str(self.path),
            files=self._files,
            lines=self._lines,
            traces_in_window=self._in_window,
            skipped=self._skips.count,
            skipped_examples=tuple(self._skips.examples),
        )

    def _read_file(self, file: Path, selection: _Selection) -> Iterator[Trace]:
        self._line_number = 0
        try:
            with file.open("rb") as raw:
                stream = cast(IO[bytes], gzip.GzipFile(fileobj=raw) if file.name.endswith(".gz") else raw)
                yield from self._read_lines(stream, raw, str(file), selection)
        except (OSError, EOFError, zlib.error) as err:
            raise TraceSourceError(f"{file}: cannot read after line {self._line_number}: {err}") from err

    def _read_lines(self, stream: IO[bytes], raw: IO[bytes], name: str, selection: _Selection) -> Iterator[Trace]:
        # The hot loop: one JSON parse and one schema check per line, nothing else held; what it
        # reads per line is in locals, the counts are written back once at the end.
        next_report = _PROGRESS_EVERY
        progress = self._progress
        start, end, agent = selection.start, selection.end, selection.agent
        seen_ids = self._seen_ids
        loads, decode_error, valid_start = orjson.loads, orjson.JSONDecodeError, started_at_if_valid
        lines = in_window = number = 0
        try:
            for number, line in enumerate(stream, 1):
                try:
                    record = loads(line)
                except decode_error as err:
                    if line.strip():  # a blank line is no trace, and no error either
                        lines += 1
                        self._skip(name, number, f"not valid JSON ({redact(str(err))})")
                    continue
                lines += 1
                started = valid_start(record)
                if started is None:
                    self._skip(name, number, trace_problem(record) or "breaks the trace schema")
                    continue
                if start <= started < end and (agent is None or record["agent"] == agent):
                    seen = len(seen_ids)
                    seen_ids.add(hash(record["trace_id"]))
                    if len(seen_ids) == seen:
                        self._skip(name, number, "trace_id already read in this window: a duplicate, counted once")
                        continue
                    in_window += 1
                    yield started, record
                if progress and raw.tell() >= next_report:
                    next_report = raw.tell() + _PROGRESS_EVERY
                    progress(self._bytes_before + raw.tell(), self._bytes_total)
        finally:
            self._line_number = number
            self._lines += lines
            self._in_window += in_window

    def _skip(self, file: str, line: int, reason: str) -> None:
        self._skips.add(file, line, reason)
