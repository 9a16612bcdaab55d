"""One conversation replayed on one version of the agent's files: each user turn sent, each tool call
answered from the recording, the replies kept (redacted). A bad or missing answer ends that side of
that conversation with an error, never the run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from optimizer.analysts.claude_request import answer_blocks
from optimizer.errors import ModelUnavailable, OptimizerError
from optimizer.replay.budget import Budget, BudgetReached
from optimizer.replay.model import ReplayConversation, Side, ToolUse, Usage
from optimizer.replay.request import RecordedTools, build_request, tool_names
from optimizer.replay.system import AgentVersion
from optimizer.text.redact import clip, redact

if TYPE_CHECKING:  # the SDK's answer type only: the client passed in is the edge that loads the SDK
    from anthropic.types import Message


class Messages(Protocol):
    """What the replay needs of the Messages API (``analysts.claude_client.MessagesClient`` in a run)."""

    def create(self, request: dict[str, Any]) -> Message: ...


class BadAnswer(OptimizerError):
    """Raised when the model's answer to a turn cannot be used."""


@dataclass(frozen=True)
class Call:
    """How each replayed turn is asked."""

    model: str
    max_tokens: int
    max_tool_rounds: int


@dataclass
class _Progress:
    messages: list[dict[str, Any]] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    uses: list[ToolUse] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    cost: float = 0.0

    def side(self, error: str | None = None) -> Side:
        return Side(tuple(self.replies), tuple(self.uses), self.usage, self.cost, error)


def replay_side(
    client: Messages, conversation: ReplayConversation, version: AgentVersion, call: Call, budget: Budget
) -> Side:
    tools = RecordedTools(conversation.tool_calls)
    names = tool_names(version.tools, conversation.tool_calls)
    done = _Progress()
    try:
        for turn, text in enumerate(conversation.user_turns):
            _add_user(done.messages, [{"type": "text", "text": text}])
            done.replies.append(redact(_turn(client, turn, version.system, names, call, budget, tools, done)))
    except BudgetReached as err:
        return done.side(f"stopped at turn {len(done.replies) + 1}: {err}")
    except ModelUnavailable as err:  # an outage: no use asking again for the next conversations
        budget.stopped = "the Messages API failed: " + clip(redact(str(err)), 200)
        return done.side(clip(redact(str(err)), 300))
    except OptimizerError as err:
        return done.side(clip(redact(str(err)), 300))
    return done.side()


def _turn(
    client: Messages,
    turn: int,
    system: str,
    names: tuple[str, ...],
    call: Call,
    budget: Budget,
    tools: RecordedTools,
    done: _Progress,
) -> str:
    """One user turn: the model's answer, and its tool calls answered, up to ``max_tool_rounds`` times."""
    texts: list[str] = []
    for round_ in range(call.max_tool_rounds + 1):
        request = build_request(call.model, call.max_tokens, system, names, done.messages)
        budget.check(request)
        message = client.create(request)
        usage = usage_of(message)
        done.usage += usage
        done.cost += budget.charge(usage)
        blocks = answer_blocks(message.content)
        if not blocks:
            raise BadAnswer(f"the model's answer to turn {turn + 1} was empty")
        done.messages.append({"role": "assistant", "content": blocks})
        texts.extend(b["text"] for b in blocks if b["type"] == "text")
        uses = [b for b in blocks if b["type"] == "tool_use"]
        if not uses:
            break
        done.messages.append({"role": "user", "content": [_result(b, turn, tools, done) for b in uses]})
        if round_ == call.max_tool_rounds:
            break  # the next user turn joins these results: every tool_use is answered
    reply = "\n".join(texts).strip()
    if not reply:
        raise BadAnswer(f"the model gave no reply to turn {turn + 1}, only tool calls")
    return reply


def _result(block: dict[str, Any], turn: int, tools: RecordedTools, done: _Progress) -> dict[str, Any]:
    content, is_error = tools.answer(block["name"])
    done.uses.append(ToolUse(turn, block["name"], not is_error))
    return {"type": "tool_result", "tool_use_id": block["id"], "content": content, "is_error": is_error}


def _add_user(messages: list[dict[str, Any]], blocks: list[dict[str, Any]]) -> None:
    """A user turn, joined to the tool results before it when there are any (one user message)."""
    if messages and messages[-1]["role"] == "user":
        messages[-1]["content"].extend(blocks)
    else:
        messages.append({"role": "user", "content": blocks})


def usage_of(message: Message) -> Usage:
    """A response's usage, as the API reported it."""
    usage = message.usage
    return Usage(
        usage.input_tokens,
        usage.output_tokens,
        usage.cache_creation_input_tokens or 0,
        usage.cache_read_input_tokens or 0,
        1,
    )
