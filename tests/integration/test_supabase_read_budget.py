"""The analysis at its caps reads what it always read: the first candidates in stream order (row id,
then reply) over rolled-up hours, queued traces and the window's partial hours alike, the rest
counted; and the first staff replies by id, the rest counted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg

from tests.support.postgres import insert_traces

START = datetime(2026, 11, 19, 0, 40, tzinfo=UTC)  # a partial hour at each end
END = datetime(2026, 11, 19, 5, 20, tzinfo=UTC)
QUESTION = "Can I bring my dog?"


def trace(n: int) -> dict:
    """Trace n (inserted n-th, so its row id is n): its start wanders over the hours, out of id order."""
    started = datetime(2026, 11, 19, tzinfo=UTC) + timedelta(minutes=(n * 47) % 360)
    messages = [{"role": "user", "content": f"{QUESTION} ({n})"}, {"role": "assistant", "content": "I don't know."}]
    if n % 3 == 0:
        messages.append({"role": "human", "content": "Yes, dogs are welcome."})
    return {"trace_id": f"t-{n}", "agent": "frontdesk", "started_at": started.isoformat(), "messages": messages}


def analyze(conn: psycopg.Connection, max_candidates: int) -> dict:
    [(result,)] = conn.execute(
        "select public.optimizer_analyze(%s, %s, p_max_candidates => %s)", [START, END, max_candidates]
    ).fetchall()
    return result


def test_candidates_and_replies_at_their_caps_are_the_first_in_stream_order(database_url):
    records = [trace(n) for n in range(1, 121)]
    insert_traces(database_url, records[:80])
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("select public.optimizer_roll_up()")
    insert_traces(database_url, records[80:])  # still queued
    inside = [(n, r) for n, r in enumerate(records, 1) if START <= datetime.fromisoformat(r["started_at"]) < END]
    with psycopg.connect(database_url) as conn:
        capped, whole = analyze(conn, 7)["unanswered"], analyze(conn, 100000)["unanswered"]
        replies = conn.execute("select public.optimizer_human_replies(%s, %s, null, 4)", [START, END]).fetchone()[0]

    assert [row[1] for row in capped["rows"]] == [n for n, _ in inside[:7]]
    assert [capped["texts"][row[5]] for row in capped["rows"]] == [f"{QUESTION} ({n})" for n, _ in inside[:7]]
    assert capped["truncated"] == len(inside) - 7 and len(whole["rows"]) == len(inside)
    with_replies = [n for n, _ in inside if n % 3 == 0]
    assert [row["id"] for row in replies["rows"]] == with_replies[:4]
    assert replies["truncated"] == len(with_replies) - 4
