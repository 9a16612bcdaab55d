"""A lean streaming pass: per agent x prompt_version counts and moments, nothing else.

What the version comparison and the weekly report need from a long window (a week or more),
without the text analysis of the daily pass: the counting is the daily pass's own, so both
report the same figures for the same traces. Memory is a few small records per version.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from optimizer.analysis.aggregate import UNKNOWN_VERSION, AgentState, ToolCounts, VersionState, _count_version


class VersionAggregator:
    """Feeds traces into per-agent version state. Pure: give it records, read ``agents`` afterwards."""

    def __init__(self) -> None:
        self.agents: dict[str, AgentState] = {}

    def observe(self, trace: dict[str, Any], started: datetime) -> None:
        name = trace["agent"]
        agent = self.agents.get(name)
        if agent is None:
            agent = self.agents[name] = AgentState(name)
        agent.traces += 1
        version_name = trace.get("prompt_version") or UNKNOWN_VERSION
        version = agent.versions.get(version_name)
        if version is None:
            version = agent.versions[version_name] = VersionState()
        _count_version(version, trace, started)
        for call in trace.get("tool_calls") or ():
            counts = version.tools.get(call["name"])
            if counts is None:
                counts = version.tools[call["name"]] = ToolCounts()
            counts.calls += 1
            if call.get("latency_ms") is not None:
                counts.latency.add(call["latency_ms"])
            if call.get("ok") is False or call.get("error"):
                counts.failures += 1
