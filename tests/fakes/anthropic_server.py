"""A local Messages API for tests: the real anthropic SDK talks to it over HTTP via ``base_url``.

It speaks the wire format of ``POST /v1/messages`` and ``POST /v1/messages/count_tokens``:
message objects with content blocks and usage (cache writes and reads included), errors as
``{"type": "error", "error": {"type", "message"}}`` with their status codes. It checks what the
real API checks that matters here (the key, at most four cache breakpoints, a forced tool that
exists, a tool_result for every tool_use), records every request, and answers from a script.

Tokens are counted with a word-and-punctuation tokenizer: not Claude's, but deterministic and of
the same order, and the same count serves count_tokens and the usage of a message. Prompt caching
works like the API's: a prefix (tools, system, messages) up to a ``cache_control`` breakpoint is
written on first sight when long enough, and read on a later request with the same prefix.

Retryable errors carry ``retry-after-ms: 1``: the SDK honours a positive value and falls back to
its own backoff (0.5 s and up) on ``0``, so 1 ms keeps the retry tests fast.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_TOKEN = re.compile(r"[A-Za-z]+|[0-9]{1,3}|[^\sA-Za-z0-9]")
MAX_BREAKPOINTS = 4


def count_text(text: str) -> int:
    return len(_TOKEN.findall(text))


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    raw: bytes
    body: Any


@dataclass
class Reply:
    status: int = 200
    content: list[dict[str, Any]] = field(default_factory=list)
    stop_reason: str = "tool_use"
    error_type: str = ""
    message: str = ""


def tool_answer(answer: dict[str, Any], *, name: str = "submit_proposals", stop_reason: str = "tool_use") -> Reply:
    return Reply(content=[{"type": "tool_use", "name": name, "input": answer}], stop_reason=stop_reason)


def text_answer(text: str) -> Reply:
    return Reply(content=[{"type": "text", "text": text}], stop_reason="end_turn")


def error(status: int, error_type: str, message: str) -> Reply:
    return Reply(status=status, error_type=error_type, message=message)


OVERLOADED = error(529, "overloaded_error", "Overloaded")
INTERNAL = error(500, "api_error", "Internal server error")
RATE_LIMITED = error(429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit")


class FakeAnthropic:
    """``with FakeAnthropic() as api:`` then point the SDK at ``api.base_url`` with ``api.key``."""

    def __init__(self, *, key: str = "sk-ant-test-0000", count_tokens: bool = True, cache_min_tokens: int = 1024):
        self.key = key
        self.count_tokens_supported = count_tokens
        self.cache_min_tokens = cache_min_tokens
        self.down: Reply | None = None  # when set, every request gets this error
        # When the script is empty: the reply to a request's body, as a test decides from what it was sent.
        self.responder: Callable[[dict[str, Any]], Reply] | None = None
        self.requests: list[Recorded] = []
        self._script: deque[Reply] = deque()
        self._cache: set[str] = set()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeAnthropic:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def script(self, *replies: Reply) -> None:
        self._script.extend(replies)

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Bodies of the POST /v1/messages requests, in order."""
        return [r.body for r in self.requests if r.path == "/v1/messages"]

    @property
    def counts(self) -> list[dict[str, Any]]:
        return [r.body for r in self.requests if r.path == "/v1/messages/count_tokens"]

    @staticmethod
    def input_tokens(body: dict[str, Any]) -> int:
        """What this server counts for a request: what count_tokens says, what usage adds up to."""
        return _total(body)

    def all_bytes(self) -> bytes:
        return b"\n".join(r.raw for r in self.requests)

    # --- what a request gets ------------------------------------------------------------------

    def answer(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, str], dict[str, Any]]:
        try:
            body = json.loads(raw or b"null")
        except json.JSONDecodeError:
            body = None
        with self._lock:
            self.requests.append(Recorded(path, headers, raw, body))
            n = next(self._ids)
        if not self._authorised(headers):
            return _error(401, "authentication_error", "invalid x-api-key")
        if self.down is not None:
            return _error(self.down.status, self.down.error_type, self.down.message)
        if path == "/v1/messages/count_tokens":
            if not self.count_tokens_supported:
                return _error(404, "not_found_error", "Not found")
            problem = _invalid(body, needs_max_tokens=False)
            return (
                _error(400, "invalid_request_error", problem) if problem else (200, {}, {"input_tokens": _total(body)})
            )
        if path != "/v1/messages":
            return _error(404, "not_found_error", f"Not found: {path}")
        problem = _invalid(body, needs_max_tokens=True)
        if problem:
            return _error(400, "invalid_request_error", problem)
        with self._lock:
            scripted = self._script.popleft() if self._script else None
        reply = scripted or (self.responder(body) if self.responder else INTERNAL_NOTHING_SCRIPTED)
        if reply.status != 200:
            return _error(reply.status, reply.error_type, reply.message)
        return 200, {}, self._message(n, body, reply)

    def _authorised(self, headers: dict[str, str]) -> bool:
        return headers.get("x-api-key") == self.key or headers.get("authorization") == f"Bearer {self.key}"

    def _message(self, n: int, body: dict[str, Any], reply: Reply) -> dict[str, Any]:
        content = []
        for m, block in enumerate(reply.content):
            block = dict(block)
            if block["type"] == "tool_use":
                block.setdefault("id", f"toolu_fake_{n:04d}_{m}")
            content.append(block)
        total = _total(body)
        read, written = self._cache_use(body)
        output = sum(count_text(json.dumps(b.get("input", b.get("text", "")))) for b in content)
        return {
            "id": f"msg_fake_{n:04d}",
            "type": "message",
            "role": "assistant",
            "model": body["model"],
            "content": content,
            "stop_reason": reply.stop_reason,
            "stop_sequence": None,
            "usage": {
                "input_tokens": total - read - written,
                "output_tokens": output,
                "cache_creation_input_tokens": written,
                "cache_read_input_tokens": read,
                "service_tier": "standard",
            },
        }

    def _cache_use(self, body: dict[str, Any]) -> tuple[int, int]:
        """(tokens read from the cache, tokens written to it) for this request's breakpoints."""
        eligible = [(digest, tokens) for digest, tokens in _breakpoints(body) if tokens >= self.cache_min_tokens]
        if not eligible:
            return 0, 0
        with self._lock:
            read = max((tokens for digest, tokens in eligible if digest in self._cache), default=0)
            self._cache.update(digest for digest, _tokens in eligible)
        return read, eligible[-1][1] - read  # the last breakpoint holds the longest prefix


