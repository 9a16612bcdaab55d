"""Group error messages: mask what varies between occurrences of the same error.

``Timeout after 3000ms calling availability for room 412`` and ``Timeout after 5000ms calling
availability for room 17`` both become ``Timeout after <n>ms calling availability for room <n>``.
The result is redacted, so it can go into a finding or a pull request as it is: what needs the
message as written (secrets, emails, addresses) first, the rest after the masking, once per
distinct pattern (a cache: messages that differ only in masked values share one).

HTTP status codes after ``HTTP``, ``status``, ``code`` or ``error`` are kept: a 404 and a 500
are different problems. JSON keys (a quoted string followed by ``:``) are kept too, since they
say what the masked values were.
"""

from __future__ import annotations

import re
from functools import lru_cache

from optimizer.text.redact import clip, redact, redact_in_context

MAX_LENGTH = 200

_URL_QUERY = re.compile(r"(https?://[^\s?#'\"`]+)\?[^\s#'\"`]*")
# Quoted values; a double-quoted string followed by ":" is a JSON key (kept by the callback).
_QUOTED = re.compile(r"\"[^\"\n]*\"(\s*:)?|(?<![A-Za-z0-9])'[^'\n]*'(?![A-Za-z0-9])|`[^`\n]*`")
_TIMESTAMP = re.compile(
    r"\b[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?\b"
)
_UUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
# At least six hex characters with a digit among them (so "facade" stays a word), or 0x....
_HEX_ID = re.compile(r"\b(?:0x[0-9a-fA-F]+|(?=[a-fA-F]*[0-9])(?=[0-9]*[a-fA-F])[0-9a-fA-F]{6,})\b")
# room_123, ORD-88231, cus_Nf83jd: a word, a joiner, then something with a digit; or ORD88231.
_WORD_ID = re.compile(r"\b[A-Za-z][A-Za-z0-9]*[_-](?=[A-Za-z0-9_-]*[0-9])[A-Za-z0-9_-]+|\b[A-Z]{2,}[0-9]{3,}\b")
# Numbers not glued to a word ("v2" stays); a unit after them stays ("<n>ms").
_NUMBER = re.compile(r"(?<![A-Za-z0-9])[0-9]+(?:[.,:][0-9]+)*")
_STATUS_BEFORE = re.compile(r"(?i)(?:http(?:/[0-9.]+)?|status|code|error)\W{0,3}$")


@lru_cache(maxsize=4096)  # the same message often repeats verbatim; bounded
def normalize_error(message: str) -> str:
    """``message`` with values masked, so occurrences of one error compare equal (<= 200 chars)."""
    text = redact_in_context(message)
    text = _URL_QUERY.sub(r"\1?…", text)
    text = _QUOTED.sub(_mask_quoted, text)
    text = _TIMESTAMP.sub("<time>", text)
    text = _UUID.sub("<id>", text)
    text = _HEX_ID.sub("<id>", text)
    text = _WORD_ID.sub("<id>", text)
    text = _NUMBER.sub(_mask_number, text)
    return _redact_pattern(text)


@lru_cache(maxsize=4096)
def _redact_pattern(pattern: str) -> str:
    return clip(redact(pattern), MAX_LENGTH)  # redacted before it is cut: no half secret is left


def _mask_quoted(match: re.Match[str]) -> str:
    return match.group() if match.group(1) else "'…'"


def _mask_number(match: re.Match[str]) -> str:
    number = match.group()
    start = match.start()
    if len(number) == 3 and number[0] in "12345" and _STATUS_BEFORE.search(match.string, max(0, start - 16), start):
        return number
    return "<n>"
