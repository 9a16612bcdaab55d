"""The analysis run where the traces live, in Supabase.

One RPC, ``optimizer_analyze`` (supabase/migrations), returns for the window what the detectors
need — aggregates, histograms, grouped errors, candidate questions, a few samples — never the
rows themselves; ``supabase_state`` turns it into the same AgentState the JSONL path builds.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from optimizer.analysis.aggregate import AgentState
from optimizer.analysis.stats import QuantileSketch
from optimizer.config import SupabaseSettings
from optimizer.models import SourceReport
from optimizer.traces.supabase_client import SupabaseError, call, connect, host_of
from optimizer.traces.supabase_state import states_from_analysis

ANALYZE_FUNCTION = "optimizer_analyze"
_SECTIONS = ("traces", "tools", "unanswered", "samples", "replies")


def analyze_params(start: datetime, end: datetime, agent: str | None, settings: SupabaseSettings) -> dict[str, Any]:
    """The RPC's arguments; the bucket width is sent so SQL buckets latencies exactly as Python does."""
    return {
        "p_start": start.isoformat(),
        "p_end": end.isoformat(),
        "p_agent": agent,
        "p_log_gamma": QuantileSketch.log_gamma(),
        "p_max_groups": settings.max_error_groups,
        "p_max_candidates": settings.max_candidates,
    }


class SupabaseAnalysis:
    """Traces in the optimizer_traces table (or a view of that name), analyzed by SQL functions."""

    def __init__(self, url: str, key: str, settings: SupabaseSettings) -> None:
        self.url = url
        self._key = key
        self._settings = settings
        self._traces = 0
        self._notes: list[str] = []

    def aggregate(self, start: datetime, end: datetime, agent: str | None = None) -> dict[str, AgentState]:
        """Per-agent state for traces with ``start <= started_at < end`` (and of ``agent``)."""
        params = analyze_params(start, end, agent, self._settings)
        with connect(self.url, self._key, self._settings.timeout) as client:
            response = call("analyze traces", self.url, lambda: client.rpc(ANALYZE_FUNCTION, params).execute())
        result = response.data
        if not isinstance(result, dict) or any(section not in result for section in _SECTIONS):
            raise SupabaseError(
                f"analyze traces: {ANALYZE_FUNCTION} at {host_of(self.url)} gave an unexpected answer; "
                "apply the migrations in supabase/migrations (supabase db push)"
            )
        states, truncation = states_from_analysis(result)
        self._traces = sum(state.traces for state in states.values())
        self._notes = truncation.notes()
        return states

    def report(self) -> SourceReport:
        description = f"supabase {host_of(self.url)} optimizer_traces"
        if self._notes:
            description += f" (left out: {'; '.join(self._notes)})"
        return SourceReport(
            description=description,
            files=0,
            lines=self._traces,
            traces_in_window=self._traces,
            skipped=0,
        )
