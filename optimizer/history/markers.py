"""The hidden blocks the bot writes into its pull requests and comments, so later runs can read them back.

Each is an HTML comment, ``<!-- optimizer:<kind> {json} -->``, invisible on GitHub:

- ``meta``: what an optimizer pull request proposed (fingerprints, scores, edits), in its description;
- ``dropped``: a proposal taken out with ``/optimizer drop N``, in the bot's reply;
- ``answered``: the answer a writer gave an FAQ proposal with ``/optimizer answer N``, in the bot's reply;
- ``revert``: the agent and version a rollback pull request reverts, in its description;
- ``dashboard``: what an agent's dashboard issue tracks between runs (``history.dashboard``), in its body;
- ``item``: the id of one dashboard item, on its checkbox line, so a tick is read back as that item's.

``<``, ``>`` and ``&`` are written as JSON escapes, so no value can end the comment early.
"""

from __future__ import annotations

import json
import re
from typing import Any


def write_block(kind: str, data: Any) -> str:
    raw = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    safe = raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"<!-- optimizer:{kind} {safe} -->"


def read_blocks(kind: str, body: str | None) -> list[Any]:
    """The JSON of every ``kind`` block in ``body``, in order; an unreadable one is None."""
    found: list[Any] = []
    for raw in re.findall(rf"<!-- optimizer:{re.escape(kind)} (\{{[^>]*\}}) -->", body or ""):
        try:
            found.append(json.loads(raw))
        except json.JSONDecodeError:
            found.append(None)
    return found


def parse_meta(body: str) -> dict[str, Any] | None:
    """The meta block of an optimizer PR body (the last one), or None when absent or unreadable."""
    blocks = read_blocks("meta", body)
    last = blocks[-1] if blocks else None
    return last if isinstance(last, dict) else None


def replace_meta(body: str, data: dict[str, Any]) -> str:
    """``body`` with its last meta block replaced by one holding ``data`` (appended when it has none)."""
    found = list(re.finditer(r"<!-- optimizer:meta \{[^>]*\} -->", body))
    block = write_block("meta", data)
    if not found:
        return body.rstrip("\n") + "\n\n" + block + "\n"
    last = found[-1]
    return body[: last.start()] + block + body[last.end() :]


def answered_block(record: dict[str, Any]) -> str:
    return write_block("answered", record)


def parse_answered(body: str) -> list[dict[str, Any]]:
    return [
        b
        for b in read_blocks("answered", body)
        if isinstance(b, dict) and all(isinstance(b.get(k), str) for k in ("fingerprint", "question", "answer", "by"))
    ]


def dropped_block(record: dict[str, Any]) -> str:
    return write_block("dropped", record)


def parse_dropped(body: str) -> list[dict[str, Any]]:
    return [b for b in read_blocks("dropped", body) if isinstance(b, dict) and isinstance(b.get("fingerprint"), str)]


def revert_marker(agent: str, version: str) -> str:
    return write_block("revert", {"agent": agent, "version": version})


def parse_revert(body: str) -> dict[str, Any] | None:
    """The marker's agent and version, or None when the body has none."""
    for block in reversed(read_blocks("revert", body)):
        if isinstance(block, dict) and isinstance(block.get("version"), str):
            return block
    return None


def dashboard_block(state: dict[str, Any]) -> str:
    return write_block("dashboard", state)


def parse_dashboard(body: str | None) -> dict[str, Any] | None:
    """The dashboard issue's state (the last block), or None when absent or unreadable."""
    blocks = read_blocks("dashboard", body)
    last = blocks[-1] if blocks else None
    return last if isinstance(last, dict) else None


def item_marker(item_id: str) -> str:
    return write_block("item", {"id": item_id})


_TASK = re.compile(r"^\s*[-*+] \[([ xX])\] .*?<!-- optimizer:item (\{[^>]*\}) -->", re.MULTILINE)


def parse_ticks(body: str | None) -> dict[str, bool]:
    """Item id -> whether its checkbox is ticked, for every task line that carries an item marker."""
    ticks: dict[str, bool] = {}
    for box, raw in _TASK.findall(body or ""):
        try:
            data = json.loads(raw)
        except json.JSONDecodeError:
            continue
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            ticks[data["id"]] = box != " "
    return ticks
