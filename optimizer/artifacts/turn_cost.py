"""What each prompt or soul file costs per turn, before and after a change.

Every turn sends an agent's prompts (their bodies; front matter is metadata) and its soul, so a
file's tokens are paid again on each turn. Tokens are the project's estimate (about four
characters per token). Pure: two sets of files in, the figures out.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from optimizer.artifacts.constants import PROMPT_SUFFIX, PROMPTS_DIR, SOUL_SUFFIXES, SOULS_DIR
from optimizer.artifacts.files import RepoFiles
from optimizer.artifacts.loader import parse_prompt
from optimizer.errors import ArtifactError
from optimizer.text.blocks import estimate_tokens


@dataclass(frozen=True)
class FileCost:
    """Tokens per turn of one prompt or soul file on each side; None where the file is absent."""

    path: str
    agent: str
    before: int | None
    after: int | None

    @property
    def change(self) -> int:
        return (self.after or 0) - (self.before or 0)


@dataclass(frozen=True)
class CostPreview:
    changed: tuple[FileCost, ...]  # files whose text differs, by path
    agent_totals: dict[str, tuple[int, int]]  # agent -> tokens per turn of all its files, before and after
    usd_per_mtok: float
    base: str
    head: str


def agent_of(path: str) -> str | None:
    """The agent a repo path belongs to (``prompts/<agent>/**.md``, ``souls/<agent>.yaml``), else None."""
    parts = path.split("/")
    if parts[0] == PROMPTS_DIR and len(parts) >= 3 and path.endswith(PROMPT_SUFFIX):
        return parts[1]
    stem, suffix = posixpath.splitext(parts[-1])
    if parts[0] == SOULS_DIR and len(parts) == 2 and suffix in SOUL_SUFFIXES and stem:
        return stem
    return None


def turn_tokens(path: str, text: str) -> int:
    """Tokens this file adds to every turn: a prompt's body, a soul's whole text."""
    if path.endswith(PROMPT_SUFFIX):
        try:
            return estimate_tokens(parse_prompt(path, text).body)
        except ArtifactError:
            pass  # broken front matter: validate reports it; count the whole file meanwhile
    return estimate_tokens(text)


def compare(before: RepoFiles, after: RepoFiles, usd_per_mtok: float, base: str, head: str) -> CostPreview:
    old, new = _agent_files(before), _agent_files(after)
    changed: list[FileCost] = []
    totals: dict[str, tuple[int, int]] = {}
    for path in sorted(old.keys() | new.keys()):
        agent = agent_of(path) or ""
        old_text, new_text = old.get(path), new.get(path)
        old_tokens = None if old_text is None else turn_tokens(path, old_text)
        new_tokens = None if new_text is None else turn_tokens(path, new_text)
        was, now = totals.get(agent, (0, 0))
        totals[agent] = (was + (old_tokens or 0), now + (new_tokens or 0))
        if old_text != new_text:
            changed.append(FileCost(path, agent, old_tokens, new_tokens))
    touched = {cost.agent for cost in changed}
    return CostPreview(
        tuple(changed), {a: t for a, t in sorted(totals.items()) if a in touched}, usd_per_mtok, base, head
    )


def _agent_files(files: RepoFiles) -> dict[str, str]:
    found = {}
    for path in [*files.list_files(PROMPTS_DIR), *files.list_files(SOULS_DIR)]:
        text = files.read_text(path) if agent_of(path) else None
        if text is not None:
            found[path] = text
    return found
