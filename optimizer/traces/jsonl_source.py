"""The `jsonl` trace source: JSONL files (canonical records or OTLP/JSON, told by their content) streamed
once per question, through the aggregator it needs."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from optimizer.analysis.aggregate import AgentState, Aggregator
from optimizer.analysis.daily import DailyAggregator
from optimizer.analysis.versions import VersionAggregator
from optimizer.models import SourceReport
from optimizer.traces.formats import open_reader
from optimizer.traces.jsonl import Progress
from optimizer.traces.otlp_mapping import Prices


class JsonlSource:
    def __init__(self, path: Path, progress: Progress | None = None, prices: Prices | None = None) -> None:
        self.path = path
        self._progress = progress
        self._prices = prices  # prices the OTLP turns that carry tokens but no cost

    def observe(self, start: datetime, end: datetime, agent: str | None) -> tuple[dict[str, AgentState], SourceReport]:
        reader = open_reader(self.path, self._progress, self._prices)
        aggregator = Aggregator()
        for started, trace in reader.read(start, end, agent):
            aggregator.observe(trace, started)
        return aggregator.agents, reader.report()

    def versions(self, start: datetime, end: datetime, agent: str | None) -> dict[str, AgentState]:
        aggregator = VersionAggregator()
        for started, trace in open_reader(self.path, prices=self._prices).read(start, end, agent):
            aggregator.observe(trace, started)
        return aggregator.agents

    def days(self, start: datetime, end: datetime, agent: str | None) -> tuple[DailyAggregator, dict[str, AgentState]]:
        daily, aggregator = DailyAggregator(), VersionAggregator()
        for started, trace in open_reader(self.path, prices=self._prices).read(start, end, agent):
            daily.observe(trace, started)
            aggregator.observe(trace, started)
        return daily, aggregator.agents
