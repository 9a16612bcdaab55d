"""The Messages requests of a replay, and the recorded tool results answered in place of the tools. Pure.

The system prompt is one block marked for caching: every turn of every conversation replayed on one
version of the files shares it. Tools are declared by name with an open input schema (the prompts
name them, the traces do not record their schemas); when the model calls one, the recording
answers: the next recorded call of that tool, its last one again once the recording runs out, and an
error for a tool the conversation never called. A tool is never called.
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from collections.abc import Iterable
from typing import Any

from optimizer.replay.model import RecordedCall

Request = dict[str, Any]
EPHEMERAL = {"type": "ephemeral"}
RECORDED_OK = "ok (the replay answers from the recorded conversation; the tool's output was not recorded)"
TOOL_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")  # what the API accepts as a tool's name
NOT_RECORDED = "error: this tool was not called in the recorded conversation, so the replay has no result for it"


def build_request(model: str, max_tokens: int, system: str, tools: Iterable[str], messages: list[Any]) -> Request:
    request: Request = {
        "model": model,
        "max_tokens": max_tokens,
        "system": [{"type": "text", "text": system, "cache_control": EPHEMERAL}],
        "messages": messages,
    }
    declared = [_tool(name) for name in dict.fromkeys(tools)]
    if declared:
        request["tools"] = declared
    return request


def _tool(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "description": f"The agent's {name} tool.",
        "input_schema": {"type": "object", "additionalProperties": True},
    }


class RecordedTools:
    """What each tool returned in the recorded conversation, handed out in order."""

    def __init__(self, calls: Iterable[RecordedCall]) -> None:
        self._queues: dict[str, deque[RecordedCall]] = defaultdict(deque)
        self._last: dict[str, RecordedCall] = {}
        for call in calls:
            self._queues[call.name].append(call)

    def answer(self, name: str) -> tuple[str, bool]:
        """(the tool_result's content, is_error) for the model's next call of ``name``."""
        queue = self._queues.get(name)
        call = queue.popleft() if queue else self._last.get(name)
        if call is None:
            return NOT_RECORDED, True
        self._last[name] = call
        return (RECORDED_OK, False) if call.ok else (f"error: {call.error or 'failed'}", True)


def tool_names(tools: Iterable[str], calls: Iterable[RecordedCall]) -> tuple[str, ...]:
    """The tools to declare: those the prompts declare, and any the recording shows the agent calling."""
    names = dict.fromkeys([*tools, *(call.name for call in calls)])
    return tuple(name for name in names if TOOL_NAME.fullmatch(name))
