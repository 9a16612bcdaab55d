"""What a replay is made of and what it found: the replay set, each side replayed, the verdicts. Pure."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Role = Literal["failing", "holdout"]


@dataclass(frozen=True)
class RecordedCall:
    """One tool call as the trace recorded it (redacted): what the replay answers in its place."""

    name: str
    ok: bool
    error: str | None = None


@dataclass(frozen=True)
class ReplayConversation:
    """One conversation of the replay set, redacted: its user turns and its recorded tool calls."""

    trace_id: str
    role: Role  # failing: behind the finding; holdout: a similar one that went well
    model: str | None  # the agent's model, as the trace recorded it
    user_turns: tuple[str, ...]
    tool_calls: tuple[RecordedCall, ...] = ()
    target_turns: tuple[int, ...] = ()  # the turns the finding is about (0-based), e.g. the unanswered questions

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ReplaySet:
    """The conversations replayed for one proposal: those behind its finding, then the holdout."""

    proposal: int  # its number in the pull request, 1-based
    title: str
    finding: str  # the key of the finding it answers (kind:subject)
    conversations: tuple[ReplayConversation, ...]
    found: tuple[int, int] = (0, 0)  # failing and holdout conversations the window held

    @property
    def kind(self) -> str:
        return self.finding.split(":", 1)[0]

    @property
    def subject(self) -> str:
        return self.finding.split(":", 1)[1] if ":" in self.finding else ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "proposal": self.proposal,
            "title": self.title,
            "finding": self.finding,
            "found": {"failing": self.found[0], "holdout": self.found[1]},
            "conversations": [c.to_dict() for c in self.conversations],
        }


@dataclass(frozen=True)
class Usage:
    """Tokens of one or more calls, as the API reported them."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_write: int = 0
    cache_read: int = 0
    calls: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cache_write + other.cache_write,
            self.cache_read + other.cache_read,
            self.calls + other.calls,
        )

    @property
    def total(self) -> int:
        return self.input_tokens + self.output_tokens + self.cache_write + self.cache_read


@dataclass(frozen=True)
class ToolUse:
    """A tool the replayed agent called, and what the recording answered."""

    turn: int
    name: str
    ok: bool  # the replayed result: False for a recorded failure, or a tool the trace never called


@dataclass(frozen=True)
class Side:
    """One conversation replayed with one version of the files (before or after the proposal)."""

    replies: tuple[str, ...]  # the model's reply to each user turn, redacted
    tool_uses: tuple[ToolUse, ...] = ()
    usage: Usage = Usage()
    cost_usd: float = 0.0
    error: str | None = None  # the model's answer was missing or bad: no verdict for this side

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Verdict:
    passed: bool
    reason: str
    judge: Literal["deterministic", "rubric"] = "deterministic"


@dataclass(frozen=True)
class ConversationResult:
    conversation: ReplayConversation
    before: Side | None = None  # the current files
    after: Side | None = None  # the proposed files
    verdict_before: Verdict | None = None
    verdict_after: Verdict | None = None
    skipped: str | None = None  # why it was not replayed (the budget)
    judge_cost_usd: float = 0.0  # what the rubric judge's calls cost

    @property
    def regressed(self) -> bool:
        """A holdout conversation the current files pass and the proposed ones fail."""
        return (
            self.conversation.role == "holdout"
            and self.verdict_before is not None
            and self.verdict_before.passed
            and self.verdict_after is not None
            and not self.verdict_after.passed
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "trace_id": self.conversation.trace_id,
            "role": self.conversation.role,
            "skipped": self.skipped,
            "judge_cost_usd": round(self.judge_cost_usd, 6),
            "before": self.before.to_dict() if self.before else None,
            "after": self.after.to_dict() if self.after else None,
            "verdict_before": asdict(self.verdict_before) if self.verdict_before else None,
            "verdict_after": asdict(self.verdict_after) if self.verdict_after else None,
            "regressed": self.regressed,
        }


@dataclass(frozen=True)
class ProposalReplay:
    """One proposal's replay: its set, each conversation's result, and the figures of the table."""

    replay_set: ReplaySet
    results: tuple[ConversationResult, ...]

    def passing(self, role: Role) -> tuple[int, int]:
        """(passing with the proposed files, replayed) among the conversations of ``role``."""
        judged = [r for r in self.results if r.conversation.role == role and r.verdict_after is not None]
        return sum(1 for r in judged if r.verdict_after and r.verdict_after.passed), len(judged)

    def passing_before(self, role: Role) -> int:
        kept = [r for r in self.results if r.conversation.role == role]
        return sum(1 for r in kept if r.verdict_before is not None and r.verdict_before.passed)

    @property
    def regressions(self) -> tuple[ConversationResult, ...]:
        return tuple(r for r in self.results if r.regressed)

    def tokens_per_turn(self, side: Literal["before", "after"]) -> float | None:
        """Tokens (input, cached and output) per user turn replayed on ``side``."""
        sides = [getattr(r, side) for r in self.results]
        replayed = [s for s in sides if s is not None and s.replies]
        turns = sum(len(s.replies) for s in replayed)
        return sum(s.usage.total for s in replayed) / turns if turns else None

    @property
    def cost_usd(self) -> float:
        sides = sum(s.cost_usd for r in self.results for s in (r.before, r.after) if s is not None)
        return sides + sum(r.judge_cost_usd for r in self.results)

    @property
    def errors(self) -> int:
        return sum(1 for r in self.results for s in (r.before, r.after) if s is not None and s.error)

    def to_dict(self) -> dict[str, Any]:
        fixed, failing = self.passing("failing")
        kept, holdout = self.passing("holdout")
        return {
            **self.replay_set.to_dict(),
            "failing_now_passing": fixed,
            "failing_replayed": failing,
            "holdout_still_passing": kept,
            "holdout_replayed": holdout,
            "regressions": [r.conversation.trace_id for r in self.regressions],
            "tokens_per_turn": {"before": self.tokens_per_turn("before"), "after": self.tokens_per_turn("after")},
            "cost_usd": round(self.cost_usd, 6),
            "results": [r.to_dict() for r in self.results],
        }


@dataclass(frozen=True)
class ReplayReport:
    """A run's replay of one agent's proposals, or why there was none (one line for the PR)."""

    skipped: str | None = None  # e.g. no ANTHROPIC_API_KEY
    model: str | None = None
    budget_usd: float = 0.0
    proposals: tuple[ProposalReplay, ...] = field(default_factory=tuple)
    notes: tuple[str, ...] = ()  # what a reviewer should know: the budget reached, sets left empty

    @property
    def cost_usd(self) -> float:
        return sum(p.cost_usd for p in self.proposals)

    @property
    def regressions(self) -> int:
        return sum(len(p.regressions) for p in self.proposals)

    def to_dict(self) -> dict[str, Any]:
        return {
            "skipped": self.skipped,
            "model": self.model,
            "budget_usd": self.budget_usd,
            "cost_usd": round(self.cost_usd, 6),
            "regressions": self.regressions,
            "notes": list(self.notes),
            "proposals": [p.to_dict() for p in self.proposals],
        }