INTERNAL_NOTHING_SCRIPTED = error(500, "api_error", "fake: no scripted reply left")


def _error(status: int, error_type: str, message: str) -> tuple[int, dict[str, str], dict[str, Any]]:
    retryable = status in (408, 409, 429) or status >= 500
    headers = {"retry-after-ms": "1", "retry-after": "0"} if retryable else {}
    body = {"type": "error", "error": {"type": error_type, "message": message}, "request_id": "req_fake"}
    return status, headers, body


# --- request checks the real API makes -------------------------------------------------------------


def _invalid(body: Any, *, needs_max_tokens: bool) -> str | None:
    if not isinstance(body, dict):
        return "request body must be a JSON object"
    if not isinstance(body.get("model"), str):
        return "model: Field required"
    if needs_max_tokens and not (isinstance(body.get("max_tokens"), int) and body["max_tokens"] >= 1):
        return "max_tokens: Field required"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "messages: at least one message is required"
    if messages[0].get("role") != "user":
        return "messages: first message must use the 'user' role"
    breakpoints = sum(1 for block in _blocks(body) if block.get("cache_control"))
    if breakpoints > MAX_BREAKPOINTS:
        return f"A maximum of {MAX_BREAKPOINTS} blocks with cache_control may be provided. Found {breakpoints}."
    return _tool_problem(body)


def _tool_problem(body: dict[str, Any]) -> str | None:
    names = {tool.get("name") for tool in body.get("tools") or []}
    choice = body.get("tool_choice") or {}
    if choice.get("type") == "tool" and choice.get("name") not in names:
        return f"tool_choice: tool {choice.get('name')!r} not found in tools"
    messages = body["messages"]
    for n, message in enumerate(messages):
        content = message.get("content")
        uses = [b["id"] for b in content if b.get("type") == "tool_use"] if isinstance(content, list) else []
        if message.get("role") != "assistant" or not uses:
            continue
        following = messages[n + 1].get("content") if n + 1 < len(messages) else None
        results = [
            b.get("tool_use_id") for b in following or [] if isinstance(b, dict) and b.get("type") == "tool_result"
        ]
        if sorted(results) != sorted(uses):
            return (
                f"messages.{n + 1}: `tool_use` ids were found without `tool_result` blocks immediately after: "
                + ", ".join(u for u in uses if u not in results)
            )
    return None


# --- tokens and cache prefixes ---------------------------------------------------------------------


def _blocks(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Every block in the API's prefix order: tools, system, then each message's content."""
    blocks: list[dict[str, Any]] = list(body.get("tools") or [])
    system = body.get("system")
    if isinstance(system, str):
        blocks.append({"type": "text", "text": system})
    elif isinstance(system, list):
        blocks.extend(system)
    for message in body.get("messages") or []:
        content = message.get("content")
        if isinstance(content, str):
            blocks.append({"type": "text", "text": content, "role": message.get("role")})
        else:
            blocks.extend({**block, "role": message.get("role")} for block in content or [])
    return blocks


def _block_tokens(block: dict[str, Any]) -> int:
    if "input_schema" in block:  # a tool definition
        return (
            count_text(block.get("name", ""))
            + count_text(block.get("description", ""))
            + count_text(json.dumps(block["input_schema"]))
        )
    kind = block.get("type")
    if kind == "text":
        return count_text(block.get("text", ""))
    if kind == "tool_use":
        return count_text(block.get("name", "")) + count_text(json.dumps(block.get("input", {})))
    if kind == "tool_result":
        content = block.get("content", "")
        text = content if isinstance(content, str) else " ".join(b.get("text", "") for b in content)
        return count_text(text) + 3
    return count_text(json.dumps(block))


def _total(body: dict[str, Any]) -> int:
    return sum(_block_tokens(block) for block in _blocks(body)) + 4 * len(body.get("messages") or [])


def _breakpoints(body: dict[str, Any]) -> list[tuple[str, int]]:
    """(digest of the prefix up to and including each cache_control block, its tokens)."""
    found = []
    digest = hashlib.sha256(body.get("model", "").encode())
    tokens = 0
    for block in _blocks(body):
        plain = {k: v for k, v in block.items() if k != "cache_control"}
        digest.update(json.dumps(plain, sort_keys=True).encode())
        tokens += _block_tokens(block)
        if block.get("cache_control"):
            found.append((digest.copy().hexdigest(), tokens))
    return found


def _handler(api: FakeAnthropic) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, extra, body = api.answer(self.path.split("?")[0], headers, raw)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.send_header("request-id", "req_fake")
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass  # quiet: the tests read ``api.requests`` instead

    return Handler
