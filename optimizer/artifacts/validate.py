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


def validate_agent(artifacts: AgentArtifacts, unwritten_before: frozenset[str] = frozenset()) -> list[Issue]:
    """The agent's issues; an FAQ question in ``unwritten_before`` (unanswered on the base of the change too)
    is a warning, not an error: the change did not make it, and deploy leaves it out until it is written."""
    if artifacts.soul is None and not artifacts.prompts:
        agent = artifacts.agent
        return [Issue("error", f"souls/{agent}.yaml", f"agent {agent!r} has no soul and no prompts/{agent}/*.md")]
    issues = _soul_issues(artifacts.soul, unwritten_before) if artifacts.soul else []
    for prompt in artifacts.prompts:
        issues.extend(_prompt_issues(prompt))
    return issues


def _soul_issues(soul: Soul, unwritten_before: frozenset[str]) -> list[Issue]:
    issues = [Issue("error", soul.path, f"breaks the soul schema {err}") for err in schema_errors("soul", soul.data)]
    issues.extend(_unwritten_answers(soul, unwritten_before))
    known = load_schema("soul")["properties"]
    issues.extend(
        Issue("warning", soul.path, f"unknown key {key!r}: kept, but the optimizer does not use it")
        for key in soul.data
        if key not in known
    )
    return issues


def _faq_entries(soul: Soul) -> list[Any]:
    faq = soul.data.get("faq")
    return faq if isinstance(faq, list) else []


def unwritten_questions(soul: Soul | None) -> frozenset[str]:
    """The questions of the soul's FAQ entries whose answer is not written yet."""
    entries = _faq_entries(soul) if soul else []
    return frozenset(
        str(entry.get("question"))
        for entry in entries
        if isinstance(entry, dict) and isinstance(entry.get("answer"), str) and unwritten(entry["answer"])
    )


def _unwritten_answers(soul: Soul, unwritten_before: frozenset[str]) -> list[Issue]:
    issues = []
    for number, entry in enumerate(_faq_entries(soul), start=1):
        answer = entry.get("answer") if isinstance(entry, dict) else None
        if not (isinstance(answer, str) and unwritten(answer)):
            continue
        question = entry.get("question")
        if str(question) in unwritten_before:
            message = f"faq {number} ({question!r}): the answer is not written yet, as on the base: left out at deploy"
            issues.append(Issue("warning", soul.path, message))
            continue
        message = (
            f"faq {number} ({question!r}): the answer is not written yet; "
            f"write it in place of the empty or {UNWRITTEN_ANSWER_MARKER} text before merging"
        )
        issues.append(Issue("error", soul.path, message))
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
