"""Traces with a known effect between prompt versions, written as JSONL for the CLI tests.

``examples/generate_traces.py`` cannot put chosen git SHAs into ``prompt_version``; this can. Ids
are the batch's own (version, seed, index), so any number of traces leaves ``tests.builders``'
clock alone.
Failures are exact (``round(rate * n)`` of the traces, spread by a seeded shuffle), so a test can
assert the very figures a reviewer reads; costs are seeded Gaussian noise around a chosen mean.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.support.builders import exchange, failing_call

START = datetime(2026, 11, 14, tzinfo=UTC)  # day 1 of a generated week; the week ends 2026-11-21T00:00Z
END = START + timedelta(days=7)


@dataclass(frozen=True)
class Batch:
    """``n`` traces of ``version``, spread evenly over ``days`` whole days from day ``first_day`` (1-based)."""

    version: str
    n: int
    first_day: int
    days: int
    failure_rate: float = 0.1
    cost: float = 0.02
    escalation_rate: float = 0.05
    seed: int = 0
    unanswered: int = 0  # of them, guests asking something the agent cannot answer

    def traces(self) -> list[dict[str, Any]]:
        rng = random.Random(self.seed)
        failing = set(rng.sample(range(self.n), round(self.failure_rate * self.n)))
        escalated = set(rng.sample(range(self.n), round(self.escalation_rate * self.n)))
        asking = set(rng.sample(range(self.n), self.unanswered))
        begin = START + timedelta(days=self.first_day - 1)
        step = timedelta(days=self.days) / self.n
        out = []
        for i in range(self.n):
            call = (
                failing_call("check_availability", "Timeout after 30000 ms")
                if i in failing
                else {"name": "check_availability", "ok": True, "error": None, "latency_ms": 90}
            )
            extra = {}
            if i in asking:
                extra["messages"] = exchange("Is there parking at the hotel?", "I'm sorry, I don't know that.")
                extra["metadata"] = {"topic": "parking"}
            trace_id = f"{self.version[:12]}-{self.seed}-{i:06d}"
            out.append(
                {
                    "trace_id": trace_id,
                    "session_id": f"{trace_id[:-1]}",  # ten traces a session
                    "agent": "frontdesk",
                    "started_at": (begin + step * i).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "prompt_version": self.version,
                    "model": "claude-sonnet-4-5",
                    "channel": "web",
                    "usage": {"input_tokens": 1000, "output_tokens": 200},
                    "cost_usd": round(max(0.0, rng.gauss(self.cost, self.cost / 4)), 6),
                    "latency_ms": 1200 + (i % 11) * 10,
                    "tool_calls": [call],
                    "messages": exchange("What time is breakfast served?", "Breakfast is from 7 to 10."),
                    "escalated": i in escalated,
                    "owner_corrected": False,
                    "sentiment": "neutral",
                    "feedback": None,
                    "error": None,
                    "metadata": {"topic": "breakfast"},
                }
                | extra
            )
        return out


def write_traces(path: Path, batches: Iterable[Batch]) -> list[dict[str, Any]]:
    """All the batches' traces in one JSONL file (made or replaced); returns them."""
    traces = [t for batch in batches for t in batch.traces()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(t) + "\n" for t in traces), encoding="utf-8")
    return traces


def per_day(traces: Iterable[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for t in traces:
        counts[t["started_at"][:10]] = counts.get(t["started_at"][:10], 0) + 1
    return counts
