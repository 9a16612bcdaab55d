"""`optimizer diff-cost`: what each edited prompt or soul costs per turn, before and after a change.

Every turn sends an agent's prompts (their bodies; front matter is metadata) and its soul, so a
file's tokens are paid again on each turn. Tokens are the project's estimate (about four
characters per token), priced at the configured input price; cache discounts are left out.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from optimizer import fmt
from optimizer.artifacts.constants import PROMPT_SUFFIX, PROMPTS_DIR, SOUL_SUFFIXES, SOULS_DIR
from optimizer.artifacts.files import RepoFiles
from optimizer.artifacts.loader import parse_prompt
from optimizer.config import load_settings
from optimizer.errors import ArtifactError
from optimizer.gitops.repo import AgentRepo
from optimizer.text.blocks import estimate_tokens

_PER_TURNS = 1000  # costs per turn are fractions of a cent; per 1,000 turns they read well


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


def render_markdown(preview: CostPreview) -> str:
    lines = [
        "## Token and cost change per turn",
        "",
        f"`{preview.base}` → `{preview.head}`, at ${preview.usd_per_mtok:g} per million input tokens "
        "(`pricing.input_usd_per_mtok` in optimizer.yaml). Tokens are estimated at about four characters "
        "each; every turn sends each prompt's body and the soul; prompt caching would lower the cost.",
        "",
    ]
    if not preview.changed:
        return "\n".join([*lines, "No prompt or soul changed.", ""])
    lines += [
        f"| file | tokens per turn | change | cost per turn | change per {fmt.count(_PER_TURNS)} turns |",
        "|---|---:|---:|---:|---:|",
    ]
    price = preview.usd_per_mtok / 1_000_000
    for cost in preview.changed:
        lines.append(
            f"| `{cost.path}` | {_tokens(cost.before)} → {_tokens(cost.after)} | {_change(cost.before, cost.after)} "
            f"| {_usd(cost.before, price)} → {_usd(cost.after, price)} | {_per_turns(cost.change * price)} |"
        )
    lines.append("")
    for agent, (before, after) in preview.agent_totals.items():
        lines.append(
            f"- **{agent}**: {fmt.count(before)} → {fmt.count(after)} tokens per turn "
            f"({_change(before, after)}), {_per_turns((after - before) * price)} per {fmt.count(_PER_TURNS)} turns."
        )
    return "\n".join([*lines, ""])


def _tokens(tokens: int | None) -> str:
    return "absent" if tokens is None else fmt.count(tokens)


def _usd(tokens: int | None, price: float) -> str:
    return fmt.NONE if tokens is None else f"${tokens * price:.5f}"


def _change(before: int | None, after: int | None) -> str:
    delta = (after or 0) - (before or 0)
    share = f", {fmt.signed_pct(100 * delta / before)}" if before else ""
    return f"{delta:+,}{share}"


def _per_turns(usd_per_turn: float) -> str:
    per_turns = usd_per_turn * _PER_TURNS
    return f"{'-' if per_turns < 0 else '+'}${abs(per_turns):,.2f}"


def diff_cost_command(repo: Path, base: str, head: str, echo: Callable[..., None]) -> None:
    """Print the Markdown comparison of ``base`` and ``head`` (any commit-ish)."""
    settings = load_settings(repo)
    with AgentRepo(repo) as git_repo:
        before, after = git_repo.files_at(base), git_repo.files_at(head)
        preview = compare(before, after, settings.input_usd_per_mtok, before.sha[:12], after.sha[:12])
    echo(render_markdown(preview))
