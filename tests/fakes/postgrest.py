"""A small PostgREST-compatible HTTP layer over a real PostgreSQL, for the endpoints this project uses.

supabase-py talks to it as it would to Supabase (``create_client(server.url, key)``):

- ``POST /rest/v1/rpc/<fn>``: the JSON object's keys are the function's named arguments, run as
  ``select to_json(fn(a := x.a, ...)) from json_to_record($1) as x(a <type>, ...)``;
- ``GET /rest/v1/<table>?select=..&<col>=<op>.<value>&order=..&offset=..&limit=..``;
- ``POST /rest/v1/<table>`` (insert; ``Prefer: return=...``, ``resolution=ignore-duplicates``).

Like PostgREST, each request is one transaction under the role named by the JWT in the
``Authorization`` header (``anon``, ``service_role``...), so row-level security and grants are
those of the real database. Errors are PostgREST's: ``{"code", "message", "details", "hint"}``
with its HTTP statuses. Rows are capped at ``max_rows`` per request, set-returning RPCs included
(Supabase's default: 1000); a STABLE or IMMUTABLE function runs in a read-only transaction; each
request runs under its role's own settings, as PostgREST applies them (so Supabase's statement
timeouts: anon 3 s, the others 8 s). The tests connect it as ``authenticator``, a non-superuser
that may only switch to the API roles (tests/support/supabase_like.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import psycopg
from psycopg import sql

DEFAULT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long"
_OPERATORS = {"eq": "=", "neq": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "like": "like", "ilike": "ilike"}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_key(role: str, secret: str = DEFAULT_SECRET) -> str:
    """A Supabase-style API key: an HS256 JWT whose ``role`` claim names the database role."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64(json.dumps({"iss": "supabase", "role": role, "exp": 4102444800}).encode())
    signature = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


def _claims(token: str, secret: str) -> dict[str, Any] | None:
    try:
        header, payload, signature = token.split(".")
        expected = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(_b64(expected), signature):
            return None
        claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, json.JSONDecodeError):
        return None
    return claims


