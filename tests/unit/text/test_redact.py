from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from optimizer.text.redact import clip, excerpt, luhn_valid, redact

MASKED = [
    # secrets
    ("key sk-ant-api03-abcdefghijklmnopqrstuvwxyz012345 here", "key [secret] here"),
    ("OPENAI_API_KEY=sk-proj-AbCdEfGhIjKlMnOpQrStUv123", "OPENAI_API_KEY=[secret]"),
    ("token ghp_abcdefghijklmnopqrstuvwxyz0123456789", "token [secret]"),
    ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "[secret]"),
    ("slack xoxb-123456789012-abcdefghijkl", "slack [secret]"),
    ("aws AKIAIOSFODNN7EXAMPLE", "aws [secret]"),
    ("Authorization: Bearer abcDEF123456ghiJKL", "Authorization: Bearer [secret]"),
    ("Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic [secret]"),
    (
        "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "jwt [secret]",
    ),
    ("api_key=abcd1234efgh5678&q=1", "api_key=[secret]&q=1"),
    ('{"apiKey": "AbCd1234EfGh5678"}', '{"apiKey": "[secret]"}'),
    ("client_secret: 9f8e7d6c5b4a39281706", "client_secret: [secret]"),
    ('"password": "hunter2"', '"password": "[secret]"'),
    ("my password is Hunter2!", "my password is [secret]"),
    # personal data
    ("write to jane.doe+hotel@example.co.uk today", "write to [email] today"),
    ("Call me at +1 415 555 0123 please", "Call me at [phone] please"),
    ("my number is (415) 555-0123.", "my number is [phone]."),
    ("415.555.0123", "[phone]"),
    ("toll free 1-800-555-0199", "toll free [phone]"),
    ("+44 20 7946 0958", "[phone]"),
    ("+33 6 12 34 56 78", "[phone]"),
    ("+49 (0)30 123456", "[phone]"),
    ("tel:+14155550123", "tel:[phone]"),
    ("0044 20 7946 0958", "[phone]"),
    ("06 12 34 56 78", "[phone]"),
    ("020 7946 0958", "[phone]"),
    ("(030) 1234 5678", "[phone]"),
    ("card 4111 1111 1111 1111 exp 12/27", "card [card] exp 12/27"),
    ("card 5555-5555-5555-4444", "card [card]"),
    ("amex 3782 822463 10005", "amex [card]"),
    ("2 tickets on 4111111111111111", "2 tickets on [card]"),
    ("card 4111111111111111 2B", "card [card] 2B"),
    ("IBAN DE89 3704 0044 0532 0130 00 thanks", "IBAN [iban] thanks"),
    ("GB82WEST12345698765432", "[iban]"),
]

KEPT = [
    "On 2024-01-15 at 10:30 the total was $1,299.00",
    "Price: 1 299,00 € or 12 345 678 points",
    "Order #12345, ORD-88231, room 412, booking BK-2024-000123",
    "Version 1.2.3, v2.10.4 and build 20240115.3",
    "2024-01-15T10:30:00.123456Z and 2024-01-15 10:30:00+02:00",
    "15.01.2024, 01/15/2024, 01-15-2024 10:30, 10:30-11:45",
    "trace 550e8400-e29b-41d4-a716-446655440000 span 4bf92f3577b34da6a3ce929d0e0e4736",
    "ts 1718000000000 id 1728391029384756123",
    "Call 911 or 112; we have 3 rooms for 2 nights",
    "token: expired, password is changed, the bearer of bad news",
    "4111 1111 1111 1112 fails the Luhn check",
    "your key card is at the front desk",
]


@pytest.mark.parametrize(("text", "expected"), MASKED)
def test_redact_masks_secrets_and_personal_data(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize("text", KEPT)
def test_redact_keeps_dates_prices_ids_and_versions(text: str) -> None:
    assert redact(text) == text


def test_redact_keeps_a_quantity_next_to_a_card() -> None:
    assert redact("qty 3 4111 1111 1111 1111") == "qty 3 [card]"


def _luhn_complete(prefix: str) -> str:
    return next(prefix + d for d in "0123456789" if luhn_valid(prefix + d))


cards = st.builds(
    _luhn_complete,
    st.builds(
        lambda first, rest: first + rest, st.sampled_from("23456"), st.text("0123456789", min_size=14, max_size=14)
    ),
)
separators = st.sampled_from(["", " ", "-"])
boundaries = st.sampled_from([" ", "\n", ": ", ", ", " (", ") ", ". ", "\t"])
prose = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@given(prose, boundaries, cards, separators, boundaries, prose)
def test_redact_never_leaves_a_card_number(before: str, left: str, card: str, sep: str, right: str, after: str) -> None:
    grouped = sep.join(card[i : i + 4] for i in range(0, 16, 4))
    out = redact(before + left + grouped + right + after)
    assert card not in re.sub(r"[ -]", "", out)


@given(prose, boundaries, st.emails(), boundaries, prose)
def test_redact_never_leaves_an_email(before: str, left: str, email: str, right: str, after: str) -> None:
    assert email not in redact(before + left + email + right + after)


def test_redact_handles_text_whose_lowercase_is_longer() -> None:
    assert redact("İstanbul token=ABC123456789 İ") == "İstanbul token=[secret] İ"


def test_excerpt_is_one_redacted_line_cut_at_a_word() -> None:
    text = "Guest  wrote:\n\n please call +44 20 7946 0958 about the booking for next weekend with the kids"
    short = excerpt(text, 60)
    assert short == "Guest wrote: please call [phone] about the booking for next…"
    assert len(short) <= 60


def test_excerpt_redacts_before_cutting() -> None:
    secret = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz012345"
    for limit in range(5, 60):
        assert "sk-ant" not in excerpt(f"use {secret} now", limit)


def test_excerpt_leaves_short_text_alone() -> None:
    assert excerpt("Is breakfast included?") == "Is breakfast included?"


def test_clip_cuts_a_single_long_word_hard() -> None:
    assert clip("x" * 300, 20) == "x" * 19 + "…"


def test_redact_checks_iban_check_digits() -> None:
    assert "[iban]" not in redact("DE00 3704 0044 0532 0130 00")
