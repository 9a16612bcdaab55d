"""A draft FAQ answer from what staff replied after a hand-off: the answer a person already gave.

The reply most often given wins (the first, on a tie). A greeting line or opening ("Hi Maria,")
and the sign-off ("Kind regards, Tom") are dropped, since they name people, not the answer. A
reply is never used when it lost something to redaction, reads like an instruction to the agent,
or is too short to answer anything. Pure.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

_GREETING = re.compile(r"^(hi|hello|hey|dear|good (morning|afternoon|evening))\b[^,.!?\n]{0,40}[,!.]\s*", re.I)
_SIGN_OFF = re.compile(
    r"(?:^|(?<=\n)|(?<=[.!?]\s))(kind regards|best regards|regards|best|cheers|thanks|thank you|many thanks|"
    r"all the best|speak soon)\b",
    re.I,
)
SIGN_OFF_CHARS = 60  # a sign-off is the reply's tail: a name, a team
_UNSAFE = re.compile(
    r"\[redacted|<redacted|ignore (all|previous|the)|instruction|system prompt|you are now|http|www\.", re.I
)
MIN_CHARS = 20
MAX_CHARS = 600


def draft_answer(replies: Sequence[tuple[str, str]]) -> tuple[str, tuple[str, ...]] | None:
    """(the answer, the trace ids that gave it), from (trace id, redacted reply) pairs; None when none is usable."""
    cleaned = [(trace_id, answer_body(reply)) for trace_id, reply in replies]
    usable = [(trace_id, text) for trace_id, text in cleaned if _usable(text)]
    if not usable:
        return None
    counts = Counter(text for _id, text in usable)
    best = max(counts, key=lambda text: (counts[text], -[t for _i, t in usable].index(text)))
    return best, tuple(trace_id for trace_id, text in usable if text == best)


def answer_body(reply: str) -> str:
    """The reply without its greeting and sign-off, on one line."""
    text = _GREETING.sub("", reply.strip(), count=1)
    for found in _SIGN_OFF.finditer(text):
        if len(text) - found.start() <= SIGN_OFF_CHARS:
            text = text[: found.start()]
            break
    text = " ".join(text.split())
    return text[:1].upper() + text[1:]


def _usable(text: str) -> bool:
    return MIN_CHARS <= len(text) <= MAX_CHARS and not _UNSAFE.search(text) and not text.endswith("…")
