"""The tests' PostgREST layer is no kinder than PostgREST on Supabase: logged in as authenticator,
every read capped at the project's max rows (RPC sets too), STABLE functions in a read-only
transaction, and each role's statement timeout (anon 3 s)."""

from __future__ import annotations

import psycopg
import pytest

from optimizer.traces.rest import RestClient, RestError
from tests.support.postgres import postgrest
from tests.support.supabase_like import OWNER

FUNCTIONS = """
create table public.t_notes (n integer);
create function public.t_numbers(p_n integer) returns setof integer language sql stable
  as 'select generate_series(1, p_n)';
create function public.t_write() returns integer language plpgsql volatile
  as 'begin insert into public.t_notes values (1); return 1; end';
create function public.t_stable_write() returns integer language sql stable as 'select public.t_write()';
create function public.t_slow() returns integer language sql volatile as 'select 1 from pg_sleep(3.5)';
grant execute on function public.t_numbers(integer), public.t_write(), public.t_stable_write(), public.t_slow()
  to anon, service_role;
grant insert on public.t_notes to service_role;
"""


@pytest.fixture
def layer(database_url):
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(FUNCTIONS)
    with postgrest(database_url, max_rows=7) as server:
        yield server


def rpc(layer, role: str, function: str, args: dict) -> object:
    """One RPC as ``role``, through the real client, as the optimizer makes it."""
    client = RestClient(layer.url, layer.key(role))
    try:
        return client.rpc(function, function, args)
    finally:
        client.close()


def test_a_set_returning_function_is_capped_at_max_rows(layer):
    assert rpc(layer, "service_role", "t_numbers", {"p_n": 50}) == [1, 2, 3, 4, 5, 6, 7]


def test_a_stable_function_runs_read_only(layer):
    with pytest.raises(RestError, match="25006"):
        rpc(layer, "service_role", "t_stable_write", {})


def test_the_anon_role_runs_under_its_3_second_timeout(layer):
    with pytest.raises(RestError, match="57014"):
        rpc(layer, "anon", "t_slow", {})


def test_the_layer_may_switch_only_to_the_api_roles(layer):
    # it logs in as authenticator, as PostgREST does on Supabase: a key naming the owner gets nowhere
    with pytest.raises(RestError, match="42501"):
        rpc(layer, OWNER, "t_numbers", {"p_n": 1})
