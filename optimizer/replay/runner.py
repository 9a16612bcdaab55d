"""The replay of each proposal's set: every conversation on the current files and on the proposed ones,
graded side by side, within the run's budget."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from optimizer.config import ReplaySettings
from optimizer.errors import OptimizerError
from optimizer.replay.budget import Budget, BudgetReached
from optimizer.replay.exchange import Call, Messages, replay_side, usage_of
from optimizer.replay.grade import grade
from optimizer.replay.judge import judge_request, read_verdict
from optimizer.replay.model import ConversationResult, ProposalReplay, ReplayConversation, ReplaySet, Side, Verdict
from optimizer.replay.request import build_request
from optimizer.replay.system import AgentVersion


@dataclass(frozen=True)
class Versions:
    """The agent's files before and after one proposal."""

    before: AgentVersion
    after: AgentVersion


def replay_sets(
    client: Messages,
    sets: Sequence[tuple[ReplaySet, Versions]],
    settings: ReplaySettings,
    model: str,
    budget: Budget,
) -> tuple[ProposalReplay, ...]:
    call = Call(model, settings.max_output_tokens, settings.max_tool_rounds)
    judged = settings.judge == "auto"
    return tuple(
        ProposalReplay(
            replay_set,
            tuple(
                _conversation(client, c, replay_set, versions, call, budget, judged) for c in replay_set.conversations
            ),
        )
        for replay_set, versions in sets
    )


def _conversation(
    client: Messages,
    conversation: ReplayConversation,
    replay_set: ReplaySet,
    versions: Versions,
    call: Call,
    budget: Budget,
    judged: bool,
) -> ConversationResult:
    first = build_request(call.model, call.max_tokens, versions.after.system, versions.after.tools, [])
    first["messages"] = [{"role": "user", "content": conversation.user_turns[0]}]
    if not budget.allows(budget.estimate(first, calls=2 * len(conversation.user_turns))):
        return ConversationResult(conversation, skipped=f"not replayed: {budget.stopped}")
    before = replay_side(client, conversation, versions.before, call, budget)
    after = replay_side(client, conversation, versions.after, call, budget)
    result = ConversationResult(
        conversation,
        before,
        after,
        _verdict(conversation, before, replay_set),
        _verdict(conversation, after, replay_set),
    )
    if judged and replay_set.kind == "knowledge_gap" and conversation.role == "failing":
        result = _judged(client, result, versions, call, budget)
    return result


def _verdict(conversation: ReplayConversation, side: Side, replay_set: ReplaySet) -> Verdict | None:
    return None if side.error else grade(conversation, side, replay_set.kind, replay_set.subject)


def _judged(
    client: Messages, result: ConversationResult, versions: Versions, call: Call, budget: Budget
) -> ConversationResult:
    """The rubric's verdict on each side whose answers the phrase lists passed."""
    talk = result.conversation
    before, before_cost = _judge_side(client, talk, result.before, result.verdict_before, versions.before, call, budget)
    after, after_cost = _judge_side(client, talk, result.after, result.verdict_after, versions.after, call, budget)
    return replace(result, verdict_before=before, verdict_after=after, judge_cost_usd=before_cost + after_cost)


def _judge_side(
    client: Messages,
    conversation: ReplayConversation,
    side: Side | None,
    verdict: Verdict | None,
    version: AgentVersion,
    call: Call,
    budget: Budget,
) -> tuple[Verdict | None, float]:
    if side is None or verdict is None or not verdict.passed:
        return verdict, 0.0
    return _ask_judge(client, conversation, side, version, call, budget, verdict)


def _ask_judge(
    client: Messages,
    conversation: ReplayConversation,
    side: Side,
    version: AgentVersion,
    call: Call,
    budget: Budget,
    fallback: Verdict,
) -> tuple[Verdict, float]:
    turn = conversation.target_turns[0] if conversation.target_turns else 0
    request = judge_request(call.model, version.soul, conversation.user_turns[turn], side.replies[turn])
    try:
        budget.check(request)
        message = client.create(request)
    except BudgetReached:
        return replace(fallback, reason=fallback.reason + " (not judged: budget)"), 0.0
    except OptimizerError:
        return replace(fallback, reason=fallback.reason + " (the judge could not be asked)"), 0.0
    cost = budget.charge(usage_of(message))
    verdict = read_verdict(message)
    return (verdict or replace(fallback, reason=fallback.reason + " (the judge gave no verdict)")), cost
