"""Mask secrets and personal data before any text leaves the run (findings, PR bodies, logs).

Each kind of value becomes a label: ``[secret]``, ``[email]``, ``[iban]``, ``[card]``, ``[phone]``.
Secrets go first, so a token's digits are never read as a phone or a card. Every pattern sits
behind a cheap gate (a substring test, or one short scan for digits), so text with nothing to
mask costs a few string scans.

Precision where a miss is cheap and a false hit hurts: ids, dates, prices, versions and
timestamps must stay readable in evidence. So a bare run of digits is a phone only with a ``+``,
a ``00`` or a trunk ``0`` prefix, or in the North American 3-3-4 layout; a card is 13..19 digits
that pass Luhn and start like an issuer's number (2..6, which leaves millisecond timestamps
and snowflake ids alone); an IBAN must carry correct check digits.
"""

from __future__ import annotations

import re

SECRET = "[secret]"
EMAIL = "[email]"
PHONE = "[phone]"
CARD = "[card]"
IBAN = "[iban]"

# Tokens recognisable by their prefix: OpenAI/Anthropic, GitHub, Slack, AWS, JWT.
_TOKEN = re.compile(
    r"\b(?:"
    r"sk-[A-Za-z0-9_-]{16,}"
    r"|gh[pousr]_[A-Za-z0-9]{20,}"
    r"|github_pat_[A-Za-z0-9_]{20,}"
    r"|xox[abeprs]-[A-Za-z0-9-]{10,}"
    r"|(?:AKIA|ASIA)[0-9A-Z]{16}"
    r"|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"
    r")"
)

# "Bearer <token>": the value needs a digit or some length, so "bearer of bad news" stays prose.
_BEARER = re.compile(
    r"(?i)\b(bearer\s+)"
    r"(?:(?=[A-Za-z0-9._~+/=-]*[0-9])[A-Za-z0-9._~+/=-]{8,}|[A-Za-z0-9._~+/=-]{20,})"
)
_AUTH_HEADER = re.compile(
    r"(?i)\b(authorization[\"']?\s*[:=]\s*[\"']?(?>(?:(?:basic|bearer|token)\s+)?))"
    r"(?!\[secret\])[^\s\"',;&]{6,}"
)
# "api_key=...", "client-secret: ...": the value needs a digit, as "token: expired" is a message.
_KEY_VALUE = re.compile(
    r"(?i)\b((?:api|access|secret|private|auth|client|refresh|session)?[_-]?(?:key|token|secret)s?"
    r"[\"']?\s*[:=]\s*[\"']?)"
    r"(?!\[secret\])(?=[^\s\"',;&]*[0-9])[^\s\"',;&]{8,}"
)
# Passwords are short and may be plain words; "password is ..." needs a digit or a symbol.
_PASSWORD = re.compile(
    r"(?i)\b((?:password|passwd|passphrase|pwd)[\"']?\s*[:=]\s*[\"']?)(?!\[secret\])[^\s\"',;&]+"
    r"|\b((?:password|passphrase) is\s+)(?=\S*[0-9!@#$%^&*])[^\s\"',;&]{4,}"
)

_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

# Cards, phones and IBANs all hold eight digits at most two separators apart.
_MANY_DIGITS = re.compile(r"[0-9](?:[ ().-]{0,2}[0-9]){7}")

# Country code, two check digits, then 11..30 alphanumerics, optionally in groups of four.
_IBAN = re.compile(r"\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")

# Digit groups joined by single spaces or dashes, not glued to a word or an id ("ORD-", "_");
# the callback looks for a card among whole groups.
_CARD_RUN = re.compile(r"(?<![A-Za-z0-9_-])[0-9]+(?:[ -][0-9]+)*(?![A-Za-z0-9_])")
_CARD_FIRST_DIGITS = frozenset("23456")

# Phones: international (+ or 00), North American 3-3-4 with separators, national with trunk 0.
# A national number never follows a word, '#', '/', '.', ':' or '-' (orders, dates, versions, times).
_PHONE = re.compile(
    r"""(?x)
    (?:
        (?<![A-Za-z0-9_+#])(?:\+|\b00)[0-9]{1,3}(?:[ .-]?\(?[0-9]{1,4}\)?){2,6}
      | (?<![A-Za-z0-9_+\#/.:-])
        (?:
            (?:\b1[ .-])?(?:\([0-9]{3}\)[ .-]?|\b[0-9]{3}[ .-])[0-9]{3}[ .-][0-9]{4}
          | \(0[0-9]{1,4}\)[ ]?[0-9]{2,4}(?:[ -]?[0-9]{2,4}){1,3}
          | \b0[0-9]{1,4}(?:[ -]?[0-9]{2,4}){1,4}
        )
    )
    (?![A-Za-z0-9_/-]|[.:,][0-9])
    """
)
_DIGIT = re.compile(r"[0-9]")


