"""A token that does not print itself, and a mask for any text that might carry one."""

from __future__ import annotations

import base64
import re

MASK = "***"
_USERINFO = re.compile(r"(?i)\b(https?://)[^/@\s]+@")


class Secret:
    """Holds a token; ``str`` and ``repr`` show ``***``, so a stray f-string or log line leaks nothing."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def basic_auth(self) -> str:
        """``base64(x-access-token:<token>)``: how git sends a GitHub token over HTTPS."""
        return base64.b64encode(f"x-access-token:{self._value}".encode()).decode()

    def __repr__(self) -> str:
        return f"Secret({MASK})"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)


def mask(text: str, *secrets: Secret | None) -> str:
    """``text`` with every given token (plain or in its basic-auth form) and any URL credentials masked."""
    for secret in secrets:
        if secret:
            for form in (secret.reveal(), secret.basic_auth()):
                text = text.replace(form, MASK)
    return _USERINFO.sub(rf"\1{MASK}@", text)
