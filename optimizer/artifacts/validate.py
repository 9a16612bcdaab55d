"""Check an agent's soul and prompts; errors block a merge, warnings are only reported."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from optimizer.artifacts.constants import UNWRITTEN_ANSWER_MARKER
from optimizer.artifacts.model import AgentArtifacts, PromptFile, Soul
from optimizer.artifacts.placeholders import has_placeholder
from optimizer.schemas import load_schema, schema_errors


@dataclass(frozen=True)
class Issue:
    severity: Literal["error", "warning"]
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.severity}: {self.message}"


def validate_agent(artifacts: AgentArtifacts) -> list[Issue]:
    if artifacts.soul is None and not artifacts.prompts:
        agent = artifacts.agent
        return [Issue("error", f"souls/{agent}.yaml", f"agent {agent!r} has no soul and no prompts/{agent}/*.md")]
    issues = _soul_issues(artifacts.soul) if artifacts.soul else []
    for prompt in artifacts.prompts:
        issues.extend(_prompt_issues(prompt))
    return issues


def _soul_issues(soul: Soul) -> list[Issue]:
    issues = [Issue("error", soul.path, f"breaks the soul schema {err}") for err in schema_errors("soul", soul.data)]
    issues.extend(_unwritten_answers(soul))
    known = load_schema("soul")["properties"]
    issues.extend(
        Issue("warning", soul.path, f"unknown key {key!r}: kept, but the optimizer does not use it")
        for key in soul.data
        if key not in known
    )
    return issues


def _unwritten_answers(soul: Soul) -> list[Issue]:
    faq = soul.data.get("faq")
    entries: list[Any] = faq if isinstance(faq, list) else []
    issues = []
    for number, entry in enumerate(entries, start=1):
        answer = entry.get("answer") if isinstance(entry, dict) else None
        if isinstance(answer, str) and unwritten(answer):
            question = entry.get("question")
            issues.append(
                Issue(
                    "error",
                    soul.path,
                    f"faq {number} ({question!r}): the answer is not written yet; "
                    f"write it in place of the empty or {UNWRITTEN_ANSWER_MARKER} text before merging",
                )
            )
    return issues


def unwritten(answer: str) -> bool:
    """An FAQ answer left for the owner: empty, or still the marker an analyst wrote."""
    text = answer.strip()
    return not text or text.startswith(UNWRITTEN_ANSWER_MARKER)


def _prompt_issues(prompt: PromptFile) -> list[Issue]:
    return [
        Issue("error", prompt.path, f"required placeholder {name!r} is missing from the body")
        for name in prompt.required_placeholders
        if not has_placeholder(prompt.body, name)
    ]
