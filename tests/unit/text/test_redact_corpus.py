"""Every kind in the leak corpus is masked, and the secret formats agree with a maintained scanner."""

from __future__ import annotations

import pytest
from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.core.scan import scan_line
from detect_secrets.settings import transient_settings

from optimizer.text.errors import normalize_error
from optimizer.text.redact import excerpt, redact
from tests.support.leak_corpus import DETECT_SECRETS, LEAKS, leak_texts

_REGEX_PLUGINS = [
    {"name": plugin.__name__}
    for plugin in get_mapping_from_secret_type_to_class().values()
    if plugin.__name__ not in {"HexHighEntropyString", "Base64HighEntropyString", "KeywordDetector", "IPPublicDetector"}
]


def test_the_corpus_holds_sixty_kinds() -> None:
    assert len({kind for kind, _, _ in LEAKS}) >= 60


@pytest.mark.parametrize(("kind", "text", "value"), leak_texts(), ids=[kind for kind, _, _ in LEAKS])
def test_every_kind_is_masked(kind: str, text: str, value: str) -> None:
    out = redact(text)
    assert value not in out, out
    assert "[" in out
    assert value not in excerpt(text, 60)


@pytest.mark.parametrize("kind", sorted(DETECT_SECRETS))
def test_detect_secrets_flags_the_same_values(kind: str) -> None:
    text = next(text for k, text, _ in leak_texts() if k == kind)
    with transient_settings({"plugins_used": _REGEX_PLUGINS}):
        found = [secret for line in text.splitlines() for secret in scan_line(line)]
    assert found, f"detect-secrets does not know {kind}: the sample is not a real format"
    assert redact(text) != text


KEPT = [
    "Is breakfast included? We arrive at 3 pm with 2 kids.",
    "Hi, is the pool open? Thanks, that helps.",
    "Hello there, I need a taxi. Thanks so much!",
    "The Grand Hotel on Main Street is nice; we stay 3 nights at the Ritz",
    "git sha 3f786850e387550fdab836ed7e6dc881de23001b failed on build 20240115.3",
    "Timeout after 3000ms calling availability for room 412: HTTP 503",
    "I am interested in room 12 for 2 nights from 2026-12-01",
    "Order ORD-88231 costs 1 299,00 € for 4 people",
]


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_evidence_stays_readable(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kind regards, Rachel Wright", "Kind regards, [name]"),
        ("Hi Rachel, can I", "Hi [name], can I"),
        ("Thanks, Pete", "Thanks, [name]"),
        ("Mrs Wright called", "Mrs [name] called"),
        ("my SSN is 078-05-1120", "my SSN is [id]"),
        ("I live at 221B Baker Street, London NW1 6XE", "I live at [address], London [address]"),
        ("postgres://app:Pg5ecret@db:5432/x", "postgres://app:[secret]@db:5432/x"),
        ("card 4012.8888.8888.1881 ok", "card [card] ok"),
    ],
)
def test_what_replaces_a_value_says_its_kind(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(("kind", "text", "value"), leak_texts(), ids=[kind for kind, _, _ in LEAKS])
def test_an_error_pattern_holds_no_kind(kind: str, text: str, value: str) -> None:
    pattern = normalize_error(f"booking failed for {text} (code 503)")
    assert value not in pattern, pattern
    assert "503" in pattern  # the pattern still says what failed
