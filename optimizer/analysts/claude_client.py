"""The anthropic SDK at the edge: a client per exchange, explicit retries and timeout, errors in one line.

429, 529 and 5xx are retried by the SDK itself (``max_retries``, exponential backoff from 0.5 s to
8 s, or what the server's ``retry-after`` asks). Token counting is best effort: a server without
the endpoint, or any failure of it, switches the run to the local estimate.
"""

from __future__ import annotations

from typing import Any

import anthropic
from anthropic.types import Message

from optimizer.config import ClaudeSettings
from optimizer.errors import AnalystError, ModelUnavailable
from optimizer.text.redact import clip, redact

PUBLIC_API = "https://api.anthropic.com"


class MessagesClient:
    """The SDK client, opened for each ``with`` block (one per agent's exchange) and closed after it."""

    def __init__(self, settings: ClaudeSettings, api_key: str, base_url: str | None) -> None:
        self._settings = settings
        self._api_key = api_key
        self.base_url = base_url or PUBLIC_API
        self.attempts = settings.max_retries + 1

    def __repr__(self) -> str:  # never the key
        return f"MessagesClient(base_url={self.base_url!r})"

    def __enter__(self) -> MessagesClient:
        settings = self._settings
        self._client = anthropic.Anthropic(
            api_key=self._api_key, base_url=self.base_url, max_retries=settings.max_retries, timeout=settings.timeout
        )
        self._counter = self._client.with_options(max_retries=0)  # a failed count falls back to the estimate
        self.counting = True
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()

    def count(self, request: dict[str, Any]) -> int | None:
        """Input tokens of ``request`` as the API counts them, or None when it cannot."""
        if not self.counting:
            return None
        fields = {k: v for k, v in request.items() if k in ("model", "system", "tools", "tool_choice", "messages")}
        try:
            return self._counter.messages.count_tokens(**fields).input_tokens
        except anthropic.APIError:
            self.counting = False
            return None

    def create(self, request: dict[str, Any]) -> Message:
        try:
            return self._client.messages.create(**request)
        except anthropic.AuthenticationError as err:
            refused = f"claude: {self.base_url} refused the API key (401); check ANTHROPIC_API_KEY"
            raise ModelUnavailable(refused) from err
        except anthropic.APIStatusError as err:
            retried = _retried(err.status_code)
            failed = self._failed() if retried else f"{self.base_url} refused the request"
            raise (ModelUnavailable if retried else AnalystError)(
                f"claude: {failed}: {err.status_code} {_describe(err.body)}"
            ) from err
        except anthropic.APITimeoutError as err:
            raise ModelUnavailable(f"claude: {self._failed()}: timed out after {self._settings.timeout:g} s") from err
        except anthropic.APIConnectionError as err:
            raise ModelUnavailable(f"claude: {self._failed()}: cannot connect ({_one_line(str(err))})") from err

    def _failed(self) -> str:
        return f"no answer from {self.base_url} after {self.attempts} attempt(s)"


def _retried(status: int) -> bool:
    return status in (408, 409, 429) or status >= 500


def _describe(body: object) -> str:
    """``overloaded_error: Overloaded`` from the API's error body, whatever its shape."""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return _one_line(f"{error.get('type', 'error')}: {error.get('message', '')}")
    return _one_line(str(body)) if body else "no error body"


def _one_line(text: str) -> str:
    return clip(redact(text), 300)
