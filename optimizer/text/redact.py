"""Mask secrets and personal data before any text leaves the run (findings, PR bodies, logs).

Each kind of value becomes a label: ``[secret]``, ``[email]``, ``[id]``, ``[iban]``, ``[card]``,
``[phone]``, ``[address]``, ``[name]``. Secrets go first (``redact_secrets``), so a token's digits are
never read as a phone or a card; then emails, national identifiers (``redact_ids``), bank and card
numbers, phones, and last addresses and names (``redact_people``). Every pattern sits behind a cheap
gate (a substring test, or one short scan for digits), so text with nothing to mask costs a few
string scans.

Precision where a miss is cheap and a false hit hurts: ids, dates, prices, versions and
timestamps must stay readable in evidence. So a bare run of digits is a phone only with a ``+``,
a ``00`` or a trunk ``0`` prefix, or in the North American 3-3-4 layout; a card is 13..19 digits
that pass Luhn and start like an issuer's number (2..6, which leaves millisecond timestamps
and snowflake ids alone); an IBAN must carry correct check digits.
"""

from __future__ import annotations

import re
from functools import lru_cache

from optimizer.text.redact_ids import redact_national_ids
from optimizer.text.redact_people import redact_addresses, redact_people
from optimizer.text.redact_secrets import SECRET, redact_secrets

__all__ = ["SECRET", "clip", "excerpt", "iban_valid", "luhn_valid", "redact", "redact_in_context", "redact_name"]

EMAIL = "[email]"
PHONE = "[phone]"
CARD = "[card]"
IBAN = "[iban]"

# Any script: "zoë@exämple.de" and "用户@例子.中国" are addresses too.
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)*\.(?:[^\W\d_]{2,}|xn--[\w-]+)")

# Cards, phones and IBANs all hold eight digits at most two separators apart.
_MANY_DIGITS = re.compile(r"[0-9](?:[ ().-]{0,2}[0-9]){7}")

# The patterns below start by consuming a literal or a class and only then look behind, which
# lets the regex engine skip ahead to candidates instead of trying every position.

# Country code, two check digits, then 11..30 alphanumerics, optionally in groups of four.
# Either case: people type "de89 3704 ..." too.
_IBAN = re.compile(
    r"[A-Za-z](?<![A-Za-z0-9][A-Za-z])[A-Za-z][0-9]{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?(?![A-Za-z0-9])"
)

# Digit groups joined by single spaces, dashes or dots, not glued to a word or an id ("ORD-", "_");
# the callback looks for a card among whole groups.
_CARD_RUN = re.compile(r"[0-9](?<![A-Za-z0-9_.-][0-9])(?=[0-9 .-]{12})[0-9]*+(?:[ .-][0-9]++)*(?![A-Za-z0-9_])")
_CARD_FIRST_DIGITS = frozenset("23456")

# A phone ends where no digit, word or id continues it (a time, a decimal, a path).
_PHONE_END = r"(?![A-Za-z0-9_/-]|[.:,][0-9])"
# National numbers, dates, versions and times differ mostly by what precedes them.
_NOT_AFTER = r"A-Za-z0-9_+\#/.:-"
_PHONES = tuple(
    re.compile(pattern + _PHONE_END)
    for pattern in (
        # International: +44 20 7946 0958, 0044 20 7946 0958, +49 (0)30 123456.
        r"(?:\+(?<![A-Za-z0-9_+#]\+)|0(?<![" + _NOT_AFTER + r"]0)0)"
        r"[0-9]{1,3}(?:[ .-]?\(?[0-9]{1,4}\)?){2,6}",
        # North American with a leading 1: 1-800-555-0199, 1 (415) 555-0123.
        r"1(?<![" + _NOT_AFTER + r"]1)[ .-](?:\([0-9]{3}\)[ .-]?|[0-9]{3}[ .-])[0-9]{3}[ .-][0-9]{4}",
        # North American: (415) 555-0123, 415-555-0123, 415.555.0123.
        r"[(0-9](?<![" + _NOT_AFTER + r"].)(?:(?<=\()[0-9]{3}\)[ .-]?|(?<=[0-9])[0-9]{2}[ .-])"
        r"[0-9]{3}[ .-][0-9]{4}",
        # National with a trunk 0: 020 7946 0958, 06 12 34 56 78, (030) 1234 5678.
        r"(?:0(?<![" + _NOT_AFTER + r"]0)[0-9]{1,4}|\((?<![" + _NOT_AFTER + r"]\()0[0-9]{1,4}\)[ ]?)"
        r"(?:[ -]?[0-9]{2,4}){1,4}",
    )
)
_DIGIT = re.compile(r"[0-9]")


def redact(text: str) -> str:
    """Return ``text`` with secrets and personal data replaced by labels like ``[email]``."""
    if not text:
        return text
    text = redact_in_context(text)
    text = redact_national_ids(text)
    if _MANY_DIGITS.search(text) is not None:
        text = _IBAN.sub(_iban_or_keep, text)
        text = _CARD_RUN.sub(_card_or_keep, text)
        for pattern in _PHONES:
            text = pattern.sub(_phone_or_keep, text)
    return redact_people(text)


def redact_in_context(text: str) -> str:
    """The part of ``redact`` that needs the text as written: secrets, emails, street addresses.

    For a caller that masks numbers next (error grouping) and then redacts the rest: once digits
    are masked, a card, a phone or an IBAN is gone anyway, but a house number or a token is not.
    """
    text = redact_secrets(text)
    if "@" in text:
        text = _EMAIL.sub(EMAIL, text)
    return redact_addresses(text)


@lru_cache(maxsize=4096)  # names repeat on every trace; bounded
def redact_name(name: str) -> str:
    """A name a trace gives (a tool, a prompt_version, a topic), redacted: it is shown as a subject."""
    return redact(name)


def _iban_or_keep(match: re.Match[str]) -> str:
    return IBAN if iban_valid(match.group()) else match.group()


def iban_valid(candidate: str) -> bool:
    """True when ``candidate`` (spaces allowed) has an IBAN's length and correct check digits."""
    compact = candidate.replace(" ", "").upper()
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
    groups = re.split("[ .-]", run)
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
    return clip(redact(text), limit)


def clip(text: str, limit: int) -> str:
    """``text`` on one line (whitespace collapsed), cut to ``limit`` characters at a word boundary.

    A cut text ends with ``…``, which counts towards ``limit``. Does not redact: see ``excerpt``.
    """
    flat = " ".join(text.split())
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
