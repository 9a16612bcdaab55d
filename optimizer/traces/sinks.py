"""Where the agent's runtime writes its traces: a local JSONL file or Supabase's optimizer_traces.

Both take a record that already passed validation (optimizer.runtime checks it).
"""

from __future__ import annotations

import fcntl
from pathlib import Path
from typing import Any, Protocol

import httpx
import orjson
from postgrest.types import ReturnMethod
from supabase import Client, ClientOptions, create_client

from optimizer.traces.supabase_client import call

TABLE = "optimizer_traces"


class TraceSink(Protocol):
    description: str

    def write(self, record: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


class JsonlTraceSink:
    """Appends one line per trace; a lock keeps lines whole when several processes write."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.description = str(path)

    def write(self, record: dict[str, Any]) -> None:
        line = orjson.dumps(record) + b"\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("ab") as stream:
            fcntl.flock(stream, fcntl.LOCK_EX)
            try:
                stream.write(line)
                stream.flush()
            finally:
                fcntl.flock(stream, fcntl.LOCK_UN)

    def close(self) -> None:
        pass


class SupabaseTraceSink:
    """Inserts into optimizer_traces; a trace_id already there is left as it is (retries are safe)."""

    def __init__(self, url: str, key: str, timeout: float = 10.0) -> None:
        self.url = url
        self.description = f"Supabase {url}"
        self._http = httpx.Client(timeout=timeout)
        self._client: Client = create_client(url, key, ClientOptions(httpx_client=self._http))

    def write(self, record: dict[str, Any]) -> None:
        request = self._client.table(TABLE).upsert(
            record, on_conflict="trace_id", ignore_duplicates=True, returning=ReturnMethod.minimal
        )
        call("record a trace", self.url, request.execute)

    def close(self) -> None:
        self._http.close()
