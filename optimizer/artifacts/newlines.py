"""Keep a file's newline style (LF or CRLF) when text is written into it."""

from __future__ import annotations


def newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def to_newline(text: str, newline: str) -> str:
    """``text`` with its line ends written as ``newline``."""
    return text.replace("\r\n", "\n").replace("\n", newline) if newline != "\n" else text.replace("\r\n", "\n")


def run_length(text: str, newline: str, *, at_end: bool) -> int:
    """How many ``newline`` sit back to back at the end (or the start) of ``text``."""
    has = text.endswith if at_end else text.startswith
    count = 0
    while has(newline * (count + 1)):
        count += 1
    return count
