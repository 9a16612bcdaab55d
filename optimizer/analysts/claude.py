"""Claude as the analyst: one Messages call per agent, a forced tool call as the answer.

The request is the instructions and the agent's files (both cached), then the run data sampled
under the token budget. The answer is validated; an invalid one gets one retry that shows the
model its errors, and a second failure is an AnalystError: the run stops before any branch moves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from optimizer.analysts.base import AnalystResult, AnalystUsage
from optimizer.analysts.claude_answer import Reading, key_map, read_answer, to_action_items, to_proposals
from optimizer.analysts.claude_context import RunData, evidence_summary, ordered_history, render_files, render_run_data
from optimizer.analysts.claude_request import answer_blocks, build_request, with_feedback
from optimizer.analysts.evidence_budget import Builder, Fit, Request, fit_request
from optimizer.analysts.evidence_sample import choose, plan_units, sample_findings
from optimizer.artifacts.model import AgentArtifacts
from optimizer.config import ClaudeSettings, Limits
from optimizer.errors import AnalystError
from optimizer.history.model import NO_HISTORY, History
from optimizer.models import AgentAnalysis, Finding, Proposal
from optimizer.pricing import Price, cost_usd, price_for
from optimizer.text.redact import clip

if TYPE_CHECKING:  # the SDK's answer type only: the client passed in is the edge that loads the SDK
    from anthropic.types import Message


class MessagesApi(Protocol):
    """What the analyst needs of the Messages API (``claude_client.MessagesClient`` in a run), one
    connection per ``with`` block."""

    base_url: str

    def __enter__(self) -> MessagesApi: ...

    def __exit__(self, *exc: object) -> None: ...

    def count(self, request: dict[str, Any]) -> int | None: ...

    def create(self, request: dict[str, Any]) -> Message: ...


class ClaudeAnalyst:
    name = "claude"

    def __init__(self, settings: ClaudeSettings, client: MessagesApi) -> None:
        self.settings = settings
        self.price: Price = price_for(settings.model, settings.prices)  # an unknown price stops the run up front
        self._client = client

    @property
    def base_url(self) -> str:
        return self._client.base_url

    def __repr__(self) -> str:  # never the key
        return f"ClaudeAnalyst(model={self.settings.model!r}, base_url={self.base_url!r})"

    def propose(
        self, analysis: AgentAnalysis, artifacts: AgentArtifacts, limits: Limits, history: History = NO_HISTORY
    ) -> AnalystResult:
        data = RunData(analysis, sample_findings(analysis.findings), ordered_history(history), limits)
        units = plan_units(data.samples, len(data.history))
        files_text = render_files(artifacts)
        settings = self.settings

        def build(keep: int) -> Request:
            run_text = render_run_data(data, choose(units, keep))
            return build_request(settings.model, settings.max_output_tokens, files_text, run_text)

        findings = key_map(analysis)
        exchange = self._exchange(build, len(units), findings)
        usage = self._usage(exchange.calls)
        answer = exchange.reading.answer
        if answer is None:
            raise AnalystError(
                f"claude: the model's answer broke its schema twice ({_first(exchange.reading)}); nothing "
                f"proposed, no branch moved (spent ${usage.cost_usd:.4f}; --analyst heuristic works offline)"
            )
        chosen, dropped = _within_limit(to_proposals(answer, findings), limits.max_proposals)
        notes = _notes(
            str(answer["self_assessment"]),
            evidence_summary(data.samples, choose(units, exchange.fit.keep)),
            exchange,
            settings.max_input_tokens,
            (chosen, dropped),
            history,
        )
        return AnalystResult(
            analyst=self.name,
            proposals=tuple(chosen),
            action_items=tuple(to_action_items(answer, findings)),
            usage=usage,
            notes=tuple(notes),
        )

    def _exchange(self, build: Builder, units: int, findings: dict[str, Finding]) -> _Exchange:
        """The call, and the one retry that shows the model what was wrong with its answer."""
        budget = self.settings.max_input_tokens
        with self._client as client:
            request, fit = fit_request(build, units, budget, client.count)
            calls = [client.create(request)]
            reading = read_answer(calls[0], findings)
            first_errors = reading.errors
            if first_errors:
                answer = answer_blocks(calls[0].content)
                retry, _fit = fit_request(
                    lambda keep: with_feedback(build(keep), answer, first_errors), units, budget, client.count
                )
                calls.append(client.create(retry))
                reading = read_answer(calls[1], findings)
        return _Exchange(calls, reading, fit, first_errors)

    def _usage(self, calls: list[Message]) -> AnalystUsage:
        """Tokens of every call of the run (a retry included) and what they cost."""
        input_tokens = sum(c.usage.input_tokens for c in calls)
        output_tokens = sum(c.usage.output_tokens for c in calls)
        cache_write = sum(c.usage.cache_creation_input_tokens or 0 for c in calls)
        cache_read = sum(c.usage.cache_read_input_tokens or 0 for c in calls)
        cost = cost_usd(
            self.price,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cache_write=cache_write,
            cache_read=cache_read,
        )
        return AnalystUsage(self.settings.model, input_tokens, output_tokens, cache_write, cache_read, cost)


@dataclass(frozen=True)
class _Exchange:
    calls: list[Message]
    reading: Reading  # of the last answer
    fit: Fit  # of the first request
    first_errors: list[str]  # what was wrong with the first answer, if anything


def _first(reading: Reading) -> str:
    return clip(reading.errors[0], 200) if reading.errors else "no answer"


def _within_limit(proposals: list[Proposal], limit: int) -> tuple[list[Proposal], list[Proposal]]:
    """At most ``limit`` proposals, one per fingerprint; the rest are reported in the notes."""
    seen: set[str] = set()
    kept: list[Proposal] = []
    dropped: list[Proposal] = []
    for proposal in proposals:
        if proposal.fingerprint in seen or len(kept) >= limit:
            dropped.append(proposal)
            continue
        seen.add(proposal.fingerprint)
        kept.append(proposal)
    return kept, dropped


def _notes(
    self_assessment: str,
    evidence: dict[str, int | str],
    exchange: _Exchange,
    budget: int,
    proposals: tuple[list[Proposal], list[Proposal]],
    history: History,
) -> list[str]:
    """What a reviewer should know about how the answer came about."""
    fit, errors = exchange.fit, exchange.first_errors
    kept, dropped = proposals
    how = "counted by the API" if fit.counted else "estimated locally"
    notes = [
        f"Self-assessment: {self_assessment}",
        f"Evidence sent: {evidence['findings_shown']} of {evidence['findings']} findings and "
        f"{evidence['excerpts_shown']} of {evidence['excerpts_held']} excerpts "
        f"({evidence['near_duplicates_collapsed']} near-duplicates collapsed); the request took "
        f"{fit.input_tokens:,} input tokens of the {budget:,} budget ({how}).",
    ]
    if errors:
        notes.append(
            f"The first answer was invalid ({len(errors)} problem(s), first: {clip(errors[0], 200)}); "
            "the retry that showed the model its errors was valid."
        )
    if dropped:
        titles = "; ".join(clip(p.title, 80) for p in dropped)
        notes.append(f"Left out (over the proposal limit, or the same change twice): {titles}.")
    rejected = history.by_outcome("rejected")
    for proposal in kept:
        past = rejected.get(proposal.fingerprint)
        if past is not None:
            where = f" in pull request #{past.pr_number}" if past.pr_number else ""
            notes.append(f"“{clip(proposal.title, 80)}” repeats a change reviewers rejected{where}.")
    return notes
