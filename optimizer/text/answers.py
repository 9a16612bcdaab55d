"""Did the assistant answer? Phrase lists for "I don't know" replies and hand-offs.

Precision first: a reply is flagged on a first-person admission or a deferral, never on a
negation alone. ``is_unanswered`` flags:

- not knowing: "I don't know", "I'm not sure", "I'm unsure", "I have no idea";
- no information: "I don't have any information about", "there is no information on";
- not finding: "I can't find any information / details / an answer";
- not helping: "I can't help with that", "I'm unable to answer that",
  "that's outside my knowledge", "that's beyond what I can help with";
- deferring without an answer: "I'll pass your question to a colleague",
  "a colleague will get back to you", "I'll check with the team and get back to you".

Left alone on purpose: "I don't know if you saw, but...", "I'm not sure what you mean" (a
clarifying question), "I couldn't find a booking under that name" (an answer about the
booking), "Unfortunately the pool is closed" (a negative answer is an answer).

``is_handoff`` flags a transfer to someone else: "let me connect you with", "I'll transfer you
to", "connecting you to", "I've escalated this", and the deferrals above.

Both run on most replies, so they cost about a microsecond on an ordinary answer: one lowercase
copy, and regexes that start with a literal ("i", "let me", " will ") so the engine can skip
ahead to the few places worth trying; the rarer phrases sit behind substring tests.
"""

from __future__ import annotations

import re

_UNSURE = (
    r"(?:not(?: entirely| completely| quite| 100%)? (?:sure|certain)|unsure|uncertain)\b"
    r"(?! (?:what you mean|i understand|i follow|(?:if|whether) you\b))"
)
_NO_INFO = r"no (?:idea|information|info|details|data)\b"
_LACK = (
    r"(?:do not|don't|dont) have (?:any |enough |the |that |this |specific |more )?"
    r"(?:information|info|details|data|answer|knowledge)\b"
)
# What follows "I can't" / "I'm unable to" in a non-answer.
_CANNOT = (
    r"(?: (?:find|locate|see|access|retrieve|look up|get|provide|give you)"
    r" (?:any |the |that |this |an |specific |more |further |reliable )?"
    r"(?:information|info|details|data|answer|anything)\b"
    r"| (?:answer|help(?: you)? with|assist(?: you)? with)"
    r" (?:that|this|it|your question|this question|that question|this request|that request)\b)"
)
_PEOPLE = (
    "colleague",
    "colleagues",
    "team",
    "team member",
    "staff",
    "staff member",
    "human",
    "human agent",
    "manager",
    "supervisor",
    "specialist",
    "reception",
    "front desk",
    "someone",
)
_PERSON = "(?:" + "|".join(sorted(_PEOPLE, key=len, reverse=True)) + ")"
# What follows "I will" / "I'll" in a deferral: "pass your question to a colleague",
# "check with the team and get back to you".
_DEFER = (
    r"(?: (?:pass|forward|send|hand|relay|refer|escalate) (?:this|it|that"
    r"|your (?:question|request|query|message))(?: on| over)? to (?:a |my |our |the )?"
    + _PERSON
    + r"| (?:check|ask|confirm) with (?:a |my |our |the )?"
    + _PERSON
    + r" and (?:get back to you|let you know))"
)
_TRANSFER = r" (?:connect|transfer|put|hand) you (?:through |over )?(?:to|with)\b"


def _i_phrases(after_space: tuple[str, ...], after_apostrophe: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """Two regexes for phrases starting "i " and "i'": a two-character literal lets the engine
    skip straight to the rare places where the pronoun stands, instead of trying every "i"."""
    return (
        re.compile(r"i (?<![a-z0-9']i )(?:" + "|".join(after_space) + ")"),
        re.compile(r"i'(?<![a-z0-9']i')(?:" + "|".join(after_apostrophe) + ")"),
    )


_I_UNANSWERED = _i_phrases(
    (
        r"(?:really )?(?:do not|don't|dont) know\b(?! (?:if|whether) you\b)",
        "am " + _UNSURE,
        "(?:have|had) " + _NO_INFO,
        _LACK,
        r"(?:can't|cannot|can not|couldn't|could not|am unable to|was unable to"
        r"|am not able to|wasn't able to|was not able to)" + _CANNOT,
        "will" + _DEFER,
    ),
    ("m " + _UNSURE, "ve got " + _NO_INFO, "m (?:unable|not able) to" + _CANNOT, "ll" + _DEFER),
)
_I_HANDOFF = _i_phrases(
    (
        "(?:will|am going to|can)" + _TRANSFER,
        r"(?:have|will) escalated? (?:this|it|your)\b",
        "will" + _DEFER,
    ),
    ("(?:ll|m going to)" + _TRANSFER, r"(?:ve|ll) escalated? (?:this|it|your)\b", "ll" + _DEFER),
)
# "a colleague will get back to you": the literal " will " first, then who says it, looking back.
_WILL_GET_BACK = re.compile(
    r" will(?:"
    + "|".join(f"(?<={person} will)" for person in _PEOPLE)
    + r") (?:get back to you|be in touch|contact you|reach out to you|follow up with you)"
)
_NO_INFORMATION = re.compile(r"there(?: is|'s) no (?:information|info|details|data)\b")
_OUTSIDE = re.compile(r"\b(?:that|this|it)(?:'s| is) (?:outside|beyond) (?:my (?:knowledge|expertise|scope)|what i)\b")
_LET_ME_HANDOFF = re.compile(r"let me" + _TRANSFER)
_ING_HANDOFF = re.compile(r"\b(?:connecting|transferring|handing) you (?:through |over )?(?:to|with)\b")


def _lowered(text: str) -> str:
    lowered = text.lower()
    return lowered.replace("\u2019", "'") if "\u2019" in lowered else lowered


# Reply -> verdict. Agents repeat their canned replies ("I'm sorry, I don't have information about
# that."), so most verdicts are a dict hit; kept as it is once full, like the topic token cache.
_VERDICTS: dict[str, bool] = {}
_MAX_VERDICTS = 20_000
_MAX_VERDICT_CHARS = 400  # longer replies rarely repeat word for word: not worth their memory


def is_unanswered(assistant_text: str) -> bool:
    """True when the reply admits it has no answer, or defers the question to someone else."""
    verdict = _VERDICTS.get(assistant_text)
    if verdict is None:
        verdict = _is_unanswered(assistant_text)
        if len(_VERDICTS) < _MAX_VERDICTS and len(assistant_text) <= _MAX_VERDICT_CHARS:
            _VERDICTS[assistant_text] = verdict
    return verdict


def _is_unanswered(assistant_text: str) -> bool:
    text = _lowered(assistant_text)
    return (
        _I_UNANSWERED[0].search(text) is not None
        or _I_UNANSWERED[1].search(text) is not None
        or (" will " in text and _WILL_GET_BACK.search(text) is not None)
        or ("no " in text and _NO_INFORMATION.search(text) is not None)
        or (("outside" in text or "beyond" in text) and _OUTSIDE.search(text) is not None)
    )


def is_handoff(text: str) -> bool:
    """True when the reply hands the conversation to a colleague, a human or another team."""
    lowered = _lowered(text)
    return (
        _I_HANDOFF[0].search(lowered) is not None
        or _I_HANDOFF[1].search(lowered) is not None
        or ("let me" in lowered and _LET_ME_HANDOFF.search(lowered) is not None)
        or ("ing you" in lowered and _ING_HANDOFF.search(lowered) is not None)
        or (" will " in lowered and _WILL_GET_BACK.search(lowered) is not None)
    )