def redact(text: str) -> str:
    """Return ``text`` with secrets and personal data replaced by labels like ``[email]``."""
    if not text:
        return text
    text = _redact_secrets(text)
    if "@" in text:
        text = _EMAIL.sub(EMAIL, text)
    if _MANY_DIGITS.search(text) is None:
        return text
    text = _IBAN.sub(_iban_or_keep, text)
    text = _CARD_RUN.sub(_card_or_keep, text)
    return _PHONE.sub(_phone_or_keep, text)


def _redact_secrets(text: str) -> str:
    if "sk-" in text or "_" in text or "xox" in text or "AKIA" in text or "ASIA" in text or "eyJ" in text:
        text = _TOKEN.sub(SECRET, text)
    lowered = text.lower()
    if "bearer" in lowered:
        text = _BEARER.sub(r"\1" + SECRET, text)
    if "authorization" in lowered:
        text = _AUTH_HEADER.sub(r"\1" + SECRET, text)
    if "key" in lowered or "token" in lowered or "secret" in lowered:
        text = _KEY_VALUE.sub(r"\1" + SECRET, text)
    if "pass" in lowered or "pwd" in lowered:
        text = _PASSWORD.sub(_keep_password_label, text)
    return text


def _keep_password_label(match: re.Match[str]) -> str:
    return (match.group(1) or match.group(2)) + SECRET


def _iban_or_keep(match: re.Match[str]) -> str:
    return IBAN if iban_valid(match.group()) else match.group()


def iban_valid(candidate: str) -> bool:
    """True when ``candidate`` (spaces allowed) has an IBAN's length and correct check digits."""
    compact = candidate.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def luhn_valid(digits: str) -> bool:
    """True when the digit string passes the Luhn checksum that payment card numbers carry."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _card_or_keep(match: re.Match[str]) -> str:
    run = match.group()
    if len(run) < 13:
        return run
    groups = run.replace("-", " ").split(" ")
    span = _card_span(groups)
    if span is None:
        return run
    first, last = span
    # Mask only the card's groups, so a quantity or a date beside it stays readable.
    start = sum(len(group) + 1 for group in groups[:first])
    end = sum(len(group) + 1 for group in groups[: last + 1]) - 1
    return run[:start] + CARD + run[end:]


def _card_span(groups: list[str]) -> tuple[int, int] | None:
    """The longest run of whole groups with 13..19 digits that reads as a card, if any."""
    best: tuple[int, int] | None = None
    best_len = 0
    for first, group in enumerate(groups):
        if group[0] not in _CARD_FIRST_DIGITS:
            continue
        digits = ""
        for last in range(first, len(groups)):
            digits += groups[last]
            if len(digits) > 19:
                break
            if len(digits) >= 13 and len(digits) > best_len and luhn_valid(digits):
                best, best_len = (first, last), len(digits)
    return best


def _phone_or_keep(match: re.Match[str]) -> str:
    found = match.group()
    digits = len(_DIGIT.findall(found))
    if found.startswith("+"):
        plausible = 8 <= digits <= 15
    elif found.startswith("00"):
        plausible = 10 <= digits <= 17
    else:
        plausible = 10 <= digits <= 12
    return PHONE if plausible else found


def excerpt(text: str, limit: int = 160) -> str:
    """One redacted line of at most ``limit`` characters, cut at a word boundary with ``…``.

    Redaction runs on the whole text first, so a cut can never leave part of a secret visible.
    """
    flat = " ".join(redact(text).split())
    if len(flat) <= limit:
        return flat
    if limit <= 1:
        return "…"[:limit]
    cut = flat[: limit - 1]
    if flat[limit - 1] != " ":
        space = cut.rfind(" ")
        # A word longer than half the room (a URL, a path) is cut hard rather than dropped.
        if space >= limit // 2:
            cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"
