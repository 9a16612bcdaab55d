"""A database set up as Supabase sets one up, for every test that goes through the REST layer.

Written (not copied) from supabase/postgres @ 7db7e1a9e34b9ffb9b0e3372ccf08eb4fa772f4b:
migrations/db/init-scripts/00000000000000-initial-schema.sql (the API roles, the ``extensions``
schema, default privileges in ``public``, the anon and authenticated timeouts),
00000000000001-auth-schema.sql (``auth`` and its ``uid()``/``role()``), 00000000000002-storage-schema.sql,
00000000000003-post-setup.sql (the owner's search_path), and migrations/db/migrations/
10000000000000_demote-postgres.sql (``postgres`` is no superuser), 20221028101028_set_authenticator_timeout.sql,
20221103090837_revoke_admin.sql, 20230201083204_grant_auth_roles_to_postgres.sql,
20230529180330_alter_api_roles_for_inherit.sql, 20231130133139_set_lock_timeout_to_authenticator_role.sql.

Who is who: the test server's superuser plays ``supabase_admin``; OWNER plays the project's
``postgres`` (roles are cluster-wide and the local server's ``postgres`` is its superuser, so the
part gets a name of its own). Migrations run as OWNER, as ``supabase db push`` runs them as
``postgres``; the REST layer logs in as ``authenticator`` and switches to the key's role.
"""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql

OWNER = "optimizer_test_supabase_owner"  # Supabase's `postgres`: no superuser, may create roles and databases
API_ROLES = ("anon", "authenticated", "service_role")
LOGIN_ROLE = "authenticator"  # PostgREST's

# role -> (attributes, settings); the API roles inherit since 20230529180330, authenticator never does
ROLES: dict[str, tuple[str, dict[str, str]]] = {
    OWNER: ("nosuperuser createdb createrole login replication bypassrls inherit", {}),
    LOGIN_ROLE: ("nosuperuser login noinherit", {"statement_timeout": "8s", "lock_timeout": "8s"}),
    "anon": ("nosuperuser nologin inherit", {"statement_timeout": "3s"}),
    "authenticated": ("nosuperuser nologin inherit", {"statement_timeout": "8s"}),
    "service_role": ("nosuperuser nologin inherit bypassrls", {}),  # runs under the authenticator's 8 s
}
_SETUP_LOCK = 7_461_014  # an advisory lock: test runs sharing a server alter the same cluster-wide roles

# Per database, run by the superuser in the new database. {owner} and {admin} are identifiers.
DATABASE_SETUP = """
grant usage on schema public to {owner}, anon, authenticated, service_role;
create schema extensions;
grant usage on schema extensions to {owner}, anon, authenticated, service_role;
alter default privileges in schema extensions grant all on tables to {owner} with grant option;
alter default privileges in schema extensions grant all on routines to {owner} with grant option;
alter default privileges in schema extensions grant all on sequences to {owner} with grant option;
create schema auth;
grant usage on schema auth to anon, authenticated, service_role;
grant all on schema auth to {owner};
create function auth.jwt() returns jsonb language sql stable
  as $$ select coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{{}}')::jsonb $$;
create function auth.role() returns text language sql stable as $$ select auth.jwt() ->> 'role' $$;
create function auth.uid() returns uuid language sql stable as $$ select (auth.jwt() ->> 'sub')::uuid $$;
create schema storage;
grant usage on schema storage to {owner}, anon, authenticated, service_role;
grant all on schema storage to {owner};
create schema graphql_public;
grant usage on schema graphql_public to {owner}, anon, authenticated, service_role;
"""
# What every new object in public gets, whether the owner or the admin creates it.
DEFAULT_GRANTS = "alter default privileges for role {creator} in schema public grant all on {kind} to {grantees}"
EXTENSIONS = ("uuid-ossp", "pgcrypto")  # where a server ships them (contrib); the migrations use neither


