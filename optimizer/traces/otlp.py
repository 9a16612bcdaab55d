"""Reading OTLP/JSON files as the OpenTelemetry Collector's file exporter writes them: one export
request per line (.json, .jsonl, gzipped or not), folded into trace records (otlp_fold).

Streaming in bounded memory: the spans of a trace may come over several lines (each line is one
batch of ended spans, and a root span ends last), so spans wait by trace id until the trace's root
span has arrived, and are folded at the end of that line. At most ``max_open_traces`` traces and
``max_spans`` spans wait at once; past either, the oldest trace is dropped, and every trace that
is dropped, or whose root never arrives, is skipped and counted like a bad line. A span that comes
after its trace was folded is counted too (the last ``max_open_traces`` folded ids are kept).
"""

from __future__ import annotations

import gzip
import zlib
from collections import OrderedDict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, cast

import orjson

from optimizer.errors import TraceSourceError
from optimizer.models import SourceReport
from optimizer.text.redact import redact
from optimizer.traces.jsonl import Progress, SkippedLines, Trace
from optimizer.traces.otlp_fold import Turn, fold
from optimizer.traces.otlp_mapping import Prices
from optimizer.traces.otlp_spans import Span, SpanProblem, spans_of

MAX_OPEN_TRACES = 10_000
MAX_SPANS = 200_000
_PROGRESS_EVERY = 8 << 20  # bytes


@dataclass
class _Open:
    """A trace whose root span has not arrived yet."""

    file: str
    line: int  # of its first span
    spans: list[Span] = field(default_factory=list)
    rooted: bool = False


class OtlpReader:
    """Reads the turns of one window (and optionally one agent) from OTLP/JSON files."""

    def __init__(
        self,
        files: list[Path],
        description: str,
        progress: Progress | None = None,
        prices: Prices | None = None,
        *,
        max_open_traces: int = MAX_OPEN_TRACES,
        max_spans: int = MAX_SPANS,
    ) -> None:
        self.files = files
        self._description = description
        self._progress = progress
        self._prices = prices or {}
        self._max_open = max_open_traces
        self._max_spans = max_spans
        self._lines = self._spans = self._turns = self._in_window = self._incomplete = 0
        self._skips = SkippedLines()
        self._open: OrderedDict[str, _Open] = OrderedDict()
        self._buffered = 0
        self._folded: set[str] = set()
        self._folded_order: deque[str] = deque()
        self._seen: set[int] = set()  # hashes of the trace ids in the window, as the JSONL reader keeps them

    def read(self, start: datetime, end: datetime, agent: str | None = None) -> Iterator[Trace]:
        """Yield (started_at, record) for each turn with ``start <= started_at < end`` (and of ``agent``)."""
        total = sum(f.stat().st_size for f in self.files)
        before = 0
        for file in self.files:
            for turn in self._read_file(file, before, total):
                record = turn.record
                if not (start <= turn.started < end and (agent is None or record["agent"] == agent)):
                    continue
                seen = len(self._seen)
                self._seen.add(hash(record["trace_id"]))
                if len(self._seen) == seen:
                    self._skip(str(file), turn.line, f"trace {record['trace_id']} read twice: counted once")
                    continue
                self._in_window += 1
                yield turn.started, record
            before += file.stat().st_size
        for trace_id, waiting in self._open.items():
            self._incomplete += 1
            self._skip(waiting.file, waiting.line, f"trace {trace_id}: its root span never arrived")
        self._open.clear()
        if self._progress:
            self._progress(total, total)

    def report(self) -> SourceReport:
        summary = f"OTLP/JSON: {self._spans} span(s) in {self._turns} turn(s), {self._incomplete} trace(s) incomplete"
        return SourceReport(
            description=f"{self._description} ({summary})",
            files=len(self.files),
            lines=self._lines,
            traces_in_window=self._in_window,
            skipped=self._skips.count,
            skipped_examples=tuple(self._skips.examples),
        )

    def _read_file(self, file: Path, before: int, total: int) -> Iterator[Turn]:
        number = 0
        try:
            with file.open("rb") as raw:
                stream = cast(IO[bytes], gzip.GzipFile(fileobj=raw) if file.name.endswith(".gz") else raw)
                next_report = _PROGRESS_EVERY
                for number, line in enumerate(stream, 1):
                    yield from self._read_line(line, str(file), number)
                    if self._progress and raw.tell() >= next_report:
                        next_report = raw.tell() + _PROGRESS_EVERY
                        self._progress(before + raw.tell(), total)
        except (OSError, EOFError, zlib.error) as err:
            raise TraceSourceError(f"{file}: cannot read after line {number}: {err}") from err

    def _read_line(self, line: bytes, name: str, number: int) -> Iterator[Turn]:
        try:
            request = orjson.loads(line)
        except orjson.JSONDecodeError as err:
            if line.strip():
                self._lines += 1
                self._skip(name, number, f"not valid JSON ({redact(str(err))})")
            return
        self._lines += 1
        touched: list[str] = []
        for span in spans_of(request, number):
            if isinstance(span, SpanProblem):
                self._skip(name, number, str(span))
                continue
            self._spans += 1
            if self._add(span, name, number):
                touched.append(span.trace_id)
        for trace_id in dict.fromkeys(touched):
            waiting = self._open.get(trace_id)
            if waiting is not None and waiting.rooted:
                yield from self._fold(trace_id, waiting)
        self._bound()

    def _add(self, span: Span, name: str, number: int) -> bool:
        """Buffer ``span`` under its trace; False when its trace was already folded (a late span)."""
        if span.trace_id in self._folded:
            self._skip(name, number, f"trace {span.trace_id}: a span arrived after the trace's root was folded")
            return False
        waiting = self._open.get(span.trace_id)
        if waiting is None:
            waiting = self._open[span.trace_id] = _Open(name, number)
        waiting.spans.append(span)
        waiting.rooted = waiting.rooted or span.parent_id is None
        self._buffered += 1
        return True

    def _fold(self, trace_id: str, waiting: _Open) -> Iterator[Turn]:
        del self._open[trace_id]
        self._buffered -= len(waiting.spans)
        self._remember(trace_id)
        for result in fold(waiting.spans, self._prices):
            if isinstance(result, Turn):
                self._turns += 1
                yield result
            else:
                self._skip(waiting.file, result.line, result.reason)

    def _remember(self, trace_id: str) -> None:
        self._folded.add(trace_id)
        self._folded_order.append(trace_id)
        if len(self._folded_order) > self._max_open:
            self._folded.discard(self._folded_order.popleft())

    def _bound(self) -> None:
        while self._open and (len(self._open) > self._max_open or self._buffered > self._max_spans):
            trace_id, waiting = self._open.popitem(last=False)
            self._buffered -= len(waiting.spans)
            self._incomplete += 1
            self._remember(trace_id)
            self._skip(
                waiting.file,
                waiting.line,
                f"trace {trace_id}: dropped before its root span arrived ({self._max_open} traces or "
                f"{self._max_spans} spans were waiting)",
            )

    def _skip(self, file: str, line: int, reason: str) -> None:
        self._skips.add(file, line, reason)
