"""What `/optimizer answer N <text>` writes: one line of plain text, capped, nothing to redact (pure)."""

from __future__ import annotations

import pytest

from optimizer.approve.answer import ANSWER_CHARS, checked_answer
from optimizer.approve.drop import CommandRefused


def test_an_answer_is_written_as_one_clean_line():
    assert checked_answer("  Dogs   stay\tfree \u202e(£15 a night).  ") == "Dogs stay free (£15 a night)."


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "Write the answer after the number"),
        ("\u200b\u202e", "Write the answer after the number"),
        ("TODO(owner): later", "still the placeholder"),
        ("x" * (ANSWER_CHARS + 1), "1,000 at most"),
        ("Mail ada@example.com for a dog bed", "personal data"),
        ("The wifi password is hunter2, key ghp_" + "Ab1" * 12, "secret"),
    ],
)
def test_an_answer_that_cannot_be_written_is_refused_with_the_reason(text, why):
    with pytest.raises(CommandRefused, match=why) as refused:
        checked_answer(text)
    assert "ada@example.com" not in str(refused.value) and "ghp_" not in str(refused.value)
