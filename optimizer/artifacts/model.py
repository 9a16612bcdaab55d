"""What an agent is made of, as read from the repo: its soul and its prompts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PromptFile:
    """A Markdown prompt; ``body`` is ``text[body_offset:]``, after the optional front matter."""

    path: str
    text: str
    front_matter: dict[str, Any]
    body: str
    body_offset: int

    @property
    def tools(self) -> tuple[str, ...]:
        return tuple(self.front_matter.get("tools") or ())

    @property
    def required_placeholders(self) -> tuple[str, ...]:
        return tuple(self.front_matter.get("required_placeholders") or ())


@dataclass(frozen=True)
class Soul:
    """``souls/<agent>.yaml``: its text, kept for surgical edits, and its parsed mapping."""

    path: str
    text: str
    data: dict[str, Any]


@dataclass(frozen=True)
class AgentArtifacts:
    agent: str
    soul: Soul | None
    prompts: tuple[PromptFile, ...]

    @property
    def declared_tools(self) -> tuple[str, ...]:
        """Every tool some prompt declares, in first-seen order."""
        return tuple(dict.fromkeys(tool for prompt in self.prompts for tool in prompt.tools))
