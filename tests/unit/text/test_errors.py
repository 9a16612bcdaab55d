from __future__ import annotations

import pytest

from optimizer.text.errors import normalize_error

SAME = [
    (
        "Timeout after 3000ms calling availability for room 412",
        "Timeout after 5000ms calling availability for room 17",
    ),
    ("Room 'Deluxe King' not found", 'Room "Garden Suite" not found'),
    ("Booking ORD-88231 not found", "Booking ORD-1 not found"),
    ("No rate for room_123", "No rate for room_9"),
    (
        "request 550e8400-e29b-41d4-a716-446655440000 failed",
        "request 6ba7b810-9dad-11d1-80b4-00c04fd430c8 failed",
    ),
    ("span 4bf92f3577b34da6 rejected", "span 00f067aa0ba902b7 rejected"),
    ("Invalid guest jane@example.com", "Invalid guest bob.smith@example.org"),
    (
        "GET https://api.example.com/rooms?date=2024-01-01&guests=2 failed",
        "GET https://api.example.com/rooms?date=2025-06-30&guests=4 failed",
    ),
    ("took 1.5s, limit 1,000.25", "took 12s, limit 3"),
    ("deadline at 2024-01-15T10:30:00Z", "deadline at 2025-12-01T23:59:59.123+02:00"),
    ("Rate   limited\n  by upstream", "Rate limited by upstream"),
]


@pytest.mark.parametrize(("first", "second"), SAME)
def test_occurrences_of_one_error_normalise_alike(first: str, second: str) -> None:
    assert normalize_error(first) == normalize_error(second)


def test_normalised_error_reads_like_the_error() -> None:
    assert (
        normalize_error("Timeout after 3000ms calling availability for room 412")
        == "Timeout after <n>ms calling availability for room <n>"
    )


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("HTTP 404 from booking api", "HTTP 500 from booking api"),
        ("status=429", "status=503"),
        ('{"error": {"code": 401}}', '{"error": {"code": 403}}'),
        ("Timeout calling availability", "Timeout calling payments"),
    ],
)
def test_different_errors_stay_apart(first: str, second: str) -> None:
    assert normalize_error(first) != normalize_error(second)


def test_json_keys_stay_readable() -> None:
    message = '{"error": {"code": 429, "message": "Too many requests for user 42"}}'
    assert normalize_error(message) == '{"error": {"code": 429, "message": \'…\'}}'


def test_apostrophes_are_not_quotes() -> None:
    assert normalize_error("can't reach 'inventory' and won't retry") == "can't reach '…' and won't retry"


def test_words_that_look_like_hex_stay() -> None:
    assert normalize_error("decade facade v2 utf8") == "decade facade v2 utf8"


def test_secrets_do_not_survive() -> None:
    out = normalize_error("auth failed for Bearer abcDEF123456ghiJKL card 4111 1111 1111 1111")
    assert "abcDEF" not in out
    assert "4111" not in out


def test_length_is_capped() -> None:
    out = normalize_error("word " * 100)
    assert len(out) <= 200
    assert out.endswith("…")
