"""Edits of a rendered optimizer PR description, for `/optimizer drop N`. Pure: text in, text out.

Numbering stays as it was rendered, so "drop 3" after "drop 2" still means what the reader sees:
a dropped proposal keeps its number, struck through, with a note in place of its section.
"""

from __future__ import annotations

import re

from optimizer.render import markdown as md
from optimizer.render.pr_body import TITLE_LIMIT

_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_PROPOSES = re.compile(r"proposes \*\*[\d,]+ changes?\*\*")
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
