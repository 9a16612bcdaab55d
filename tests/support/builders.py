"""Valid trace records for tests, built from a few keyword overrides."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

_ids = itertools.count(1)
BASE_TIME = datetime(2026, 11, 19, 12, 0, tzinfo=UTC)


def trace(**overrides: Any) -> dict[str, Any]:
    """A healthy trace of agent `frontdesk`; ``overrides`` replace top-level keys."""
    n = next(_ids)
    started = BASE_TIME + timedelta(seconds=n % 36_000)  # stays on 19 Nov however many traces a run builds
    record: dict[str, Any] = {
        "trace_id": f"t-{n:06d}",
        "session_id": f"s-{n // 3:06d}",
        "agent": "frontdesk",
        "started_at": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "ended_at": (started + timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "prompt_version": "v1",
        "model": "claude-sonnet-4-5",
        "channel": "web",
        "usage": {
            "input_tokens": 1000,
            "output_tokens": 200,
            "cache_read_input_tokens": 0,
            "cache_creation_input_tokens": 0,
        },
        "cost_usd": 0.006 + (n % 7) * 0.0001,
        "latency_ms": 1200 + (n % 11) * 10,
        "tool_calls": [{"name": "lookup_booking", "ok": True, "error": None, "latency_ms": 80}],
        "messages": [
            {"role": "user", "content": "What time is breakfast served?", "at": None},
            {"role": "assistant", "content": "Breakfast is served from 7 to 10 in the garden room.", "at": None},
        ],
        "escalated": False,
        "owner_corrected": False,
        "sentiment": "neutral",
        "feedback": None,
        "error": None,
        "metadata": {"topic": "breakfast"},
    }
    record.update(overrides)
    return record


def failing_call(name: str, error: str) -> dict[str, Any]:
    return {"name": name, "ok": False, "error": error, "latency_ms": 3000}


def exchange(question: str, answer: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": question, "at": None}, {"role": "assistant", "content": answer, "at": None}]
