"""A lean streaming pass: per agent x prompt_version counts and moments, nothing else.

What the version comparison and the weekly report need from a long window (a week or more),
without the text analysis of the daily pass: the counting is the daily pass's own, so both
report the same figures for the same traces. Memory is a few small records per version.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from optimizer.analysis.aggregate import Aggregator, _count_version, count_call, count_turn
from optimizer.text.redact import redact_name


class VersionAggregator(Aggregator):
    """Feeds traces into per-agent version state only. Pure: give it records, read ``agents`` afterwards."""

    def observe(self, trace: dict[str, Any], started: datetime) -> None:
        _agent, version = self._states(trace)
        _count_version(version, trace, started)
        last: dict[str, bool] = {}
        for call in trace.get("tool_calls") or ():
            last[redact_name(call["name"])] = count_call(version, call)
        count_turn(version, last)