class ApiError(Exception):
    """A PostgREST error: HTTP status and the four-key JSON body."""

    def __init__(self, status: int, code: str, message: str, details: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.status = status
        self.body = {"code": code, "message": message, "details": details, "hint": hint}


# What PostgREST (11.1 and later: "impersonated role settings") applies when it switches to a role:
# the role's own settings (ALTER ROLE ... SET), the database-specific ones last. PostgREST reads them
# at start-up and on a config reload; read per request here, so a test may change them. On Supabase
# that is statement_timeout: anon 3 s, authenticated 8 s; service_role has none and runs under the
# authenticator's 8 s.
_ROLE_SETTINGS = """
select set_config(split_part(s, '=', 1), substr(s, strpos(s, '=') + 1), true)
from pg_db_role_setting d join pg_roles r on r.oid = d.setrole, unnest(d.setconfig) s
where r.rolname = %s and d.setdatabase in (0, (select oid from pg_database where datname = current_database()))
order by d.setdatabase
"""


def _status_for(sqlstate: str, role: str) -> int:
    """PostgREST's mapping of SQLSTATE to HTTP status."""
    if sqlstate == "42501":
        return 401 if role == "anon" else 403
    exact = {"23503": 409, "23505": 409, "25006": 405, "42883": 404, "42P01": 404, "P0001": 400}
    if sqlstate in exact:
        return exact[sqlstate]
    prefixes = {"08": 503, "09": 500, "0L": 403, "0P": 403, "25": 500, "28": 403, "53": 503, "54": 413, "57": 500}
    if sqlstate[:2] in prefixes:
        return prefixes[sqlstate[:2]]
    if sqlstate[:2] in ("2D", "38", "39", "3B", "40", "55", "58", "F0", "HV", "P0", "XX"):
        return 500
    return 400


class _Pool:
    """A few reusable connections (PostgREST keeps a pool too)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._idle: list[psycopg.Connection[Any]] = []
        self._lock = threading.Lock()

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None or conn.closed:
            conn = psycopg.connect(self.url, autocommit=True)
            conn.execute("set timezone = 'UTC'")
        try:
            yield conn
        finally:
            if conn.closed or conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                conn.close()
            else:
                with self._lock:
                    self._idle.append(conn)

    def close(self) -> None:
        with self._lock:
            for conn in self._idle:
                conn.close()
            self._idle.clear()


class PostgrestServer:
    """Serve the REST subset on 127.0.0.1 (a free port) over the database at ``database_url``."""

    def __init__(self, database_url: str, secret: str = DEFAULT_SECRET, max_rows: int = 1000) -> None:
        self.secret = secret
        self.max_rows = max_rows
        self.pool = _Pool(database_url)
        self.bytes_sent: Counter[str] = Counter()  # "rpc" / "table" -> response body bytes
        self.requests: list[tuple[str, str]] = []  # (method, path) of each request
        self.down = False  # when True, every request gets a 503: the store is "unreachable"
        self._local = threading.local()  # each request is served on a thread of its own
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> PostgrestServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self.pool.close()

    def key(self, role: str) -> str:
        return make_key(role, self.secret)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out as two writes; without TCP_NODELAY the body waits for the
            # client's delayed ACK (~40 ms a request), which PostgREST, writing once, never does.
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def do_PATCH(self) -> None:
                self._serve("PATCH")

            def do_DELETE(self) -> None:
                self._serve("DELETE")

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                server.requests.append((method, urlsplit(self.path).path))
                try:
                    status, payload, headers = server.dispatch(method, self.path, dict(self.headers.items()), body)
                except ApiError as err:
                    status, payload, headers = err.status, json.dumps(err.body).encode(), {}
                kind = "rpc" if "/rpc/" in self.path else "table"
                server.bytes_sent[kind] += len(payload)
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

        return Handler

    # --- routing --------------------------------------------------------------------------------

    def dispatch(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes, dict[str, str]]:
        if self.down:
            raise ApiError(503, "PGRST000", "Database client error. Retrying the connection.")
        parts = urlsplit(target)
        path = unquote(parts.path)
        if not path.startswith("/rest/v1/"):
            raise ApiError(404, "PGRST125", f"Invalid path specified in request URL: {path}")
        lower = {k.lower(): v for k, v in headers.items()}
        for profile in ("accept-profile", "content-profile"):
            if lower.get(profile, "public") != "public":
                raise ApiError(406, "PGRST106", "The schema must be one of the following: public")
        role = self._role(lower)
        params = parse_qsl(parts.query, keep_blank_values=True)
        rest = path[len("/rest/v1/") :]
        if rest.startswith("rpc/") and method == "POST":
            return self._rpc(role, rest[4:], body)
        if "/" in rest or not _NAME.match(rest):
            raise ApiError(404, "PGRST125", f"Invalid path specified in request URL: {path}")
        if method == "GET":
            return self._select(role, rest, params)
        if method == "POST":
            return self._insert(role, rest, params, lower.get("prefer", ""), body)
        raise ApiError(405, "PGRST117", f"Unsupported HTTP method: {method}")

    def _role(self, headers: dict[str, str]) -> str:
        if "apikey" not in headers:
            raise ApiError(401, "PGRST301", "No API key found in request", hint="No `apikey` request header found.")
        token = headers.get("authorization", "").removeprefix("Bearer ").strip() or headers["apikey"]
        claims = _claims(token, self.secret)
        if claims is None:
            raise ApiError(401, "PGRST301", "JWSError JWSInvalidSignature")
        role = claims.get("role")
        if not isinstance(role, str) or not _NAME.match(role):
            raise ApiError(401, "PGRST301", "JWT has no valid role claim")
        self._local.claims = claims  # for request.jwt.claims in this request's transaction
        return role

    @contextmanager
    def _transaction(self, role: str) -> Iterator[psycopg.Connection[Any]]:
        """One transaction as PostgREST runs a request: the role's settings, then the role itself."""
        claims = json.dumps(getattr(self._local, "claims", {"role": role}))
        with self.pool.connection() as conn:
            try:
                with conn.transaction():
                    conn.execute(_ROLE_SETTINGS, [role])
                    conn.execute(
                        "select set_config('request.jwt.claims', %s, true), set_config('role', %s, true)",
                        [claims, role],
                    )
                    yield conn
            except psycopg.Error as err:
                diag = err.diag
                sqlstate = err.sqlstate or "XX000"
                raise ApiError(
                    _status_for(sqlstate, role),
                    sqlstate,
                    diag.message_primary or str(err),
                    diag.message_detail,
                    diag.message_hint,
                ) from err

    # --- /rpc/<fn> --------------------------------------------------------------------------------

    def _rpc(self, role: str, name: str, body: bytes) -> tuple[int, bytes, dict[str, str]]:
        try:
            args = json.loads(body or b"{}")
        except json.JSONDecodeError as err:
            raise ApiError(400, "PGRST102", f"Empty or invalid json: {err}") from err
        if not isinstance(args, dict):
            raise ApiError(400, "PGRST102", "The arguments of a function call must be a JSON object")
        with self._transaction(role) as conn:
            types, returns_set, read_only = self._function(conn, name, set(args))
            if read_only:  # PostgREST runs a STABLE or IMMUTABLE function in a read-only transaction
                conn.execute("set transaction read only")
            columns = sql.SQL(", ").join(
                sql.SQL("{} {}").format(sql.Identifier(arg), sql.SQL(types[arg])) for arg in args
            )
            call = sql.SQL("{}.{}({})").format(
                sql.Identifier("public"),
                sql.Identifier(name),
                sql.SQL(", ").join(sql.SQL("{} := x.{}").format(sql.Identifier(a), sql.Identifier(a)) for a in args),
            )
            source = sql.SQL("json_to_record(%s::json) as x({})").format(columns) if args else sql.SQL("(select) x")
            if returns_set:  # capped at the project's max rows, like every read
                query = sql.SQL(
                    "select coalesce(json_agg(r), '[]')::text from (select r from {}, lateral {} r limit {}) capped"
                ).format(source, call, sql.Literal(self.max_rows))
            else:
                query = sql.SQL("select to_json({})::text from {}").format(call, source)
            row = conn.execute(query, [json.dumps(args)] if args else []).fetchone()
        text = row[0] if row and row[0] is not None else "null"
        return 200, text.encode(), {}

    def _function(self, conn: psycopg.Connection[Any], name: str, given: set[str]) -> tuple[dict[str, str], bool, bool]:
        """The overload of public.<name> whose named arguments fit ``given`` (PostgREST's rule)."""
        rows = conn.execute(
            """
            select p.proargnames, array(select format_type(t, null) from unnest(p.proargtypes) t),
                   p.pronargdefaults, p.proretset, p.provolatile
            from pg_proc p join pg_namespace n on n.oid = p.pronamespace
            where n.nspname = 'public' and p.proname = %s
            """,
            [name],
        ).fetchall()
        for names, types, defaults, returns_set, volatility in rows:
            names = list(names or [])[: len(types)]
            required = set(names[: len(names) - defaults])
            if required <= given <= set(names):
                return dict(zip(names, types, strict=True)), bool(returns_set), volatility in ("s", "i")
        listed = ", ".join(sorted(given))
        raise ApiError(
            404,
            "PGRST202",
            f"Could not find the function public.{name}({listed}) in the schema cache",
            hint="Perhaps you meant to call another function.",
        )

    # --- tables -------------------------------------------------------------------------------------

    def _columns(self, conn: psycopg.Connection[Any], table: str) -> list[str]:
        # pg_attribute, not information_schema: like PostgREST's schema cache, it lists columns the
        # request's role may not read, so a forbidden table answers 42501 rather than "not found".
        rows = conn.execute(
            """
            select a.attname from pg_attribute a
            where a.attrelid = to_regclass(format('public.%%I', %s::text)) and a.attnum > 0 and not a.attisdropped
            order by a.attnum
            """,
            [table],
        ).fetchall()
        if not rows:
            raise ApiError(404, "PGRST205", f"Could not find the table 'public.{table}' in the schema cache", hint=None)
        return [row[0] for row in rows]

    def _select(self, role: str, table: str, params: list[tuple[str, str]]) -> tuple[int, bytes, dict[str, str]]:
        columns, where, values, order = sql.SQL("*"), [], [], []
        offset, limit = 0, self.max_rows
        for key, value in params:
            if key == "select":
                columns = self._select_list(value)
            elif key == "order":
                order = [self._order_term(term) for term in value.split(",")]
            elif key == "offset":
                offset = int(value)
            elif key == "limit":
                limit = min(int(value), self.max_rows)
            else:
                condition, args = self._filter(key, value)
                where.append(condition)
                values.extend(args)
        query = sql.SQL("select {} from {}.{}").format(columns, sql.Identifier("public"), sql.Identifier(table))
        if where:
            query += sql.SQL(" where ") + sql.SQL(" and ").join(where)
        if order:
            query += sql.SQL(" order by ") + sql.SQL(", ").join(order)
        query += sql.SQL(" limit {} offset {}").format(sql.Literal(limit), sql.Literal(offset))
        wrapped = sql.SQL("select coalesce(json_agg(t), '[]')::text, count(*) from ({}) t").format(query)
        with self._transaction(role) as conn:
            self._columns(conn, table)
            row = conn.execute(wrapped, values).fetchone()
        text, count = (row[0], row[1]) if row else ("[]", 0)
        content_range = f"{offset}-{offset + count - 1}/*" if count else "*/*"
        return 200, text.encode(), {"Content-Range": content_range}

    @staticmethod
    def _select_list(value: str) -> sql.Composable:
        names = [name.strip() for name in value.split(",") if name.strip()]
        if not names or names == ["*"]:
            return sql.SQL("*")
        for name in names:
            if not _NAME.match(name):
                raise ApiError(400, "PGRST100", f"failed to parse select parameter ({value})")
        return sql.SQL(", ").join(sql.Identifier(name) for name in names)

    @staticmethod
    def _order_term(term: str) -> sql.Composable:
        name, *modifiers = term.strip().split(".")
        if not _NAME.match(name) or any(m not in ("asc", "desc", "nullsfirst", "nullslast") for m in modifiers):
            raise ApiError(400, "PGRST100", f"failed to parse order ({term})")
        words = {"asc": "asc", "desc": "desc", "nullsfirst": "nulls first", "nullslast": "nulls last"}
        return sql.SQL(" ").join([sql.Identifier(name), *(sql.SQL(words[m]) for m in modifiers)])

    @staticmethod
    def _filter(column: str, value: str) -> tuple[sql.Composable, list[Any]]:
        operator, _, operand = value.partition(".")
        negate = operator == "not"
        if negate:
            operator, _, operand = operand.partition(".")
        if not _NAME.match(column):
            raise ApiError(400, "PGRST100", f"failed to parse filter ({column}={value})")
        target = sql.Identifier(column)
        if operator in _OPERATORS:
            condition: sql.Composable = sql.SQL("{} {} %s").format(target, sql.SQL(_OPERATORS[operator]))
            args: list[Any] = [operand]
        elif operator == "is" and operand in ("null", "true", "false"):
            condition, args = sql.SQL("{} is {}").format(target, sql.SQL(operand)), []
        elif operator == "in" and operand.startswith("(") and operand.endswith(")"):
            items = [item.strip().strip('"') for item in operand[1:-1].split(",")]
            condition, args = sql.SQL("{}::text = any(%s)").format(target), [items]
        else:
            raise ApiError(400, "PGRST100", f"failed to parse filter ({column}={value})")
        return (sql.SQL("not ({})").format(condition) if negate else condition), args

    def _insert(
        self, role: str, table: str, params: list[tuple[str, str]], prefer: str, body: bytes
    ) -> tuple[int, bytes, dict[str, str]]:
        try:
            payload = json.loads(body or b"null")
        except json.JSONDecodeError as err:
            raise ApiError(400, "PGRST102", f"Empty or invalid json: {err}") from err
        rows = payload if isinstance(payload, list) else [payload]
        if not rows or not all(isinstance(row, dict) for row in rows):
            raise ApiError(400, "PGRST102", "Empty or invalid json")
        query_params = dict(params)
        wanted = [c.strip().strip('"') for c in query_params["columns"].split(",")] if "columns" in query_params else []
        keys = wanted or list(dict.fromkeys(key for row in rows for key in row))
        preferences = {item.strip() for item in prefer.split(",") if item.strip()}
        with self._transaction(role) as conn:
            known = self._columns(conn, table)
            for key in keys:
                if key not in known:
                    raise ApiError(
                        400, "PGRST204", f"Could not find the '{key}' column of '{table}' in the schema cache"
                    )
            relation = sql.SQL("{}.{}").format(sql.Identifier("public"), sql.Identifier(table))
            names = sql.SQL(", ").join(sql.Identifier(key) for key in keys)
            query = sql.SQL("insert into {} ({}) select {} from json_populate_recordset(null::{}, %s::json)").format(
                relation, names, names, relation
            )
            conflict = query_params.get("on_conflict")
            if "resolution=ignore-duplicates" in preferences:
                target = sql.SQL("({})").format(sql.Identifier(conflict)) if conflict else sql.SQL("")
                query += sql.SQL(" on conflict {} do nothing").format(target)
            query += sql.SQL(" returning *")
            wrapped = sql.SQL("with ins as ({}) select coalesce(json_agg(ins), '[]')::text from ins").format(query)
            row = conn.execute(wrapped, [json.dumps(rows)]).fetchone()
        if "return=representation" in preferences:
            return 201, (row[0] if row else "[]").encode(), {}
        return 201, b"", {}


def main(argv: list[str] | None = None) -> int:
    """Serve ``DATABASE_URL`` until killed; prints the base URL on the first line (for benchmarks,
    which run the server in its own process, as a real PostgREST would be)."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m tests.fakes.postgrest DATABASE_URL", file=sys.stderr)
        return 2
    with PostgrestServer(args[0]) as server:
        print(server.url, flush=True)
        threading.Event().wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
