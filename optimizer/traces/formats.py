"""Which reader a traces path needs, told by the files' content: OTLP/JSON export requests (a
first line holding ``resourceSpans``) or canonical trace records, one per line.

A directory is read as one kind: every .jsonl / .jsonl.gz below it in the canonical format, or
every .json / .jsonl (gzipped or not) that holds OTLP/JSON; both kinds in one directory is an error
(point --traces at one). A .json file that is not OTLP/JSON is not a trace file, as before.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Protocol

from optimizer.errors import TraceSourceError
from optimizer.models import SourceReport
from optimizer.traces.jsonl import JsonlReader, Progress, Trace, trace_files
from optimizer.traces.otlp_mapping import Prices

_SNIFF = 1 << 16  # bytes of the first line looked at
_FIRST_KEY = re.compile(rb'\{\s*"resourceSpans"\s*:')  # the Collector writes it first (it is the only key)
_SUFFIXES = (".json", ".json.gz", ".jsonl", ".jsonl.gz")


class TraceReader(Protocol):
    def read(self, start: datetime, end: datetime, agent: str | None = None) -> Iterator[Trace]: ...

    def report(self) -> SourceReport: ...


def open_reader(path: Path, progress: Progress | None = None, prices: Prices | None = None) -> TraceReader:
    """The reader for ``path``: OTLP/JSON when its files hold export requests, else canonical JSONL."""
    otlp = _otlp_files(path)
    if not otlp:
        return JsonlReader(path, progress)
    if path.is_dir():
        canonical = [f for f in trace_files_or_none(path) if f not in otlp]
        if canonical:
            raise TraceSourceError(
                f"{path}: holds both OTLP/JSON ({otlp[0].name}) and trace records ({canonical[0].name}): "
                "point --traces at a directory of one kind"
            )
    from optimizer.traces.otlp import OtlpReader  # loaded only for OTLP files

    return OtlpReader(otlp, str(path), progress, prices)


def trace_files_or_none(path: Path) -> list[Path]:
    try:
        return trace_files(path)
    except TraceSourceError:
        return []


def _otlp_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path] if is_otlp(path) else []
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(_SUFFIXES) and is_otlp(p))
    return []


def is_otlp(file: Path) -> bool:
    """True when the file's first non-blank line is an OTLP/JSON export request."""
    try:
        with file.open("rb") as raw:
            stream = gzip.GzipFile(fileobj=raw) if file.name.endswith(".gz") else raw
            head = stream.read(_SNIFF).lstrip()
    except (OSError, EOFError, zlib.error):
        return False  # the reader that opens it says what is wrong, with the line
    return _FIRST_KEY.match(head) is not None
