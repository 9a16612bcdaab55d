"""The Messages API request: stable blocks first and marked for caching, the volatile part last.

Caching follows the API's prefix order (tools, system, messages): the tool definition and the
instructions form one cached prefix shared by every agent; the agent's files extend it to a second
one, reused until a change to them is merged. The run data comes after both breakpoints.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from optimizer.analysts.claude_instructions import INSTRUCTIONS, TOOL_DESCRIPTION, TOOL_NAME
from optimizer.schemas import load_schema

Request = dict[str, Any]
EPHEMERAL = {"type": "ephemeral"}
MAX_FEEDBACK_ERRORS = 20
FEEDBACK_CHARS = 300


@cache
def tool_input_schema() -> dict[str, Any]:
    """The answer schema as the tool's input_schema (without the keywords only a validator needs)."""
    schema = copy.deepcopy(load_schema("claude_answer"))
    for keyword in ("$schema", "$id", "title"):
        schema.pop(keyword, None)
    return schema


def build_request(model: str, max_tokens: int, files_text: str, run_text: str) -> Request:
    return {
        "model": model,
        "max_tokens": max_tokens,
        "tools": [{"name": TOOL_NAME, "description": TOOL_DESCRIPTION, "input_schema": tool_input_schema()}],
        "tool_choice": {"type": "tool", "name": TOOL_NAME},
        "system": [{"type": "text", "text": INSTRUCTIONS, "cache_control": EPHEMERAL}],
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": files_text, "cache_control": EPHEMERAL},
                    {"type": "text", "text": run_text},
                ],
            }
        ],
    }


def with_feedback(request: Request, answer: list[dict[str, Any]], errors: list[str]) -> Request:
    """The request again, followed by the model's answer and what was wrong with it.

    Every tool_use in the answer gets its tool_result (``is_error``), as the API requires; an
    answer without one gets the feedback as plain text.
    """
    feedback = _feedback(errors)
    uses = [block for block in answer if block.get("type") == "tool_use"]
    results: list[dict[str, Any]] = [
        {
            "type": "tool_result",
            "tool_use_id": block["id"],
            "is_error": True,
            "content": feedback if n == 0 else "Ignored: answer with one call.",
        }
        for n, block in enumerate(uses)
    ]
    turns = [{"role": "assistant", "content": answer}] if answer else []
    reply = results or [{"type": "text", "text": feedback}]
    return {**request, "messages": [*request["messages"], *turns, {"role": "user", "content": reply}]}


def _feedback(errors: list[str]) -> str:
    shown = [error if len(error) <= FEEDBACK_CHARS else error[: FEEDBACK_CHARS - 1] + "…" for error in errors]
    lines = [f"- {error}" for error in shown[:MAX_FEEDBACK_ERRORS]]
    if len(errors) > MAX_FEEDBACK_ERRORS:
        lines.append(f"- and {len(errors) - MAX_FEEDBACK_ERRORS} more")
    return (
        "Your answer was rejected; nothing was applied. Problems:\n"
        + "\n".join(lines)
        + f"\nCall {TOOL_NAME} again with a complete, corrected answer."
    )


def answer_blocks(content: list[Any]) -> list[dict[str, Any]]:
    """The response's content blocks as request parameters (text and tool_use only)."""
    blocks: list[dict[str, Any]] = []
    for block in content:
        if block.type == "text" and block.text:
            blocks.append({"type": "text", "text": block.text})
        elif block.type == "tool_use":
            blocks.append({"type": "tool_use", "id": block.id, "name": block.name, "input": block.input})
    return blocks
