"""The `jsonl` trace source: JSONL files streamed once per question, through the aggregator it needs."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from optimizer.analysis.aggregate import AgentState, Aggregator
from optimizer.analysis.daily import DailyAggregator
from optimizer.analysis.versions import VersionAggregator
from optimizer.models import SourceReport
from optimizer.traces.jsonl import JsonlReader, Progress


class JsonlSource:
    def __init__(self, path: Path, progress: Progress | None = None) -> None:
        self.path = path
        self._progress = progress

    def observe(self, start: datetime, end: datetime, agent: str | None) -> tuple[dict[str, AgentState], SourceReport]:
        reader = JsonlReader(self.path, self._progress)
        aggregator = Aggregator()
        for started, trace in reader.read(start, end, agent):
            aggregator.observe(trace, started)
        return aggregator.agents, reader.report()

    def versions(self, start: datetime, end: datetime, agent: str | None) -> dict[str, AgentState]:
        aggregator = VersionAggregator()
        for started, trace in JsonlReader(self.path).read(start, end, agent):
            aggregator.observe(trace, started)
        return aggregator.agents

    def days(self, start: datetime, end: datetime, agent: str | None) -> tuple[DailyAggregator, dict[str, AgentState]]:
        daily, aggregator = DailyAggregator(), VersionAggregator()
        for started, trace in JsonlReader(self.path).read(start, end, agent):
            daily.observe(trace, started)
            aggregator.observe(trace, started)
        return daily, aggregator.agents
