"""The `supabase` trace source: the SQL analysis function asked once for the window and, for the
weekly report, once per UTC day. No trace rows cross the wire."""

from __future__ import annotations

from datetime import datetime

from optimizer.analysis.aggregate import AgentState
from optimizer.analysis.daily import DailyAggregator, day_counts
from optimizer.config import SupabaseSettings
from optimizer.models import SourceReport
from optimizer.timeutil import utc_days
from optimizer.traces.supabase import SupabaseAnalysis
from optimizer.traces.supabase_client import credentials


class SupabaseSource:
    def __init__(self, analysis: SupabaseAnalysis) -> None:
        self._analysis = analysis

    @classmethod
    def from_settings(cls, settings: SupabaseSettings) -> SupabaseSource:
        url, key = credentials(settings)
        return cls(SupabaseAnalysis(url, key, settings))

    def observe(self, start: datetime, end: datetime, agent: str | None) -> tuple[dict[str, AgentState], SourceReport]:
        return self._analysis.aggregate(start, end, agent), self._analysis.report()

    def versions(self, start: datetime, end: datetime, agent: str | None) -> dict[str, AgentState]:
        return self._analysis.aggregate(start, end, agent)

    def days(self, start: datetime, end: datetime, agent: str | None) -> tuple[DailyAggregator, dict[str, AgentState]]:
        daily = DailyAggregator()
        for day_start, day_end in utc_days(start, end):
            for name, state in self._analysis.aggregate(day_start, day_end, agent).items():
                for version, counts in state.versions.items():
                    daily.days[name][day_start.date()][version] = day_counts(counts)
        return daily, self._analysis.aggregate(start, end, agent)
