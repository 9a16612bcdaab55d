"""The analysis run where the traces live, in Supabase.

One RPC, ``optimizer_analyze`` (supabase/migrations), returns for the window what the detectors
need — aggregates, histograms, grouped errors, candidate questions, a few samples — never the
rows themselves; ``supabase_state`` turns it into the same AgentState the JSONL path builds.

Writing a trace only queues it for the rollups; before each analysis the reader rolls the queue
up (``optimizer_roll_up``, one bounded chunk per request), so a read right after inserts is exact.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from optimizer.analysis.aggregate import AgentState
from optimizer.analysis.stats import QuantileSketch
from optimizer.config import SupabaseSettings
from optimizer.models import SourceReport
from optimizer.traces.supabase_client import SupabaseError, call, connect, host_of
from optimizer.traces.supabase_state import add_prompt_blocks, states_from_analysis

if TYPE_CHECKING:
    from supabase import Client

ANALYZE_FUNCTION = "optimizer_analyze"
ROLL_UP_FUNCTION = "optimizer_roll_up"  # supabase/migrations/20261203160000_optimizer_rollup_queue.sql
PROMPT_BLOCKS_FUNCTION = "optimizer_prompt_blocks"  # supabase/migrations/20261203180000_optimizer_prompt_blocks.sql
MAX_PROMPT_BLOCK_GROUPS = 1_000  # distinct renderings per read; a repetition shows in the first ones it appears in
ROLL_UP_CHUNK = 20_000  # queued traces per request: 1.5-3.5 s at the 5,600-14,000 rows/s measured here
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


def roll_up(client: Client, url: str) -> int:
    """Roll up every queued trace, a chunk per request (each its own statement, inside the timeout)."""
    rolled = 0
    while True:
        response = call(
            "roll up new traces", url, lambda: client.rpc(ROLL_UP_FUNCTION, {"p_limit": ROLL_UP_CHUNK}).execute()
        )
        done = response.data if isinstance(response.data, int) else 0
        rolled += done
        if done < ROLL_UP_CHUNK:
            return rolled


def _blocks_params(params: dict[str, Any]) -> dict[str, Any]:
    return {key: params[key] for key in ("p_start", "p_end", "p_agent")} | {"p_max": MAX_PROMPT_BLOCK_GROUPS}


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
            roll_up(client, self.url)
            response = call("analyze traces", self.url, lambda: client.rpc(ANALYZE_FUNCTION, params).execute())
            blocks = call(
                "read the rendered prompts' blocks",
                self.url,
                lambda: client.rpc(PROMPT_BLOCKS_FUNCTION, _blocks_params(params)).execute(),
            )
        result = response.data
        if not isinstance(result, dict) or any(section not in result for section in _SECTIONS):
            raise SupabaseError(
                f"analyze traces: {ANALYZE_FUNCTION} at {host_of(self.url)} gave an unexpected answer; "
                "apply the migrations in supabase/migrations (supabase db push)"
            )
        states, truncation = states_from_analysis(result)
        add_prompt_blocks(states, blocks.data)
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
