"""The webhook gets a Slack-compatible message; a failure to notify never fails the run."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from optimizer.propose.webhook import notify


@pytest.fixture
def webhook():
    received: list[dict] = []
    status = {"code": 200}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(status["code"])
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/T000/B000/secret", received, status
    server.shutdown()
    server.server_close()


def test_message_is_slack_json_and_redacted(webhook):
    url, received, _status = webhook
    warnings: list[str] = []
    assert notify(url, "PR opened for frontdesk; contact ada@example.com", warnings.append)
    assert received == [{"text": "PR opened for frontdesk; contact [email]"}]
    assert warnings == []


def test_server_error_is_a_warning_without_the_url(webhook):
    url, _received, status = webhook
    status["code"] = 500
    warnings: list[str] = []
    assert not notify(url, "rollback proposed", warnings.append)
    assert len(warnings) == 1 and "secret" not in warnings[0] and "the run goes on" in warnings[0]


def test_unreachable_webhook_is_a_warning():
    warnings: list[str] = []
    assert not notify("http://127.0.0.1:9/nothing-listens-here", "merged", warnings.append)
    assert warnings and "127.0.0.1" not in warnings[0]


def test_no_webhook_configured_does_nothing():
    assert not notify(None, "x", lambda message: pytest.fail(message))
