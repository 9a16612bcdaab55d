"""Does a proposal copy trace text into a soul or prompt? Trace text is untrusted: a reviewer must know.

Compared word by word, case-insensitively: a run of ``MIN_RUN`` words from an excerpt, or a whole
excerpt of at least ``MIN_WHOLE`` words, found in the text the edit adds. Words a prompt shares
with a trace by nature (a tool name, "the booking") are far shorter than that. Only added words
count: a replacement that keeps or deletes text (the duplicated block taken out) copies nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from difflib import SequenceMatcher

from optimizer.models import Edit, Finding, Proposal

MIN_RUN = 8
MIN_WHOLE = 4
_WORD = re.compile(r"\w+")


def copied_trace_text(proposal: Proposal, findings: Iterable[Finding]) -> str | None:
    """The copied words (lower-cased), or None when nothing was copied."""
    added = _added_words(proposal.edit)
    if len(added) < MIN_WHOLE:
        return None
    joined = f" {' '.join(added)} "
    runs = {tuple(added[i : i + MIN_RUN]) for i in range(len(added) - MIN_RUN + 1)}
    for finding in findings:
        for text in finding.evidence.excerpts:
            copied = _copied(_words(text), joined, runs)
            if copied:
                return copied
    return None


def _copied(words: list[str], joined: str, runs: set[tuple[str, ...]]) -> str | None:
    if len(words) >= MIN_WHOLE and f" {' '.join(words)} " in joined:
        return " ".join(words)
    for i in range(len(words) - MIN_RUN + 1):
        if tuple(words[i : i + MIN_RUN]) in runs:
            end = i + MIN_RUN
            while end < len(words) and f" {' '.join(words[i : end + 1])} " in joined:
                end += 1  # show the whole copied stretch, not only its first words
            return " ".join(words[i:end])
    return None


def _added_words(edit: Edit) -> list[str]:
    """The words the edit writes that the text it replaces did not have, in order."""
    new = _words(" ".join(text for text in (edit.new, edit.question, edit.answer) if text))
    if not edit.old:
        return new
    matcher = SequenceMatcher(None, _words(edit.old), new, autojunk=False)
    return [word for tag, _i, _j, k, m in matcher.get_opcodes() if tag in ("insert", "replace") for word in new[k:m]]


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


_MASK = re.compile(r"\[(?:secret|email|id|iban|card|phone|address|name)\]")
_ORDER = re.compile(r"\b(?:ignore|disregard|forget|always|never|you must|you should|do not|don't)\b", re.IGNORECASE)


def unsafe_trace_copy(proposal: Proposal, findings: Iterable[Finding]) -> str | None:
    """Why an FAQ question or a soul rule may not be written: it copies a user's words that carry
    personal data (masked by redaction) or an order aimed at the agent. None when it does not."""
    edit = proposal.edit
    written = {"add_faq": edit.question, "append_item": edit.new}.get(edit.op)
    if not written:
        return None
    copied = copied_trace_text(proposal, findings)
    if copied is None or copied not in " ".join(_words(written)):
        return None
    if _MASK.search(written):
        return f"it copies a user's words carrying personal data (“{copied}”)"
    if _ORDER.search(copied):
        return f"it copies an order from a trace (“{copied}”)"
    return None
