"""What the agent imports: its deployed prompts and soul with their version, and trace recording.

    from optimizer.runtime import Runtime

    with Runtime.from_config("frontdesk") as runtime:
        active = runtime.load()                 # cached; falls back to the repo's files
        system_prompt = active.prompt("system")
        ...
        runtime.record({"session_id": ..., "messages": [...], "usage": {...}, ...})

``load`` reads the store (Supabase with the public key, or the local registry) at most once per
``ttl`` seconds. When the store is unreachable it serves the last version it read, and before
any read succeeded the repo's own files (version: the repo's HEAD commit), so the agent keeps
working. ``record`` fills in ``agent``, ``trace_id``, ``started_at`` and ``prompt_version`` (the
loaded version) when they are missing, checks the record against the trace contract, and writes
it to Supabase's optimizer_traces or a local JSONL file.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from optimizer.config import CONFIG_FILE, Settings, load_settings
from optimizer.deploy.local import LocalRegistry
from optimizer.deploy.registry import local_registry_path
from optimizer.deploy.stores import (
    UNREACHABLE,
    ActiveVersion,
    ArtifactStore,
    LocalArtifactStore,
    SupabaseArtifactStore,
    from_repo,
)
from optimizer.errors import OptimizerError
from optimizer.schemas import load_schema
from optimizer.timeutil import utc_now
from optimizer.traces.fastcheck import started_at_if_valid
from optimizer.traces.record import trace_problem
from optimizer.traces.sinks import JsonlTraceSink, SupabaseTraceSink, TraceSink
from optimizer.traces.supabase_client import credentials

CANONICAL_KEYS = frozenset(load_schema("trace")["properties"])  # the columns of optimizer_traces

__all__ = ["ActiveVersion", "Runtime", "TraceRejected"]


class TraceRejected(OptimizerError):
    """Raised when a record breaks the trace contract; nothing is written."""


class Runtime:
    """One agent's read path and trace writer."""

    def __init__(
        self,
        agent: str,
        *,
        store: ArtifactStore | None,
        sink: TraceSink,
        repo: Path | None = None,
        ttl: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.agent = agent
        self.store = store
        self.sink = sink
        self.repo = repo
        self.ttl = ttl
        self._clock = clock
        self._cached: ActiveVersion | None = None
        self._read_at: float | None = None
        self.last_error: str | None = None  # why the last read of the store failed, if it did

    @classmethod
    def from_config(cls, agent: str, repo: Path = Path(), env: Mapping[str, str] | None = None) -> Runtime:
        """Store and sink as optimizer.yaml in ``repo`` says: Supabase when ``deploy.target`` /
        ``traces.source`` is supabase (keys from the environment), else the local registry and
        a JSONL file ``<traces.path>/<agent>.jsonl``."""
        env = os.environ if env is None else env
        settings = load_settings(repo) if (repo / CONFIG_FILE).is_file() else Settings(repo=repo)
        return cls(agent, store=_store(settings, env), sink=_sink(settings, agent, env), repo=repo)

    def __enter__(self) -> Runtime:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self.sink.close()
        closer = getattr(self.store, "close", None)
        if closer is not None:
            closer()

    def load(self) -> ActiveVersion:
        """The active version: cached for ``ttl`` seconds; stale cache, then the repo's files, when
        the store cannot be read."""
        now = self._clock()
        if self._cached is not None and self._read_at is not None and now - self._read_at < self.ttl:
            return self._cached
        fresh = self._read_store()
        if fresh is not None:
            self._cached, self._read_at = fresh, now
            return fresh
        if self._cached is not None:
            return ActiveVersion(
                self.agent, self._cached.version, self._cached.soul, dict(self._cached.prompts), "cache"
            )
        if self.repo is None:
            raise OptimizerError(f"{self.agent}: no deployed version could be read and no repo to fall back to")
        return from_repo(self.repo, self.agent)

    def _read_store(self) -> ActiveVersion | None:
        if self.store is None:
            return None
        try:
            found = self.store.load(self.agent)
        except UNREACHABLE as err:
            self.last_error = str(err)
            return None
        self.last_error = (
            None if found is not None else f"nothing deployed for {self.agent} in {self.store.description}"
        )
        return found

    def record(self, trace: Mapping[str, Any]) -> dict[str, Any]:
        """Complete, check and write one trace; returns the record as written."""
        record = dict(trace)
        record.setdefault("agent", self.agent)
        record.setdefault("trace_id", str(uuid.uuid4()))
        record.setdefault("started_at", utc_now().isoformat())
        if record.get("prompt_version") is None:
            record["prompt_version"] = self.load().version
        unknown = sorted(set(record) - CANONICAL_KEYS)
        if unknown:
            raise TraceRejected(
                f"trace {record['trace_id']}: unknown field(s) {', '.join(unknown)}; put them in metadata"
            )
        if started_at_if_valid(record) is None:
            raise TraceRejected(f"trace {record['trace_id']}: {trace_problem(record) or 'breaks the trace schema'}")
        self.sink.write(record)
        return record


def _store(settings: Settings, env: Mapping[str, str]) -> ArtifactStore:
    if settings.deploy.target == "supabase":
        url, key = credentials(settings.supabase, anon=True, env=env)
        return SupabaseArtifactStore(url, key)
    return LocalArtifactStore(LocalRegistry(local_registry_path(settings)))


def _sink(settings: Settings, agent: str, env: Mapping[str, str]) -> TraceSink:
    if settings.traces_source == "supabase":
        url, key = credentials(settings.supabase, env=env)
        return SupabaseTraceSink(url, key)
    return JsonlTraceSink(settings.resolve_traces_path() / f"{agent}.jsonl")
