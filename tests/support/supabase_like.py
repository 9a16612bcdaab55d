"""A database set up as Supabase sets one up: migrations applied by a non-superuser owner under
Supabase's default privileges (every new table, function and sequence granted to anon,
authenticated and service_role), and the REST layer logged in as ``authenticator``, switching to
the role each key names. What the migrations grant must hold here, not only on a bare server."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from tests.fakes.postgrest import PostgrestServer
from tests.support.postgres import apply_migrations

OWNER = "optimizer_test_supabase_owner"  # like Supabase's postgres: no superuser, may create roles
API_ROLES = ("anon", "authenticated", "service_role")


def _ensure_role(conn: psycopg.Connection, name: str, options: str) -> None:
    conn.execute(
        sql.SQL(
            "do $$ begin if not exists (select from pg_roles where rolname = {}) then create role {} {}; end if;"
            " exception when duplicate_object or unique_violation then null; end $$"
        ).format(sql.Literal(name), sql.Identifier(name), sql.SQL(options))
    )


@pytest.fixture(name="supabase_like")
def supabase_like_fixture(postgres) -> Iterator[PostgrestServer]:
    name = postgres.create_database()
    try:
        with psycopg.connect(postgres.admin_url, autocommit=True) as conn:
            _ensure_role(conn, OWNER, "nosuperuser createdb createrole login bypassrls")
            _ensure_role(conn, "authenticator", "login noinherit")
            for role in API_ROLES:
                _ensure_role(conn, role, "nologin noinherit")
                conn.execute(sql.SQL("grant {} to authenticator").format(sql.Identifier(role)))
            conn.execute(sql.SQL("alter database {} owner to {}").format(sql.Identifier(name), sql.Identifier(OWNER)))
        database = postgres.url(name)
        owner_url = psycopg.conninfo.make_conninfo(database, user=OWNER)
        with psycopg.connect(owner_url, autocommit=True) as conn:
            conn.execute("alter schema public owner to " + OWNER)
            for kind in ("tables", "functions", "sequences"):
                conn.execute(f"alter default privileges in schema public grant all on {kind} to {', '.join(API_ROLES)}")
        apply_migrations(owner_url)
        with PostgrestServer(psycopg.conninfo.make_conninfo(database, user="authenticator")) as rest:
            yield rest
    finally:
        postgres.drop_database(name)
