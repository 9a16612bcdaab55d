"""Replace spans of a text by a label: how every redaction pass masks what it found by position."""

from __future__ import annotations

from collections.abc import Iterable


def replace_spans(text: str, spans: Iterable[tuple[int, int]], label: str) -> str:
    """``text`` with each ``(start, end)`` span (in order, not overlapping) replaced by ``label``."""
    pieces: list[str] = []
    last = 0
    for start, end in spans:
        pieces += (text[last:start], label)
        last = end
    return "".join((*pieces, text[last:])) if pieces else text
