"""Where the agent's runtime writes its traces: a local JSONL file or Supabase's optimizer_traces.

Both take batches of records that already passed validation (optimizer.runtime checks them) and
raise on failure; the runtime's background recorder counts what it could not write.
"""

from __future__ import annotations

import fcntl
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import orjson

from optimizer.traces.rest import RestClient

RECORD_FUNCTION = "optimizer_record_traces"  # supabase/migrations/20261203100000_optimizer_trace_writer.sql


class TraceSink(Protocol):
    description: str

    def write(self, records: Sequence[dict[str, Any]]) -> None: ...

    def close(self) -> None: ...


class JsonlTraceSink:
    """Appends one line per trace; a lock keeps lines whole when several processes write."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.description = str(path)

    def write(self, records: Sequence[dict[str, Any]]) -> None:
        lines = b"".join(orjson.dumps(record) + b"\n" for record in records)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("ab") as stream:
            fcntl.flock(stream, fcntl.LOCK_EX)
            try:
                stream.write(lines)
                stream.flush()
            finally:
                fcntl.flock(stream, fcntl.LOCK_UN)

    def close(self) -> None:
        pass


class SupabaseTraceSink:
    """Calls optimizer_record_traces with a batch: insert only, a trace_id already there is left as
    it is (retries are safe). ``key`` is the trace key (role optimizer_trace_writer), sent with the
    project's anon key as ``apikey``; the service-role key also works, but an agent never needs it."""

    def __init__(self, url: str, key: str, *, anon_key: str | None = None, timeout: float = 10.0) -> None:
        self._client = RestClient(url, anon_key or key, bearer=key, timeout=timeout)
        self.description = f"Supabase {self._client.host}"

    def write(self, records: Sequence[dict[str, Any]]) -> None:
        self._client.rpc("record traces", RECORD_FUNCTION, {"p_traces": list(records)})

    def close(self) -> None:
        self._client.close()
