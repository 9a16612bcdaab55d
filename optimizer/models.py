"""The data the loop passes between its rooms: findings, edits, proposals, action items.

Plain frozen dataclasses, so the core stays pure and every stage can be tested on values.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Figure = float | int | str | None


@dataclass(frozen=True)
class Evidence:
    """What a reviewer needs to trust a finding: sample trace ids and short, redacted excerpts."""

    trace_ids: tuple[str, ...] = ()
    excerpts: tuple[str, ...] = ()
    staff_replies: tuple[tuple[str, str], ...] = ()  # (trace id, redacted reply) of staff after a hand-off


@dataclass(frozen=True)
class Finding:
    """Something that goes wrong for one agent, with the figures and evidence behind it."""

    kind: str
    agent: str
    subject: str
    title: str
    score: float  # strength of evidence (roughly: traces affected); findings are ranked by it
    figures: dict[str, Figure] = field(default_factory=dict)
    evidence: Evidence = Evidence()

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.subject}"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["key"] = self.key
        data["evidence"] = {
            "trace_ids": list(self.evidence.trace_ids),
            "excerpts": list(self.evidence.excerpts),
        }
        if self.evidence.staff_replies:
            data["evidence"]["staff_replies"] = [
                {"trace_id": trace_id, "reply": reply} for trace_id, reply in self.evidence.staff_replies
            ]
        return data


EditOp = Literal["remove_text", "replace_text", "append_item", "add_faq"]
EDIT_OPS: tuple[str, ...] = ("remove_text", "replace_text", "append_item", "add_faq")


@dataclass(frozen=True)
class Edit:
    """One change to one file under prompts/ or souls/.

    remove_text / replace_text: ``old`` must occur exactly once in the file; ``new`` replaces it.
    append_item: add ``new`` to the soul list ``field`` (always_do, never_do, escalation).
    add_faq: add ``{question, answer}`` to the soul's faq, with ``source`` saying where the answer
    came from (staff replies in the traces, or the owner to write it).
    """

    op: EditOp
    path: str  # repo-relative POSIX path
    field: str | None = None
    old: str | None = None
    new: str | None = None
    question: str | None = None
    answer: str | None = None
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class Proposal:
    """An edit the analyst proposes, tied to the findings it answers."""

    title: str
    edit: Edit
    finding_keys: tuple[str, ...]
    rationale: str
    expected_effect: str
    confidence: float  # 0..1
    score: float  # strength of the evidence behind it; proposals are ranked by it

    @property
    def fingerprint(self) -> str:
        return proposal_fingerprint(self.edit, self.finding_keys)

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "edit": self.edit.to_dict(),
            "finding_keys": list(self.finding_keys),
            "rationale": self.rationale,
            "expected_effect": self.expected_effect,
            "confidence": self.confidence,
            "score": self.score,
            "fingerprint": self.fingerprint,
        }


@dataclass(frozen=True)
class ActionItem:
    """Something a human must do (code, config, tooling): reported in the PR, never edited."""

    title: str
    detail: str
    finding_keys: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "detail": self.detail, "finding_keys": list(self.finding_keys)}


@dataclass(frozen=True)
class Refusal:
    """A proposal a guardrail refused, and why; reported so nothing is dropped silently."""

    proposal: Proposal
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"proposal": self.proposal.to_dict(), "reason": self.reason}


_SPACE = re.compile(r"\s+")


def proposal_fingerprint(edit: Edit, finding_keys: tuple[str, ...]) -> str:
    """A fingerprint that survives rewording: what is changed, where, and which findings it answers.

    The wording of an added rule or FAQ answer is left out on purpose, so a rejected change
    comes back with the same fingerprint however the analyst phrases it next time. Removed text
    is part of it (normalised), because removing a different block is a different change.
    """
    parts = [edit.op, edit.path, edit.field or ""]
    if edit.op == "remove_text" and edit.old:
        parts.append(_SPACE.sub(" ", edit.old).strip().lower())
    parts.extend(sorted(finding_keys))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ToolStats:
    """Calls of one tool by one agent version in the window."""

    name: str
    calls: int
    failures: int
    latency_p95_ms: float | None = None
    turns: int = 0  # turns that called the tool
    turn_failures: int = 0  # turns whose last call of the tool failed: what users saw

    @property
    def failure_rate(self) -> float:
        return self.failures / self.calls if self.calls else 0.0

    @property
    def user_failure_rate(self) -> float:
        """Turns failed by the tool: a retry that succeeds is no failure to the user."""
        return self.turn_failures / self.turns if self.turns else self.failure_rate


@dataclass(frozen=True)
class VersionMetrics:
    """The figures of one agent x prompt_version over the window."""

    agent: str
    prompt_version: str  # "unknown" when traces carry none
    traces: int
    sessions: int
    first_seen: str | None  # ISO 8601
    last_seen: str | None
    cost_total_usd: float
    cost_per_trace_usd: float | None
    cost_stddev_usd: float | None
    input_tokens: int
    output_tokens: int
    cache_read_input_tokens: int
    cache_creation_input_tokens: int
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    latency_mean_ms: float | None
    latency_stddev_ms: float | None
    escalation_rate: float | None
    owner_correction_rate: float | None
    sentiment: dict[str, float]  # share of traces by sentiment, among those that carry one
    feedback_up: int
    feedback_down: int
    errors: int
    tools: tuple[ToolStats, ...] = ()
    sentiment_traces: int = 0  # traces that carry a sentiment: the denominator of ``sentiment``

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["tools"] = [{**asdict(tool), "failure_rate": round(tool.failure_rate, 4)} for tool in self.tools]
        return data


@dataclass(frozen=True)
class SkippedLine:
    """A trace line that was not analyzed, and why."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass(frozen=True)
class SourceReport:
    """What was read: how much, and what was skipped."""

    description: str  # e.g. the traces path
    files: int
    lines: int
    traces_in_window: int
    skipped: int
    skipped_examples: tuple[SkippedLine, ...] = ()


@dataclass(frozen=True)
class Window:
    start: str  # ISO 8601, inclusive
    end: str  # ISO 8601, exclusive
    hours: float


@dataclass(frozen=True)
class AgentAnalysis:
    """Everything the analysis found for one agent: metrics by version and findings, strongest first."""

    agent: str
    versions: tuple[VersionMetrics, ...]  # oldest first
    findings: tuple[Finding, ...]

    @property
    def traces(self) -> int:
        return sum(version.traces for version in self.versions)


@dataclass(frozen=True)
class Analysis:
    window: Window
    source: SourceReport
    agents: tuple[AgentAnalysis, ...]
