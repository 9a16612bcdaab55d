"""Version metrics from generated traces with a known effect: the input of the measurement tests."""

from __future__ import annotations

import random

from optimizer.analysis.aggregate import Aggregator
from optimizer.analysis.metrics import version_metrics
from optimizer.models import VersionMetrics
from optimizer.traces.fastcheck import started_at_if_valid
from tests.support.builders import failing_call, trace


def generate(version: str, n: int, *, failure_rate: float, cost: float, seed: int) -> list[dict]:
    rng = random.Random(seed)
    traces = []
    for _ in range(n):
        ok = rng.random() >= failure_rate
        call = {"name": "check_availability", "ok": True} if ok else failing_call("check_availability", "Timeout")
        traces.append(
            trace(
                prompt_version=version,
                tool_calls=[call],
                cost_usd=max(0.0, rng.gauss(cost, cost / 4)),
                escalated=rng.random() < 0.1,
                sentiment=rng.choice(["neutral"] * 9 + ["negative"]),
            )
        )
    return traces


def versions(*batches: list[dict]) -> tuple[VersionMetrics, VersionMetrics]:
    aggregator = Aggregator()
    for batch in batches:
        for t in batch:
            aggregator.observe(t, started_at_if_valid(t))
    old, new = version_metrics(aggregator.agents["frontdesk"])
    return old, new