def prepare_roles(admin_url: str) -> None:
    """Create or correct the cluster-wide roles; a role already as wanted is left untouched."""
    with psycopg.connect(admin_url, autocommit=True) as conn, conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", [_SETUP_LOCK])
        password = psycopg.conninfo.conninfo_to_dict(admin_url).get("password")
        for name, (attributes, settings) in ROLES.items():
            _ensure_role(conn, name, attributes, settings)
            if password and ("login" in attributes.split()):  # a server that asks for passwords: the admin's
                conn.execute(sql.SQL("alter role {} password {}").format(sql.Identifier(name), sql.Literal(password)))
        conn.execute(
            sql.SQL("alter role {} set search_path = '$user', public, extensions").format(sql.Identifier(OWNER))
        )
        for role in API_ROLES:
            for member in (LOGIN_ROLE, OWNER):
                if not _is_member(conn, member, role):
                    conn.execute(sql.SQL("grant {} to {}").format(sql.Identifier(role), sql.Identifier(member)))


def _ensure_role(conn: psycopg.Connection, name: str, attributes: str, settings: dict[str, str]) -> None:
    role = sql.Identifier(name)
    row = conn.execute(
        "select rolsuper, rolinherit, rolcanlogin, rolbypassrls, coalesce(rolconfig, '{}') from pg_roles"
        " where rolname = %s",
        [name],
    ).fetchone()
    words = set(attributes.split())
    wanted = (False, "inherit" in words, "login" in words, "bypassrls" in words)
    if row is None:
        conn.execute(sql.SQL("create role {} {}").format(role, sql.SQL(attributes)))
    elif tuple(row[:4]) != wanted:
        conn.execute(sql.SQL("alter role {} {}").format(role, sql.SQL(attributes)))
    config = set(row[4]) if row else set()
    for key, value in settings.items():
        if f"{key}={value}" not in config:
            conn.execute(sql.SQL("alter role {} set {} = {}").format(role, sql.Identifier(key), sql.Literal(value)))


def _is_member(conn: psycopg.Connection, member: str, role: str) -> bool:
    row = conn.execute(
        "select exists (select from pg_auth_members m join pg_roles r on r.oid = m.roleid"
        " join pg_roles u on u.oid = m.member where r.rolname = %s and u.rolname = %s)",
        [role, member],
    ).fetchone()
    return bool(row and row[0])


def prepare_database(admin_url: str, name: str) -> None:
    """Lay out Supabase's schemas and default privileges in database ``name`` (OWNER's)."""
    database = psycopg.conninfo.make_conninfo(admin_url, dbname=name)
    with psycopg.connect(database, autocommit=True) as conn, conn.transaction():
        admin = conn.execute("select current_user").fetchone()[0]  # type: ignore[index]
        owner = sql.Identifier(OWNER)
        conn.execute(sql.SQL(DATABASE_SETUP).format(owner=owner))
        grantees = sql.SQL(", ").join(sql.Identifier(role) for role in (OWNER, *API_ROLES))
        for creator in (OWNER, admin):
            for kind in ("tables", "functions", "sequences"):
                conn.execute(
                    sql.SQL(DEFAULT_GRANTS).format(
                        creator=sql.Identifier(creator), kind=sql.SQL(kind), grantees=grantees
                    )
                )
        available = {row[0] for row in conn.execute("select name from pg_available_extensions")}
        for extension in EXTENSIONS:
            if extension in available:
                conn.execute(sql.SQL("create extension {} with schema extensions").format(sql.Identifier(extension)))


def as_role(url: str, role: str) -> str:
    """``url`` logging in as ``role`` instead."""
    return psycopg.conninfo.make_conninfo(url, user=role)


@pytest.fixture(name="supabase_like")
def supabase_like_fixture(rest):
    """The REST layer, by the name the grant tests use (every ``rest`` is Supabase-like now)."""
    return rest


__all__ = ["API_ROLES", "LOGIN_ROLE", "OWNER", "as_role", "prepare_database", "prepare_roles", "supabase_like_fixture"]
