"""Traces kept in the user's own table (docs/supabase.md, "Traces you already store elsewhere"):
copied by a trigger, they get the rollups; read through a view, a window too large to read row by
row inside the statement timeout is refused with one line saying why and what to do."""

from __future__ import annotations

from datetime import datetime

import psycopg
import pytest

from optimizer.config import SupabaseSettings
from optimizer.traces.supabase import SupabaseAnalysis
from optimizer.traces.supabase_client import SupabaseError
from tests.fakes.postgrest import PostgrestServer
from tests.support.postgres import PROJECT

DOC = (PROJECT / "docs" / "supabase.md").read_text()
COPY_RECIPE = "-- copy your table" + DOC.split("```sql\n-- copy your table", 1)[1].split("```", 1)[0]
VIEW_RECIPE = "-- map your table" + DOC.split("```sql\n-- map your table", 1)[1].split("```", 1)[0]
AGENT_LOGS = """
create table agent_logs (
  log_id text primary key, conversation text, bot text, created timestamptz, version text,
  dollars numeric, millis integer, transcript jsonb, handed_off boolean, mood text, extra jsonb,
  seq bigserial
)
"""
LOG_ROWS = """
insert into agent_logs (log_id, conversation, bot, created, version, dollars, millis, transcript, handed_off, mood,
                        extra)
select 'L' || n, 'c' || (n / 3), 'frontdesk', '2026-11-19T00:00:00Z'::timestamptz + n * interval '1 second', 'v1',
  0.01, 900, '[{"role": "user", "content": "Can I bring my dog?"}]', n %% 4 = 0, null, '{}'
from generate_series(%s::integer, %s::integer) n
"""
DAY = ("2026-11-19T00:00:00+00:00", "2026-11-20T00:00:00+00:00")


def analyze(url: str) -> tuple[int, int]:
    """(traces, sessions) of the day, as the optimizer reads them through the REST layer."""
    with PostgrestServer(url) as rest:
        analysis = SupabaseAnalysis(rest.url, rest.key("service_role"), SupabaseSettings())
        state = analysis.aggregate(*(datetime.fromisoformat(moment) for moment in DAY))["frontdesk"]
    version = state.versions["v1"]
    return version.traces, version.sessions.count()


def test_rows_copied_from_your_own_table_by_a_trigger_get_the_rollups(database_url):
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(AGENT_LOGS)
        conn.execute(LOG_ROWS, [0, 59])  # there before the trigger: the recipe copies them once
        conn.execute(COPY_RECIPE)
        conn.execute(LOG_ROWS, [60, 119])
    assert analyze(database_url) == (120, 40)
    with psycopg.connect(database_url) as conn:
        rolled = conn.execute("select sum(traces) from public.optimizer_rollup_versions").fetchone()
    assert rolled == (120,)  # the hours come from the rollups


def test_a_view_refuses_a_window_too_large_to_read_row_by_row(database_url):
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(AGENT_LOGS)
        conn.execute(VIEW_RECIPE)
        # what Supabase's default privileges give the service role on new tables and views
        conn.execute("grant select on public.agent_logs, public.optimizer_traces to service_role")
        conn.execute(LOG_ROWS, [1, 1000])
    assert analyze(database_url) == (1000, 334)  # a small window: read from the view as before
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(LOG_ROWS, [1001, 50001])
    with pytest.raises(SupabaseError) as refused:
        analyze(database_url)
    line = str(refused.value)
    assert "\n" not in line and "optimizer_traces is a view" in line and "more than 50000 traces" in line
    assert "copy your rows into it with a trigger" in line
