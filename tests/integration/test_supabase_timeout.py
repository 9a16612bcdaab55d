"""A read that runs past the service role's statement timeout ends in one line that says what
happened and what to do, as PostgREST on Supabase cancels it (SQLSTATE 57014)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from psycopg import sql

from optimizer.config import SupabaseSettings
from optimizer.traces.supabase import SupabaseAnalysis
from optimizer.traces.supabase_client import SupabaseError
from tests.support.postgres import insert_traces

DAY = datetime(2026, 11, 19, tzinfo=UTC)


def test_a_read_past_the_statement_timeout_says_what_to_do(postgres, database_url, rest):
    insert_traces(
        database_url,
        [
            {"trace_id": f"t-{i}", "agent": "frontdesk", "started_at": (DAY + timedelta(seconds=i)).isoformat()}
            for i in range(3000)
        ],
    )
    name = psycopg.conninfo.conninfo_to_dict(database_url)["dbname"]
    # as the superuser (the project's owner may not alter Supabase's roles), in this database only:
    # the layer applies a role's settings per request, as PostgREST does
    with psycopg.connect(postgres.url(str(name)), autocommit=True) as conn:
        conn.execute(
            sql.SQL("alter role service_role in database {} set statement_timeout = '1ms'").format(sql.Identifier(name))
        )
    analysis = SupabaseAnalysis(rest.url, rest.key("service_role"), SupabaseSettings())

    with pytest.raises(SupabaseError) as raised:
        analysis.aggregate(DAY, DAY + timedelta(days=1))

    line = str(raised.value)
    assert "\n" not in line and "57014" in line
    assert "statement timeout" in line and "window.hours" in line and "supabase.max_candidates" in line
