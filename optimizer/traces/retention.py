"""Retention on Supabase: raw traces older than ``retention.days`` are deleted in chunks, their
hours' rollups kept (supabase/migrations/20261203130000_optimizer_retention.sql). Each chunk is its
own request and statement, so none comes near the service role's statement timeout."""

from __future__ import annotations

from datetime import datetime, timedelta

from optimizer.config import Settings
from optimizer.traces.supabase_keys import credentials

PRUNE_FUNCTION = "optimizer_prune_traces"
CHUNK = 20_000  # rows per statement: well under a second each on the rollup-free delete path
MAX_CHUNKS = 500  # a first prune of a large backlog continues on the next day's run


def prune_traces(settings: Settings, now: datetime) -> tuple[int, bool] | None:
    """(raw traces deleted, whether older ones are left for the next run); None when retention is off."""
    if settings.retention_days is None or settings.traces_source != "supabase":
        return None
    from optimizer.traces.supabase_client import call, connect  # the client library only when pruning

    before = now - timedelta(days=settings.retention_days)
    url, key = credentials(settings.supabase)
    params = {"p_before": before.isoformat(), "p_limit": CHUNK}
    deleted = 0
    with connect(url, key, settings.supabase.timeout) as client:
        for _ in range(MAX_CHUNKS):
            response = call("delete old traces", url, lambda: client.rpc(PRUNE_FUNCTION, params).execute())
            gone = response.data if isinstance(response.data, int) else 0
            deleted += gone
            if gone < CHUNK:
                return deleted, False
    return deleted, True
