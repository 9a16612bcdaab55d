"""The Runtime: one agent's read path (cached, pinned per conversation) and its background trace writer."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import optimizer
from optimizer.errors import OptimizerError
from optimizer.runtime.active import ActiveVersion
from optimizer.runtime.cache import VersionCache
from optimizer.runtime.otel_spans import stamp_current_span
from optimizer.runtime.recorder import MAX_QUEUE, RecorderStats, TraceRecorder
from optimizer.runtime.sessions import MAX_SESSIONS, SessionPins
from optimizer.runtime.stores import ArtifactStore
from optimizer.timeutil import utc_now
from optimizer.traces.fastcheck import started_at_if_valid
from optimizer.traces.record import trace_problem
from optimizer.traces.sinks import TraceSink

# The columns of optimizer_traces, read without jsonschema (it is heavy to import).
_TRACE_SCHEMA = Path(optimizer.__file__).parent / "schemas" / "trace.schema.json"
CANONICAL_KEYS = frozenset(json.loads(_TRACE_SCHEMA.read_text(encoding="utf-8"))["properties"])
DEFAULT_TTL = 60.0


class TraceRejected(OptimizerError):
    """Raised when a record breaks the trace contract; nothing is written."""


class Runtime:
    """One agent's deployed version and trace recording; safe to share between threads."""

    def __init__(
        self,
        agent: str,
        *,
        store: ArtifactStore | None,
        sink: TraceSink,
        fallback: Path | None = None,
        ttl: float = DEFAULT_TTL,
        max_sessions: int = MAX_SESSIONS,
        max_queue: int = MAX_QUEUE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.agent = agent
        self.store = store
        self.sink = sink
        self._cache = VersionCache(agent, store, ttl=ttl, fallback=fallback, clock=clock)
        self._sessions = SessionPins(max_sessions)
        self._recorder = TraceRecorder(sink, max_queue=max_queue)
        self._last: ActiveVersion | None = None  # what load() without a session gave last

    @classmethod
    def from_config(cls, agent: str, repo: Path = Path(), env: Mapping[str, str] | None = None) -> Runtime:
        """Store, sink, TTL and fallback as ``<repo>/optimizer.yaml`` says (optimizer.runtime.setup)."""
        from optimizer.runtime.setup import runtime_parts  # the config reader loads only when it is used

        parts = runtime_parts(agent, repo, env)
        return cls(agent, store=parts.store, sink=parts.sink, fallback=parts.fallback, ttl=parts.ttl)

    def __enter__(self) -> Runtime:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def ttl(self) -> float:
        return self._cache.ttl

    @property
    def last_error(self) -> str | None:
        """Why the last read of the store failed (or that nothing is deployed), else None."""
        return self._cache.last_error

    @property
    def store_reads(self) -> int:
        """How many times the store was asked: at most once per ``ttl``, fewer while it is down."""
        return self._cache.reads

    def load(self, session_id: str | None = None) -> ActiveVersion:
        """The version a conversation runs with: the session's pinned version, else the active one
        (pinned to ``session_id`` from now on). Never waits on the store once it has a version."""
        if session_id is not None:
            pinned = self._sessions.get(session_id)
            if pinned is not None:
                return stamp_current_span(pinned)
            return stamp_current_span(self._sessions.pin(session_id, self._cache.current()))
        self._last = self._cache.current().for_session(None)
        return stamp_current_span(self._last)

    def end_session(self, session_id: str) -> None:
        """Forget a finished conversation's pin (the oldest pins are forgotten anyway past ``max_sessions``)."""
        self._sessions.end(session_id)

    def wait_for_refresh(self, timeout: float | None = None) -> None:
        """Wait for a background read of the store in flight (tests, and a deploy hook that wants it now)."""
        self._cache.wait(timeout)

    def record(self, trace: Mapping[str, Any]) -> dict[str, Any]:
        """Complete and check one trace, and queue it for writing; returns the record as queued.

        The version is the one the session was loaded with (else the last ``load()``), however
        long ago; a broken record raises TraceRejected. Writing happens in the background and never
        raises here: what cannot be written is dropped and counted (``stats()``).
        """
        record = dict(trace)
        record.setdefault("agent", self.agent)
        if "trace_id" not in record:
            record["trace_id"] = str(uuid.uuid4())
        if "started_at" not in record:
            record["started_at"] = utc_now().isoformat()
        active = self._version_of(record.get("session_id"))
        if active is not None:
            stamp_current_span(active)
            if record.get("prompt_version") is None:
                record["prompt_version"] = active.version
            extra = active.trace_metadata()
            given = record.get("metadata")
            if extra and (given is None or isinstance(given, dict)):
                record["metadata"] = {**extra, **(given or {})}
        _check(record)
        self._recorder.submit(record)
        return record

    def _version_of(self, session_id: object) -> ActiveVersion | None:
        if isinstance(session_id, str):
            pinned = self._sessions.get(session_id)
            if pinned is not None:
                return pinned
        # Never a read of the store here: a trace recorded before any load() has no version to carry.
        return self._last or self._cache.peek()

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every recorded trace is written or dropped; False when ``timeout`` ran out."""
        return self._recorder.flush(timeout)

    def stats(self) -> RecorderStats:
        """Traces submitted, written, dropped (queue full, write failed) and pending."""
        return self._recorder.stats()

    def close(self) -> None:
        """Flush and stop the writer (logging its counts), close the sink and the store."""
        self._recorder.close()
        self._cache.wait(5.0)
        self.sink.close()
        if self.store is not None:
            self.store.close()


def _check(record: dict[str, Any]) -> None:
    unknown = sorted(set(record) - CANONICAL_KEYS)
    if unknown:
        raise TraceRejected(f"trace {record['trace_id']}: unknown field(s) {', '.join(unknown)}; put them in metadata")
    if started_at_if_valid(record) is None:
        raise TraceRejected(f"trace {record['trace_id']}: {trace_problem(record) or 'breaks the trace schema'}")
