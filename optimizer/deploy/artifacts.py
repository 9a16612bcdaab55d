"""The deployable artifacts of a commit, agent by agent: each agent's soul and prompts, validated first.

Each agent stands alone: one that fails validation is held back (its deployed version stays) and
never blocks another. An FAQ entry whose answer is not written yet (``TODO(owner):`` or empty) is
left out of the soul the agent reads, so merging a knowledge-gap pull request before the answer is
written ships everything else in it, and never the placeholder. Everything shipped is what a human
merged, byte for byte, less those entries.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import yaml

from optimizer.artifacts.files import RepoFiles
from optimizer.artifacts.loader import discover_agents, load_agent
from optimizer.artifacts.model import AgentArtifacts, Soul
from optimizer.artifacts.validate import unwritten, validate_agent
from optimizer.artifacts.yaml_lists import remove_items
from optimizer.deploy.model import Artifact
from optimizer.errors import EditError

MAX_SHOWN = 3


@dataclass(frozen=True)
class AgentBuild:
    """One agent at a commit: what it would ship, and why it is held back, if it is."""

    agent: str
    artifacts: tuple[Artifact, ...]
    problems: tuple[str, ...] = ()  # validation errors: the agent is not deployed
    left_out: tuple[str, ...] = ()  # questions of FAQ entries without an answer, left out of its soul

    @property
    def deployable(self) -> bool:
        return not self.problems

    def reason(self) -> str:
        shown = "; ".join(self.problems[:MAX_SHOWN])
        more = f" (and {len(self.problems) - MAX_SHOWN} more)" if len(self.problems) > MAX_SHOWN else ""
        return shown + more


def build_agents(files: RepoFiles) -> list[AgentBuild]:
    """Every agent in ``files``, sorted by name, with its artifacts sorted by path."""
    return [_build(load_agent(files, agent)) for agent in discover_agents(files)]


def _build(loaded: AgentArtifacts) -> AgentBuild:
    left_out: tuple[str, ...] = ()
    problems: list[str] = []
    if loaded.soul is not None:
        try:
            soul, left_out = without_unanswered(loaded.soul)
            loaded = replace(loaded, soul=soul)
        except EditError as err:
            problems.append(f"{err} (an FAQ entry has no answer yet; write it)")
    problems.extend(str(issue) for issue in validate_agent(loaded) if issue.severity == "error")
    artifacts = [Artifact(loaded.agent, loaded.soul.path, "soul", loaded.soul.text)] if loaded.soul else []
    artifacts.extend(Artifact(loaded.agent, prompt.path, "prompt", prompt.text) for prompt in loaded.prompts)
    problems.extend(f"{a.path}: contains a NUL byte" for a in artifacts if "\0" in a.content)
    ordered = tuple(sorted(artifacts, key=lambda a: a.path))
    return AgentBuild(loaded.agent, ordered, tuple(problems), left_out)


def without_unanswered(soul: Soul) -> tuple[Soul, tuple[str, ...]]:
    """The soul less its FAQ entries whose answer is not written, and those entries' questions."""
    faq = soul.data.get("faq")
    entries = faq if isinstance(faq, list) else []
    numbers = [
        n
        for n, entry in enumerate(entries)
        if isinstance(entry, dict) and isinstance(entry.get("answer"), str) and unwritten(entry["answer"])
    ]
    if not numbers:
        return soul, ()
    text = remove_items(soul.path, soul.text, "faq", numbers)
    questions = tuple(str(entries[n].get("question")) for n in numbers)
    return Soul(soul.path, text, yaml.safe_load(text) or {}), questions
