"""The agent's slim way to Supabase: PostgREST function calls over the standard library's http.client.

The agent's runtime makes two calls (read the active version, write a batch of traces). A plain
keep-alive connection keeps ``optimizer.runtime`` light: httpx would load click with it, supabase-py
a websocket and auth stack. Both calls are safe to repeat (a read; an insert that ignores a trace_id
already there), so a connection the server closed is retried once. Every failure becomes one
RestError line naming what was tried and the host, never the key.
"""

from __future__ import annotations

import http.client
import ssl
import threading
from typing import Any
from urllib.parse import urlsplit

import orjson

from optimizer.errors import OptimizerError

_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class RestError(OptimizerError):
    """Raised when Supabase cannot be reached, or refuses or fails a request."""


class RestClient:
    """POST /rest/v1/rpc/<function> with an API key (``apikey``) and a JWT naming the role (``bearer``).

    On Supabase the gateway checks ``apikey`` (a project key such as the anon key) and PostgREST
    runs the request as the role in ``bearer``: the agent sends the anon key and its trace key.
    One connection, used by one request at a time.
    """

    def __init__(self, url: str, key: str, *, bearer: str | None = None, timeout: float = 5.0) -> None:
        parts = urlsplit(url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise RestError(f"not an http(s) URL: {url!r}")
        self.host = parts.netloc
        self._https = parts.scheme == "https"
        self._prefix = f"{parts.path}/rest/v1/rpc/"
        self._timeout = timeout
        self._headers = {
            "apikey": key,
            "Authorization": f"Bearer {bearer or key}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        self._conn: http.client.HTTPConnection | None = None
        self._lock = threading.Lock()

    def rpc(self, what: str, function: str, args: dict[str, Any]) -> Any:
        body = orjson.dumps(args)
        with self._lock:
            status, data = self._post(what, self._prefix + function, body)
        if 200 <= status < 300:
            return orjson.loads(data) if data else None
        raise RestError(f"{what}: Supabase at {self.host} answered {status}: {_problem(data)}")

    def _post(self, what: str, path: str, body: bytes) -> tuple[int, bytes]:
        for attempt in (1, 2):
            conn = self._conn or self._connect()
            try:
                conn.request("POST", path, body, self._headers)
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as err:
                conn.close()
                self._conn = None
                if attempt == 1 and isinstance(err, _STALE):
                    continue  # the server closed an idle keep-alive connection: once more on a new one
                raise RestError(f"{what}: cannot reach Supabase at {self.host}: {type(err).__name__}: {err}") from err
            if response.will_close:
                conn.close()
                self._conn = None
            else:
                self._conn = conn
            return response.status, data
        raise AssertionError("unreachable")  # pragma: no cover

    def _connect(self) -> http.client.HTTPConnection:
        if self._https:
            return http.client.HTTPSConnection(self.host, timeout=self._timeout, context=_tls())
        return http.client.HTTPConnection(self.host, timeout=self._timeout)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def _tls() -> ssl.SSLContext:
    """The system's CAs, or certifi's when it is installed (as httpx does)."""
    try:
        import certifi
    except ImportError:
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())


def _problem(data: bytes) -> str:
    try:
        body = orjson.loads(data)
    except orjson.JSONDecodeError:
        return " ".join(data.decode("utf-8", "replace").split())[:200] or "no body"
    if isinstance(body, dict):
        return " ".join(f"{body.get('code', '')} {body.get('message', '')}".split())[:300]
    return str(body)[:200]
