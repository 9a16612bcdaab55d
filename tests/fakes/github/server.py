"""A local GitHub: REST under /api/v3 (as on GitHub Enterprise) and git's smart HTTP, on 127.0.0.1:0.

Every REST request and response is checked against GitHub's OpenAPI description; a mismatch is
recorded in ``violations`` and the test's fixture fails on it at teardown. Faults (a 502, a
secondary rate limit, a request held until the test lets it go) are injected on the Nth request
that matches; injected responses are outside the description by design and are not checked.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from tests.fakes.github import githttp
from tests.fakes.github.bare import BareRepo
from tests.fakes.github.contract import Contract
from tests.fakes.github.objects import Urls
from tests.fakes.github.routes import HANDLERS, Call
from tests.fakes.github.state import Review, ReviewComment, State, User

API_PREFIX = "/api/v3"
SECONDARY_RATE_LIMIT = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000."
)
_CONTRACT = Contract()


@dataclass
class Recorded:
    method: str
    path: str  # without the API prefix; git requests start with /<owner>/<repo>.git
    query: str
    status: int
    user: str | None
    body: bytes


@dataclass
class Fault:
    """What to do to the ``nth`` request matching ``method`` and ``pattern`` (a regex on path?query)."""

    method: str
    pattern: re.Pattern[str]
    nth: int
    kind: str  # error | rate_limit | hold | barrier
    times: int = 1  # error: how many matching requests in a row fail, from the nth on
    status: int = 502
    applied: bool = False  # error: the request took effect before the response was lost
    retry_after: int = 1
    seen: int = 0
    arrived: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    barrier: threading.Barrier | None = None

    def release(self) -> None:
        self.released.set()


class GitHubEmulator:
    def __init__(self, root: Path, owner: str = "acme", repo: str = "frontdesk") -> None:
        self.root = root
        self.git = BareRepo(root / owner / f"{repo}.git")
        self.state = State(owner=User(owner, 1, "Organization", "admin"), repo_name=repo)
        self.violations: list[str] = []
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []
        self._lock = threading.RLock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.emulator = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # --- lifecycle and addresses ----------------------------------------------------------------

    def __enter__(self) -> GitHubEmulator:
        self._thread.start()
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        for fault in self.faults:
            fault.release()
        self._server.shutdown()
        self._server.server_close()

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return self.web_url + API_PREFIX

    @property
    def clone_url(self) -> str:
        return f"{self.web_url}/{self.state.owner.login}/{self.state.repo_name}.git"

    @property
    def full_name(self) -> str:
        return f"{self.state.owner.login}/{self.state.repo_name}"

    # --- set-up and what people do in the web UI (no API for it in the subset) -----------------

    def add_user(self, login: str, **options: Any) -> User:
        """A person or a bot: ``token``, ``type``, ``permission``, ``scopes`` as for ``State.add_user``."""
        with self._lock:
            return self.state.add_user(login, **options)

    def review(self, number: int, login: str, body: str, state: str = "CHANGES_REQUESTED") -> Review:
        with self._lock:
            pull = self.state.pulls[number]
            item = Review(
                next(self.state.ids),
                number,
                self.state.users[login],
                body,
                state,
                self.git.sha(pull.head) or "",
                self.state.clock.now(),
            )
            self.state.reviews.append(item)
            return item

    def review_comment(self, number: int, login: str, body: str, path: str) -> None:
        with self._lock:
            review = self.review(number, login, "", "COMMENTED")
            self.state.review_comments.append(
                ReviewComment(
                    next(self.state.ids),
                    number,
                    review.id,
                    review.user,
                    body,
                    path,
                    review.commit_id,
                    review.submitted_at,
                )
            )

    # --- faults --------------------------------------------------------------------------------

    def fail(
        self, method: str, pattern: str, *, nth: int = 1, times: int = 1, status: int = 502, applied: bool = False
    ) -> Fault:
        fault = Fault(method, re.compile(pattern), nth, "error", times=times, status=status, applied=applied)
        return self._fault(fault)

    def rate_limit(self, method: str, pattern: str, *, nth: int = 1, retry_after: int = 1) -> Fault:
        return self._fault(Fault(method, re.compile(pattern), nth, "rate_limit", status=403, retry_after=retry_after))

    def hold(self, method: str, pattern: str, *, nth: int = 1) -> Fault:
        """Hold the request until ``release()``; then the client gets no answer (its connection drops)."""
        return self._fault(Fault(method, re.compile(pattern), nth, "hold"))

    def barrier(self, method: str, pattern: str, parties: int) -> Fault:
        """The first ``parties`` matching requests wait for each other, then all go on."""
        barrier = threading.Barrier(parties, timeout=60)
        fault = Fault(method, re.compile(pattern), 1, "barrier", times=parties, barrier=barrier)
        return self._fault(fault)

    def _fault(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
        return fault

    def _triggered(self, method: str, target: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.method == method and fault.pattern.search(target):
                    fault.seen += 1
                    if fault.nth <= fault.seen < fault.nth + fault.times:
                        return fault
        return None

    # --- queries for assertions ----------------------------------------------------------------

    def pulls(self, state: str = "all") -> list[Any]:
        with self._lock:
            return [p for p in self.state.pulls.values() if state == "all" or p.state == state]

    def issues(self, state: str = "all") -> list[Any]:
        """Plain issues only (``pulls`` has the pull requests)."""
        with self._lock:
            return [i for i in self.state.issues.values() if state == "all" or i.state == state]

    def comments(self, number: int) -> list[Any]:
        with self._lock:
            return [c for c in self.state.comments if c.number == number]

    # --- the HTTP side -------------------------------------------------------------------------

    def serve(self, handler: _Handler) -> None:
        try:
            self._serve(handler)
        except Exception as err:  # a bug in the emulator must fail the test, not hang the client
            self.violations.append(f"emulator error on {handler.command} {handler.path}: {type(err).__name__}: {err}")
            handler.reply(500, {"message": "emulator error"})

    def _serve(self, handler: _Handler) -> None:
        url = urlsplit(handler.path)
        path = unquote(url.path)
        body = handler.read_body()
        if githttp.GIT_PATH.match(path):
            self._serve_git(handler, path, url.query, body)
        elif path.startswith(API_PREFIX + "/"):
            self._serve_api(handler, path[len(API_PREFIX) :], url.query, body)
        else:
            self._record(handler.command, path, url.query, 404, None, body)
            self.violations.append(f"{handler.command} {path}: not under {API_PREFIX} and not a git URL")
            handler.reply(404, {"message": "Not Found"})

    def _serve_git(self, handler: _Handler, path: str, query: str, body: bytes) -> None:
        user = self.state.tokens.get(githttp.basic_token(handler.headers.get("Authorization")) or "")
        if user is None:
            self._record(handler.command, path, query, 401, None, body)
            handler.reply_raw(401, [("WWW-Authenticate", 'Basic realm="GitHub"')], b"")
            return
        headers = {k.lower(): v for k, v in handler.headers.items()}
        out = githttp.run_backend(self.root, path, query, handler.command, headers, body, user.login)
        self._record(handler.command, path, query, out.status, user.login, body)
        handler.reply_raw(out.status, out.headers, out.body)

    def _serve_api(self, handler: _Handler, path: str, query: str, raw: bytes) -> None:
        method = handler.command
        user = self.state.tokens.get(_api_token(handler.headers.get("Authorization")) or "")
        if user is None:
            self._record(method, path, query, 401, None, raw)
            handler.reply(401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
            return
        op = _CONTRACT.match(method, path)
        if op is None:
            self._violation(f"{method} {path}: no such operation in the description's subset", method, path, query, raw)
            handler.reply(404, {"message": "Not Found"})
            return
        if (
            op.params.get("owner", self.state.owner.login) != self.state.owner.login
            or op.params.get("repo", self.state.repo_name) != self.state.repo_name
        ):
            # Another repository: GitHub answers 404 to any operation, documented or not.
            self._record(method, path, query, 404, user.login, raw)
            handler.reply(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
            return
        try:
            body = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            self._violation(f"{method} {op.template}: body is not JSON", method, path, query, raw)
            handler.reply(400, {"message": "Problems parsing JSON"})
            return
        params = parse_qs(query, keep_blank_values=True)
        errors = _CONTRACT.request_errors(op, body, bool(raw), params)
        if errors:
            self.violations.extend(errors)
            self._record(method, path, query, 422, user.login, raw)
            handler.reply(422, {"message": "Invalid request", "errors": errors})
            return
        fault = self._triggered(method, f"{path}?{query}")
        if fault is not None and self._intercept(handler, fault, method, path, query, raw):
            return
        urls = Urls(f"http://{handler.headers.get('Host')}", f"http://{handler.headers.get('Host')}{API_PREFIX}")
        call = Call(user, op.params, {k: v[-1] for k, v in params.items()}, body, urls)
        with self._lock:
            status, payload = HANDLERS[op.operation_id](self.state, self.git, call)
        if fault is not None and fault.kind == "error":  # applied: done, but the answer was lost
            self._record(method, path, query, fault.status, user.login, raw)
            handler.reply(fault.status, {"message": "Server Error"})
            return
        self.violations.extend(_CONTRACT.response_errors(op, status, payload))
        headers = [("X-OAuth-Scopes", user.scopes)] if user.scopes is not None else []
        if method == "GET" and isinstance(payload, list):
            payload, links = _page(payload, params, urls.web + API_PREFIX + path)
            headers += links
        self._record(method, path, query, status, user.login, raw)
        handler.reply(status, payload, headers)

    def _intercept(self, handler: _Handler, fault: Fault, method: str, path: str, query: str, raw: bytes) -> bool:
        """Faults that answer instead of the operation. True when the request is answered."""
        if fault.kind == "barrier" and fault.barrier is not None:
            fault.barrier.wait()
            return False
        if fault.kind == "error" and not fault.applied:  # failed before it did anything
            self._record(method, path, query, fault.status, None, raw)
            handler.reply(fault.status, {"message": "Server Error"})
            return True
        if fault.kind == "rate_limit":
            self._record(method, path, query, 403, None, raw)
            headers = [("Retry-After", str(fault.retry_after)), ("X-RateLimit-Remaining", "4000")]
            doc = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
            handler.reply(403, {"message": SECONDARY_RATE_LIMIT, "documentation_url": doc}, headers)
            return True
        if fault.kind == "hold":
            fault.arrived.set()
            fault.released.wait(timeout=120)
            self._record(method, path, query, 0, None, raw)
            handler.close_connection = True
            handler.drop()
            return True
        return False

    def _violation(self, message: str, method: str, path: str, query: str, raw: bytes) -> None:
        self.violations.append(message)
        self._record(method, path, query, 404, None, raw)

    def _record(self, method: str, path: str, query: str, status: int, user: str | None, body: bytes) -> None:
        with self._lock:
            self.requests.append(Recorded(method, path, query, status, user, body))


def _api_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() in ("token", "bearer") else None


def _page(items: list[Any], params: dict[str, list[str]], url: str) -> tuple[list[Any], list[tuple[str, str]]]:
    per_page = min(int(params.get("per_page", ["30"])[-1]), 100)
    page = int(params.get("page", ["1"])[-1])
    last = max(1, -(-len(items) // per_page))
    links = []
    for rel, number in (("next", page + 1), ("last", last)):
        if page < last:
            query = {k: v[-1] for k, v in params.items()} | {"page": str(number), "per_page": str(per_page)}
            links.append(f'<{url}?{urlencode(query)}>; rel="{rel}"')
    headers = [("Link", ", ".join(links))] if links else []
    return items[(page - 1) * per_page : page * per_page], headers


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ThreadingHTTPServer

    def _serve(self) -> None:
        self.server.emulator.serve(self)  # type: ignore[attr-defined]

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    def read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def reply(self, status: int, payload: Any, headers: list[tuple[str, str]] | None = None) -> None:
        data = b"" if payload is None else json.dumps(payload).encode()
        content = [("Content-Type", "application/json; charset=utf-8")] if payload is not None else []
        self.reply_raw(status, [*content, *(headers or [])], data)

    def reply_raw(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in ("content-length", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)

    def drop(self) -> None:
        """Close the connection without an answer: what a client sees when a request dies."""
        self.close_connection = True
        self.connection.close()

    def log_message(self, format: str, *args: Any) -> None:
        return  # keep test output clean
