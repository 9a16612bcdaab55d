"""GitHub Markdown from untrusted text, and numbers for humans. Pure functions.

Trace excerpts, finding subjects and analyst prose may carry text written by anyone who talked
to the agent. Everything that is not ours goes through ``text`` (escaped inline Markdown),
``code`` (a code span), ``fence`` (a fenced block) or ``html_text`` (inside an HTML tag), so it
cannot add links, images, mentions, issue references, HTML, comments, or close our blocks.
"""

from __future__ import annotations

import html
import re

from optimizer.fmt import NONE, count, ms, pct, usd

ZWSP = "\u200b"  # breaks @mentions, #refs and autolinks without changing what a reader sees

# C0 controls (tab and newline are handled by the callers), DEL, and bidi overrides that can
# make text read differently from what it is.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]~$|])")
_LINE_MARKER = re.compile(r"^([#+=-])")  # heading, list item, setext underline
_LINE_NUMBER = re.compile(r"^(\d+)([.)])")  # ordered list item
_BACKTICKS = re.compile(r"`+")
_HEX_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


def clean(value: str) -> str:
    """One line: whitespace collapsed, control and bidi characters removed."""
    return _CONTROLS.sub("", " ".join(value.split()))


def _defuse(value: str) -> str:
    value = value.replace("@", "@" + ZWSP)
    value = re.sub(r"#(?=\d)", "#" + ZWSP, value)
    value = re.sub(r"(?i)\b(gh)-(?=\d)", r"\1" + ZWSP + "-", value)
    value = value.replace("://", ":" + ZWSP + "//")
    return re.sub(r"(?i)\b(www)\.", r"\1" + ZWSP + ".", value)


def text(value: str) -> str:
    """Untrusted text as one line of inline Markdown that renders as itself, and nothing more."""
    escaped = html.escape(clean(value), quote=False)
    escaped = _MD_SPECIAL.sub(r"\\\1", escaped)
    escaped = _LINE_NUMBER.sub(r"\1\\\2", _LINE_MARKER.sub(r"\\\1", escaped))
    return _defuse(escaped)


def paragraphs(value: str) -> str:
    """Untrusted multi-line prose: each line escaped like ``text``, blank lines kept as breaks."""
    lines = [text(line) for line in value.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def html_text(value: str) -> str:
    """Untrusted text inside an HTML element (where Markdown is not parsed)."""
    return _defuse(html.escape(clean(value), quote=True))


def code(value: str, *, table: bool = False) -> str:
    """A code span: shows the text verbatim whatever backticks it holds."""
    inner = clean(value)
    if not inner:
        return NONE
    longest = max((len(run) for run in _BACKTICKS.findall(inner)), default=0)
    tick = "`" * (longest + 1)
    pad = " " if longest or inner.startswith(" ") or inner.endswith(" ") else ""
    span = f"{tick}{pad}{inner}{pad}{tick}"
    # GitHub splits table cells on "|" even inside code spans, unless escaped.
    return span.replace("|", "\\|") if table else span


def fence(value: str, info: str = "") -> str:
    """A fenced code block longer than any backtick run inside, so the text cannot close it."""
    body = _CONTROLS.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).rstrip("\n")
    longest = max((len(run) for run in _BACKTICKS.findall(body)), default=0)
    tick = "`" * max(3, longest + 1)
    return f"{tick}{info}\n{body}\n{tick}"


def quote(value: str) -> str:
    """An untrusted excerpt as one quoted line."""
    return "> " + text(value)


def details(summary: str, content: str) -> str:
    """A collapsed block; ``summary`` is plain text, ``content`` Markdown we produced."""
    return f"<details><summary>{html_text(summary)}</summary>\n\n{content.strip()}\n\n</details>"


def table(header: list[str], rows: list[list[str]], numeric: set[int] | None = None) -> str:
    """A GitHub table; cells must be Markdown we produced (escaped); ``numeric`` columns align right."""
    right = numeric or set()
    rule = ["---:" if i in right else "---" for i in range(len(header))]
    lines = [header, rule, *rows]
    return "\n".join("| " + " | ".join(cell.replace("\n", " ") for cell in line) + " |" for line in lines)


def clip(value: str, limit: int) -> tuple[str, int]:
    """The first ``limit`` characters and how many were left out."""
    if len(value) <= limit:
        return value, 0
    return value[:limit].rstrip() + "…", len(value) - limit


def plural(n: int, word: str) -> str:
    return f"{count(n)} {word}" + ("" if n == 1 else "s")


def number(value: float) -> str:
    if float(value).is_integer():
        return count(int(value))
    return f"{value:,.2f}" if abs(value) >= 1 else f"{value:.3g}"


def figure(name: str, value: float | int | str | None) -> str:
    """A finding's figure, formatted by what its name says it is."""
    key = name.lower()
    if value is None:
        return NONE
    if isinstance(value, str):
        return text(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    rate_threshold = "threshold" in key and isinstance(value, float) and 0 < value < 1
    if key.endswith(("_rate", "_share")) or key in ("rate", "share") or rate_threshold:
        return pct(value)
    if "pct" in key or "percent" in key:
        return f"{value:+.1f}%" if "delta" in key or "change" in key else f"{value:.1f}%"
    if "usd" in key or "cost" in key:
        return usd(value)
    if key.endswith("_ms") or "latency" in key:
        return ms(value)
    return number(value)


def label(name: str) -> str:
    """A figure name for a header: ``failure_rate`` -> ``failure rate``."""
    return text(name.replace("_", " "))


def version(value: str) -> str:
    """A prompt version as a code span; git SHAs shortened to 12 characters."""
    return code(value[:12] if _HEX_SHA.fullmatch(value) else value, table=True)
