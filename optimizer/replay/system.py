"""The system prompt a replay sends: the agent's prompts compiled by the runtime, and its soul as deployed.

What the agent reads is built the way it is at run time: ``deploy`` ships the soul less its
unwritten FAQ entries, and the runtime's ``compile()`` fills each prompt's ``{{NAME}}`` placeholders.
The traces do not record what the agent filled in, so a placeholder gets ``replay.placeholders``
from optimizer.yaml, else a note saying it was not recorded. The prompts come first (``system``
before the others), then the soul; the tools are those the prompts declare.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass

from optimizer.artifacts.files import RepoFiles
from optimizer.artifacts.loader import load_agent
from optimizer.deploy.artifacts import without_unanswered
from optimizer.errors import EditError
from optimizer.runtime.active import ActiveVersion

NOT_RECORDED = "(not recorded in the trace)"


@dataclass(frozen=True)
class AgentVersion:
    """One version of an agent's files, ready to send."""

    system: str
    tools: tuple[str, ...]
    soul: str  # the soul as deployed: what the judge checks an answer against

    @property
    def chars(self) -> int:
        return len(self.system)


def agent_version(files: RepoFiles, agent: str, placeholders: Mapping[str, str]) -> AgentVersion:
    artifacts = load_agent(files, agent)
    soul = artifacts.soul
    if soul is not None:
        with suppress(EditError):  # validate reports it; the replay reads the soul as written
            soul, _left_out = without_unanswered(soul)
    active = ActiveVersion(agent, "replay", soul.text if soul else None, {p.path: p.text for p in artifacts.prompts})
    names = sorted((_name(p.path) for p in artifacts.prompts), key=lambda name: (name != "system", name))
    compiled = [_compiled(active, name, placeholders) for name in names]
    if soul is not None:
        compiled.append(f"# Soul ({soul.path})\n\n{soul.text.strip()}")
    return AgentVersion("\n\n".join(compiled), artifacts.declared_tools, soul.text if soul else "")


def _name(path: str) -> str:
    return path.rsplit("/", 1)[-1].removesuffix(".md")


def _compiled(active: ActiveVersion, name: str, placeholders: Mapping[str, str]) -> str:
    template = active.template(name)
    values = {placeholder: placeholders.get(placeholder, NOT_RECORDED) for placeholder in template.placeholders}
    return active.compile(name, **values).strip()
