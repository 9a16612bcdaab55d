from __future__ import annotations

import pytest

from optimizer.text.answers import is_handoff, is_unanswered
from tests.support.answers import ANSWERED, UNANSWERED


@pytest.mark.parametrize("reply", UNANSWERED)
def test_replies_without_an_answer_are_flagged(reply: str) -> None:
    assert is_unanswered(reply)


@pytest.mark.parametrize("reply", ANSWERED)
def test_ordinary_answers_are_not_flagged(reply: str) -> None:
    assert not is_unanswered(reply)


HANDOFFS = [
    "Let me connect you with our front desk.",
    "I'll transfer you to a human agent now.",
    "I'm going to put you through to reception.",
    "Connecting you to reception, one moment.",
    "I've escalated this to the manager on duty.",
    "A colleague will get back to you within 24 hours.",
]

NOT_HANDOFFS = [
    "Let me check that for you.",
    "You can connect to the wifi with the password on your key card.",
    "I'll put you on the waiting list.",
    "Handing in your key at checkout is not needed.",
    "Our team will prepare the room before you arrive.",
]


@pytest.mark.parametrize("reply", HANDOFFS)
def test_handoffs_are_recognised(reply: str) -> None:
    assert is_handoff(reply)


@pytest.mark.parametrize("reply", NOT_HANDOFFS)
def test_other_replies_are_not_handoffs(reply: str) -> None:
    assert not is_handoff(reply)
