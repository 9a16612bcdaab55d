"""What the agent runs: one deployed version of its soul and prompts, as ``Runtime.load()`` returns it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from optimizer.runtime.arms import Arm, arm_of
from optimizer.runtime.prompts import PromptTemplate, Rendered

Source = Literal["supabase", "local", "cache", "snapshot"]


@dataclass(frozen=True)
class ActiveVersion:
    """An agent's soul and prompts at one deployed version, and the version its traces carry.

    ``load()`` hands each conversation its own copy, so what ``compile`` records (the blocks it
    filled) goes into that conversation's traces only.
    """

    agent: str
    version: str  # the git SHA of the deploy
    soul: str | None  # the soul's YAML text
    prompts: dict[str, str] = field(default_factory=dict)  # path -> Markdown text, front matter included
    source: Source = "local"
    fallback: bool = False  # True: the deployed snapshot, served because the store could not be read
    session_id: str | None = None
    renders: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False, repr=False)  # name -> summary
    arm: Arm | None = None  # the session's arm while a canary runs, else None
    canary: ActiveVersion | None = field(default=None, compare=False, repr=False)  # the running canary, if any
    canary_share: float = 0.0  # of sessions, while a canary runs

    def for_session(self, session_id: str | None) -> ActiveVersion:
        """A copy for one conversation, with nothing rendered yet: while a canary runs, the arm the
        session id falls in (runtime/arms.py); a load without a session id runs the stable version."""
        if self.canary is None:
            return replace(self, session_id=session_id, renders={})
        if session_id is not None and arm_of(session_id, self.canary.version, self.canary_share) == "canary":
            chosen = replace(self.canary, source=self.source)
            return replace(chosen, session_id=session_id, renders={}, arm="canary", canary=None, canary_share=0.0)
        return replace(self, session_id=session_id, renders={}, arm="stable", canary=None, canary_share=0.0)

    def with_canary(self, canary: ActiveVersion | None, share: float) -> ActiveVersion:
        """This (stable) version with the canary a share of sessions runs; none when it is this version."""
        if canary is None or canary.version == self.version:
            return self
        return replace(self, canary=canary, canary_share=share)

    def template(self, name: str) -> PromptTemplate:
        """A prompt by file name without folder or suffix: ``template("system")``."""
        for path, text in sorted(self.prompts.items()):
            if path.rsplit("/", 1)[-1].removesuffix(".md") == name:
                return PromptTemplate.parse(name, path, text)
        raise KeyError(f"{self.agent} has no prompt {name!r} (has: {', '.join(sorted(self.prompts)) or 'none'})")

    def prompt(self, name: str) -> str:
        """The prompt's body, without its front matter, placeholders as written."""
        return self.template(name).body

    def compile(self, name: str, **values: object) -> str:
        """The prompt with its ``{{NAME}}`` placeholders filled (PromptTemplate.compile); the filled
        blocks' sizes and hashes are kept for this conversation's traces."""
        rendered: Rendered = self.template(name).compile(**values)
        self.renders[name] = rendered.summary()
        return rendered.text

    def trace_metadata(self) -> dict[str, Any]:
        """What the traces of this conversation add to ``metadata``: the prompts as rendered, and
        whether the version is the fallback."""
        extra: dict[str, Any] = {}
        if self.renders:
            extra["prompt_blocks"] = [self.renders[name] for name in sorted(self.renders)]
        if self.fallback:
            extra["fallback"] = True
        return extra
