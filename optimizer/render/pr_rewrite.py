"""Edits of a rendered optimizer PR description, for `/optimizer drop N` and `/optimizer answer N`.
Pure: text in, text out.

Numbering stays as it was rendered, so "drop 3" after "drop 2" still means what the reader sees:
a dropped proposal keeps its number, struck through, with a note in place of its section.
"""

from __future__ import annotations

import re

from optimizer.render import markdown as md
from optimizer.render.pr_body import TITLE_LIMIT

_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_PROPOSES = re.compile(r"proposes \*\*[\d,]+ changes?\*\*")
ANSWERED_NOTE = "**Answered** by @"  # the note under an answered proposal's heading
_LEFT_OUT_NOTE = re.compile(r"^_[\d,]+ more sections? \(proposals or action items\)")


def strike_proposal(body: str, n: int, note: str) -> str:
    """Proposal ``n`` struck in the summary table, and its section replaced by ``note`` (Markdown we wrote)."""
    lines = body.split("\n")
    out: list[str] = []
    skipping = False
    for line in lines:
        if skipping:
            if _ends_section(line):
                skipping = False
            else:
                continue
        if line.startswith(f"### {n}. "):
            out += [f"### ~~{line[4:]}~~ (dropped)", "", note, ""]
            skipping = True
            continue
        out.append(_strike_row(line, n) if line.startswith(f"| {n} | ") else line)
    return "\n".join(out)


def mark_answered(body: str, n: int, by: str, block: str | None = None) -> str:
    """Proposal ``n`` shown as answered by ``by``: a note under its heading, a mark in the summary
    table, and its diff block replaced by ``block`` (Markdown we rendered) when given."""
    lines = body.split("\n")
    section = _section_of(lines, n)
    # an earlier answer's note and the blank line after it: the note is written again under the heading
    stale = {i for i in section if lines[i].startswith(ANSWERED_NOTE)}
    stale |= {i + 1 for i in stale if i + 1 < len(lines) and not lines[i + 1]}
    out: list[str] = []
    ticks = ""
    replace_block = block is not None
    for index, line in enumerate(lines):
        if index not in section:
            out.append(_answered_row(line, n, by) if line.startswith(f"| {n} | ") else line)
        elif index in stale:
            continue
        elif line.startswith(f"### {n}. "):
            out += [line, "", _answered_note(n, by)]
        elif replace_block and not ticks and line.startswith("```") and line.lstrip("`") == "diff":
            ticks = line[: -len("diff")]
        elif ticks:
            if line == ticks:
                ticks, replace_block = "", False
                out.append(block or "")
        else:
            out.append(line)
    return "\n".join(out)


def _section_of(lines: list[str], n: int) -> set[int]:
    """The indexes of the lines of proposal ``n``'s section, its heading included."""
    found: set[int] = set()
    inside = False
    for index, line in enumerate(lines):
        if line.startswith(f"### {n}. "):
            inside = True
        elif inside and _ends_section(line):
            break
        if inside:
            found.add(index)
    return found


def _answered_note(n: int, by: str) -> str:
    return f"{ANSWERED_NOTE}{by} with `/optimizer answer {n}`: the answer in the diff below is theirs."


def _answered_row(line: str, n: int, by: str) -> str:
    cells = _CELL_SPLIT.split(line)
    if len(cells) > 3 and cells[1].strip() == str(n) and "~~" not in cells[2]:
        title = re.sub(r" _\(answered by @[^)]*\)_$", "", cells[2].strip())
        cells[2] = f" {title} _(answered by @{by})_ "
    return "|".join(cells)


def _ends_section(line: str) -> bool:
    # The next proposal, action items or tail section; the hidden meta block; a "sections left out" note.
    return line.startswith(("### ", "<!-- optimizer:meta ")) or _LEFT_OUT_NOTE.match(line) is not None


def _strike_row(line: str, n: int) -> str:
    cells = _CELL_SPLIT.split(line)
    if len(cells) > 3 and cells[1].strip() == str(n) and "~~" not in cells[2]:
        cells[2] = f" ~~{cells[2].strip()}~~ _(dropped)_ "
    return "|".join(cells)


def recount(body: str, remaining: int) -> str:
    """The lead's "proposes **N changes**" after proposals were dropped."""
    return _PROPOSES.sub(f"proposes **{md.plural(remaining, 'change')}**", body, count=1)


def replace_commits(body: str, renamed: dict[str, str]) -> str:
    """Commit references (``commit `abc…` ``, 12 hex digits) of rebuilt commits pointed at the new ones."""
    for old, new in renamed.items():
        body = body.replace(f"commit {md.code(old[:12])}", f"commit {md.code(new[:12])}")
    return body


def retitle(agent: str, remaining: list[str]) -> str:
    """The title for what is left: "optimizer(agent): N proposals — <first title>"."""
    head = f"optimizer({md.clean(agent)}): "
    title = head + (f"{md.plural(len(remaining), 'proposal')} — {md.clean(remaining[0])}" if remaining else "dropped")
    return title if len(title) <= TITLE_LIMIT else title[: TITLE_LIMIT - 1].rstrip() + "…"
