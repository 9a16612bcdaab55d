"""The per-trace SQL helpers agree with the Python they stand in for, on a real PostgreSQL."""

from __future__ import annotations

import json
import math

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.analysis.stats import QuantileSketch
from optimizer.text.answers import is_unanswered
from tests.support.answers import ANSWERED, UNANSWERED

PHRASES = [
    *UNANSWERED,
    *ANSWERED,
    "I don\u2019t \u212anow",  # Kelvin sign: Python lowers it to "k"
    "\u0130 don't know",  # dotted capital I: Python lowers it to "i" and a combining dot
    "That\u2019s beyond what I can help with.",
    "I am not 100% sure about that.",
    "The team will follow up with you tomorrow.",
    "I was not able to retrieve the details.",
]
text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
replies = st.builds(lambda a, phrase, b: f"{a}{phrase}{b}", text, st.sampled_from(PHRASES), text) | text


@pytest.fixture(scope="module")
def conn(postgres):
    with postgres.database() as url, psycopg.connect(url, autocommit=True) as connection:
        connection.execute("set timezone = 'UTC'")
        yield connection


def maybe_unanswered(conn, texts):
    rows = conn.execute(
        "select public.optimizer_maybe_unanswered(t) from unnest(%s::text[]) with ordinality as x(t, n) order by n",
        [texts],
    ).fetchall()
    return [row[0] for row in rows]


def test_the_sql_prefilter_keeps_every_reply_python_flags(conn):
    flagged = [reply for reply in PHRASES if is_unanswered(reply)]
    assert flagged and all(maybe_unanswered(conn, flagged))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(replies, min_size=1, max_size=20))
def test_the_sql_prefilter_is_a_superset_of_is_unanswered(conn, texts):
    for reply, maybe in zip(texts, maybe_unanswered(conn, texts), strict=True):
        assert maybe or not is_unanswered(reply), reply


def test_candidate_pairs_pair_each_reply_with_the_question_before_it(conn):
    messages = [
        {"role": "user", "content": "Can I bring my dog?"},
        {"role": "assistant", "content": "I'm not sure, sorry."},
        {"role": "assistant", "content": "I don't know either."},
        {"role": "system", "content": "note"},
        {"role": "user", "content": ""},
        {"role": "assistant", "content": "The pool opens at 8."},
        {"role": "user", "content": "Parking?"},
        {"role": "assistant", "content": "There's no information about parking."},
    ]
    row = conn.execute("select public.optimizer_candidate_pairs(%s::jsonb)", [json.dumps(messages)]).fetchone()
    assert row[0] == [
        [2, 1, "Can I bring my dog?", "I'm not sure, sorry."],
        [3, 1, "Can I bring my dog?", "I don't know either."],
        [8, 7, "Parking?", "There's no information about parking."],
    ]
    none = conn.execute("select public.optimizer_candidate_pairs(%s::jsonb)", [json.dumps(messages[5:6])]).fetchone()
    assert none == (None,)


@given(st.lists(st.floats(min_value=1e-3, max_value=1e9, allow_nan=False), min_size=1, max_size=50))
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_latency_buckets_in_sql_are_the_sketch_buckets(conn, values):
    gamma = 1.01
    values = [*values, *(gamma**k for k in range(-5, 5))]  # boundaries, where rounding would show
    rows = conn.execute(
        "select ceil(ln(v) / %s)::integer from unnest(%s::double precision[]) with ordinality as x(v, n) order by n",
        [QuantileSketch.log_gamma(), values],
    ).fetchall()
    assert [row[0] for row in rows] == [math.ceil(math.log(v) / QuantileSketch.log_gamma()) for v in values]


def test_whole_hours_come_from_the_rollups_with_pythons_bucket_width(conn):
    """The analysis uses the rollups only when the client's ln(gamma) is the server's: check they
    agree here, so the equivalence tests exercise the rollups and not only the raw traces."""
    row = conn.execute(
        "select mid_lo, mid_hi from public.optimizer_middle(%s, %s, %s)",
        ["2026-11-19T00:10:00Z", "2026-11-19T05:30:00Z", QuantileSketch.log_gamma()],
    ).fetchone()
    assert [moment.isoformat() for moment in row] == ["2026-11-19T01:00:00+00:00", "2026-11-19T05:00:00+00:00"]
    other = conn.execute(
        "select mid_lo = mid_hi from public.optimizer_middle(%s, %s, %s)",
        ["2026-11-19T00:10:00Z", "2026-11-19T05:30:00Z", QuantileSketch.log_gamma() * 2],
    ).fetchone()
    assert other == (True,)  # another bucket width: everything from the traces themselves
