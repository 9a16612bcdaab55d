"""Optional Slack-compatible webhook: a short message when a PR is opened or merged, or a rollback
is proposed. Notifying is best effort: a failure is reported as a warning and never fails the run."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable

from optimizer.text.redact import redact

Warn = Callable[[str], None]
TIMEOUT_SECONDS = 10


def notify(webhook_url: str | None, text: str, warn: Warn) -> bool:
    """POST ``{"text": ...}`` to the webhook; True when it answered 2xx."""
    if not webhook_url:
        return False
    if not webhook_url.startswith(("https://", "http://")):
        warn("notification skipped: the webhook URL must start with https:// (or http://)")
        return False
    body = json.dumps({"text": redact(text)}).encode()
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        webhook_url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return 200 <= response.status < 300
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        # the URL itself is a secret (it carries the channel's token): never print it
        warn(f"notification failed ({type(err).__name__}: {getattr(err, 'reason', err)}); the run goes on")
        return False
