"""Names the artifacts package shares with the analysts and the guardrails."""

from __future__ import annotations

# What an analyst writes as the answer of a new FAQ entry: validate fails on it, so the entry
# cannot be deployed before the owner has written the real answer.
UNWRITTEN_ANSWER_MARKER = "TODO(owner):"

# The soul lists an append_item edit may grow.
SOUL_LIST_FIELDS: tuple[str, ...] = ("always_do", "never_do", "escalation")

SOULS_DIR = "souls"
PROMPTS_DIR = "prompts"
SOUL_SUFFIXES: tuple[str, ...] = (".yaml", ".yml")
PROMPT_SUFFIX = ".md"


def soul_paths(agent: str) -> list[str]:
    """Where an agent's soul may be: ``souls/<agent>.yaml`` or ``.yml``."""
    return [f"{SOULS_DIR}/{agent}{suffix}" for suffix in SOUL_SUFFIXES]
