"""Version metrics from generated traces with a known effect: the input of the measurement tests."""

from __future__ import annotations

import itertools
import random
from datetime import timedelta

from optimizer.analysis.aggregate import Aggregator
from optimizer.analysis.metrics import version_metrics
from optimizer.models import VersionMetrics
from optimizer.traces.fastcheck import started_at_if_valid
from tests.support.builders import BASE_TIME, failing_call, trace

_batches = itertools.count()  # each batch an hour after the one before: versions are seen in call order


def generate(version: str, n: int, *, failure_rate: float, cost: float, seed: int) -> list[dict]:
    rng = random.Random(seed)
    start = BASE_TIME + timedelta(hours=next(_batches))
    traces = []
    for index in range(n):
        ok = rng.random() >= failure_rate
        call = {"name": "check_availability", "ok": True} if ok else failing_call("check_availability", "Timeout")
        traces.append(
            trace(
                prompt_version=version,
                tool_calls=[call],
                cost_usd=max(0.0, rng.gauss(cost, cost / 4)),
                escalated=rng.random() < 0.1,
                sentiment=rng.choice(["neutral"] * 9 + ["negative"]),
                started_at=(start + timedelta(seconds=index % 3600)).strftime("%Y-%m-%dT%H:%M:%SZ"),
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
