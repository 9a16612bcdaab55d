"""The model's answer: found in the tool call, validated, and mapped onto Proposal and ActionItem.

Validation is the JSON Schema plus one rule the schema cannot say: every finding key must name
a finding of this run. Paths and edits are not judged here: the guardrails do that for every
analyst, and a refusal is reported in the pull request rather than retried away.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from optimizer.analysts.claude_instructions import TOOL_NAME
from optimizer.models import ActionItem, AgentAnalysis, Edit, Finding, Proposal
from optimizer.schemas import schema_errors
from optimizer.text.redact import excerpt

if TYPE_CHECKING:  # the SDK's type only: reading an answer needs no SDK loaded
    from anthropic.types import Message

SCHEMA = "claude_answer"


def shown_key(finding: Finding) -> str:
    """The key as the model sees it (redacted and clipped like every string in the run data)."""
    return excerpt(finding.key, 300)


def key_map(analysis: AgentAnalysis) -> dict[str, Finding]:
    """Shown key -> finding; the real key too, so an answer may use either."""
    keys: dict[str, Finding] = {}
    for finding in analysis.findings:
        keys.setdefault(finding.key, finding)
        keys.setdefault(shown_key(finding), finding)
    return keys


@dataclass(frozen=True)
class Reading:
    answer: dict[str, Any] | None
    errors: list[str]


def read_answer(message: Message, findings: dict[str, Finding]) -> Reading:
    """The tool input if it is a valid answer; otherwise what is wrong with it, in the model's terms."""
    calls = [block for block in message.content if block.type == "tool_use" and block.name == TOOL_NAME]
    cut = message.stop_reason == "max_tokens"
    if not calls:
        reason = "the answer was cut off at max_tokens; keep it shorter" if cut else f"you did not call {TOOL_NAME}"
        return Reading(None, [reason])
    answer = calls[0].input
    if not isinstance(answer, dict):
        return Reading(None, [f"the {TOOL_NAME} input must be a JSON object"])
    errors = schema_errors(SCHEMA, answer) or _unknown_keys(answer, findings)
    if cut and errors:
        errors.insert(0, "the answer was cut off at max_tokens; keep it shorter")
    return Reading(None if errors else answer, errors)


def _unknown_keys(answer: dict[str, Any], findings: dict[str, Finding]) -> list[str]:
    errors = []
    for part in ("proposals", "action_items"):
        for n, entry in enumerate(answer[part]):
            for m, key in enumerate(entry["finding_keys"]):
                if key not in findings:
                    errors.append(
                        f"at {part}/{n}/finding_keys/{m}: {key!r} is not the key of a finding in the run data"
                    )
    return errors


def to_proposals(answer: dict[str, Any], findings: dict[str, Finding]) -> list[Proposal]:
    """Proposals strongest evidence first (the summed scores of the findings they answer)."""
    proposals = [_proposal(entry, findings) for entry in answer["proposals"]]
    return sorted(proposals, key=lambda p: (-p.score, -p.confidence))


def _proposal(entry: dict[str, Any], findings: dict[str, Finding]) -> Proposal:
    keys = tuple(dict.fromkeys(findings[key].key for key in entry["finding_keys"]))
    edit, target = entry["edit"], entry["target"]
    op = edit["op"]
    return Proposal(
        title=entry["title"],
        edit=Edit(
            op=op,
            path=target["path"],
            # add_faq always grows `faq`; leaving the field out keeps the fingerprint the heuristic one
            field=target.get("field") if op == "append_item" else None,
            old=edit.get("old"),
            new=edit.get("new"),
            question=edit.get("question"),
            answer=edit.get("answer"),
        ),
        finding_keys=keys,
        rationale=entry["rationale"],
        expected_effect=entry["expected_effect"],
        confidence=float(entry["confidence"]),
        score=sum(f.score for f in {findings[key].key: findings[key] for key in entry["finding_keys"]}.values()),
    )


def to_action_items(answer: dict[str, Any], findings: dict[str, Finding]) -> list[ActionItem]:
    return [
        ActionItem(
            title=entry["title"],
            detail=entry["detail"],
            finding_keys=tuple(dict.fromkeys(findings[key].key for key in entry["finding_keys"])),
        )
        for entry in answer["action_items"]
    ]
