"""The embedded default registry: one SQLite file (default ``.optimizer/registry.sqlite3``).

Same rows and rules as Supabase's optimizer_deployments and optimizer_runs: a deploy is one
``BEGIN IMMEDIATE`` transaction (so a failure leaves the previous state, and two deploys never
interleave), unchanged content gets no row, old rows stay inactive as the history.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import asdict, fields, replace
from pathlib import Path

from optimizer.deploy.errors import RegistryError
from optimizer.deploy.model import Artifact, Canary, CanaryState, Deployed, DeployResult, Release, RunRecord
from optimizer.timeutil import iso, utc_now

_SCHEMA = """
create table if not exists deployments (
  id integer primary key autoincrement,
  agent text not null,
  path text not null,
  kind text not null check (kind in ('soul', 'prompt')),
  content text not null,
  content_sha256 text not null,
  git_sha text not null,
  deployed_at text not null,
  active integer not null default 1 check (active in (0, 1))
);
create unique index if not exists deployments_one_active on deployments (agent, path) where active = 1;
create table if not exists runs (
  id integer primary key autoincrement,
  run_id text not null,
  agent text,
  started_at text not null,
  finished_at text not null,
  window_start text,
  window_end text,
  traces integer not null default 0,
  findings text not null default '[]',
  proposals text not null default '[]',
  pr_url text,
  outcome text not null,
  error text,
  analyst text,
  analysis_cost_usd real,
  base_sha text,
  head_sha text,
  measurement text
);
create table if not exists canaries (
  id integer primary key autoincrement,
  agent text not null,
  git_sha text not null,
  stable_sha text not null,
  share real not null check (share > 0 and share < 1),
  min_traces integer not null check (min_traces >= 1),
  max_hours real not null check (max_hours > 0),
  files text not null,
  started_at text not null,
  state text not null default 'running' check (state in ('running', 'promoted', 'stopped', 'replaced')),
  ended_at text,
  reason text
);
create unique index if not exists canaries_one_running on canaries (agent) where state = 'running';
"""
_CANARY_COLUMNS = "id, agent, git_sha, stable_sha, share, min_traces, max_hours, started_at, state, ended_at, reason"
_JSON_FIELDS = ("findings", "proposals")
# Columns added after the first release: a registry file written before gets them on first use.
_ADDED_COLUMNS = {"measurement": "text"}


class LocalRegistry:
    """Deployed versions and run records in a SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.description = f"the local registry {path.resolve()}"

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection in autocommit mode (transactions are explicit), the schema in place."""
        try:
            _make_parent(self.path)
            with closing(sqlite3.connect(self.path, isolation_level=None, timeout=30)) as conn:
                conn.executescript(_SCHEMA)
                _add_missing_columns(conn)
                yield conn
        except sqlite3.Error as err:
            raise RegistryError(f"{self.path}: {err}") from err

    @contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection | None]:
        """None when there is no registry file yet (nothing deployed, no run recorded): reads create nothing."""
        if not self.path.exists():
            yield None
            return
        with self._connect() as conn:
            yield conn

    def active(self) -> list[Deployed]:
        with self._reader() as conn:
            if conn is None:
                return []
            rows = conn.execute(
                "select id, agent, path, kind, content_sha256, git_sha, deployed_at from deployments"
                " where active = 1 order by agent, path"
            ).fetchall()
        return [Deployed(*row) for row in rows]

    def active_contents(self, agent: str) -> dict[str, str]:
        """path -> content of the agent's active artifacts."""
        with self._reader() as conn:
            if conn is None:
                return {}
            rows = conn.execute(
                "select path, content from deployments where active = 1 and agent = ? order by path", [agent]
            ).fetchall()
        return dict(rows)

    def releases(self, agent: str) -> list[Release]:
        with self._reader() as conn:
            if conn is None:
                return []
            rows = conn.execute(
                "select git_sha, deployed_at from deployments where agent = ? group by git_sha order by max(id) desc",
                [agent],
            ).fetchall()
        return [Release(agent, sha, at) for sha, at in rows]

    def deploy(self, git_sha: str, artifacts: Sequence[Artifact]) -> DeployResult:
        """Make ``artifacts`` (the complete set at ``git_sha``) the active state, in one transaction."""
        now = iso(utc_now())
        inserted: list[tuple[str, str]] = []
        unchanged = 0
        with self._connect() as conn:
            try:
                conn.execute("begin immediate")
                for artifact in sorted(artifacts, key=lambda a: (a.agent, a.path)):
                    row = conn.execute(
                        "select content_sha256 from deployments where agent = ? and path = ? and active = 1",
                        [artifact.agent, artifact.path],
                    ).fetchone()
                    if row is not None and row[0] == artifact.sha256:
                        unchanged += 1
                        continue
                    conn.execute(
                        "update deployments set active = 0 where agent = ? and path = ? and active = 1",
                        [artifact.agent, artifact.path],
                    )
                    conn.execute(
                        "insert into deployments (agent, path, kind, content, content_sha256, git_sha, deployed_at)"
                        " values (?, ?, ?, ?, ?, ?, ?)",
                        [artifact.agent, artifact.path, artifact.kind, artifact.content, artifact.sha256, git_sha, now],
                    )
                    inserted.append((artifact.agent, artifact.path))
                deactivated = self._deactivate_missing(conn, artifacts)
                conn.execute("commit")
            except BaseException:
                conn.execute("rollback")
                raise
        return DeployResult(git_sha, tuple(inserted), deactivated, unchanged)

    @staticmethod
    def _deactivate_missing(conn: sqlite3.Connection, artifacts: Sequence[Artifact]) -> tuple[tuple[str, str], ...]:
        keep = {(a.agent, a.path) for a in artifacts}
        gone = [
            (agent, path)
            for agent, path in conn.execute("select agent, path from deployments where active = 1").fetchall()
            if (agent, path) not in keep
        ]
        conn.executemany("update deployments set active = 0 where agent = ? and path = ? and active = 1", gone)
        return tuple(sorted(gone))

    def start_canary(self, canary: Canary, files: dict[str, str]) -> Canary:
        """Record ``canary`` (its id and times are set here) with its files as the agent's running
        canary; one running before for the agent is marked replaced, in the same transaction."""
        now = iso(utc_now())
        with self._connect() as conn:
            try:
                conn.execute("begin immediate")
                conn.execute(
                    "update canaries set state = 'replaced', ended_at = ?, reason = ?"
                    " where agent = ? and state = 'running'",
                    [now, f"replaced by the canary of {canary.git_sha[:12]}", canary.agent],
                )
                cursor = conn.execute(
                    "insert into canaries (agent, git_sha, stable_sha, share, min_traces, max_hours, files, started_at)"
                    " values (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        canary.agent,
                        canary.git_sha,
                        canary.stable_sha,
                        canary.share,
                        canary.min_traces,
                        canary.max_hours,
                        json.dumps(files, sort_keys=True),
                        now,
                    ],
                )
                conn.execute("commit")
            except BaseException:
                conn.execute("rollback")
                raise
        return replace(canary, id=int(cursor.lastrowid or 0), started_at=now, state="running")

    def canaries(self, agent: str | None = None, running: bool = True) -> list[Canary]:
        """The agent's (or every agent's) running canaries, or all of them newest first."""
        with self._reader() as conn:
            if conn is None:
                return []
            rows = conn.execute(
                f"select {_CANARY_COLUMNS} from canaries"  # noqa: S608 (fixed names)
                " where (? is null or agent = ?) and (? = 0 or state = 'running') order by id desc",
                [agent, agent, int(running)],
            ).fetchall()
        return [Canary(*row) for row in rows]

    def canary_contents(self, canary_id: int) -> dict[str, str]:
        with self._reader() as conn:
            row = (
                None
                if conn is None
                else conn.execute("select files from canaries where id = ?", [canary_id]).fetchone()
            )
        if row is None:
            raise RegistryError(f"{self.description}: no canary {canary_id}")
        return dict(json.loads(row[0]))

    def end_canary(self, canary_id: int, state: CanaryState, reason: str) -> bool:
        """Mark a running canary promoted or stopped; False when it was not running any more."""
        with self._connect() as conn:
            cursor = conn.execute(
                "update canaries set state = ?, ended_at = ?, reason = ? where id = ? and state = 'running'",
                [state, iso(utc_now()), reason, canary_id],
            )
        return cursor.rowcount == 1

    def record_run(self, record: RunRecord) -> None:
        values = asdict(record)
        for name in _JSON_FIELDS:
            values[name] = json.dumps(values[name])
        values["measurement"] = None if record.measurement is None else json.dumps(record.measurement)
        names = [f.name for f in fields(RunRecord)]
        with self._connect() as conn:
            conn.execute(
                f"insert into runs ({', '.join(names)}) values ({', '.join('?' for _ in names)})",  # noqa: S608 (fixed names)
                [values[name] for name in names],
            )

    def runs(self, agent: str | None = None, limit: int = 50) -> list[RunRecord]:
        names = [f.name for f in fields(RunRecord)]
        with self._reader() as conn:
            if conn is None:
                return []
            rows = conn.execute(
                f"select {', '.join(names)} from runs where (? is null or agent = ?) order by id desc limit ?",  # noqa: S608
                [agent, agent, limit],
            ).fetchall()
        records = []
        for row in rows:
            values = dict(zip(names, row, strict=True))
            for name in _JSON_FIELDS:
                values[name] = tuple(json.loads(values[name]))
            values["measurement"] = None if values["measurement"] is None else json.loads(values["measurement"])
            records.append(RunRecord(**values))
        return records


def _add_missing_columns(conn: sqlite3.Connection) -> None:
    present = {row[1] for row in conn.execute("pragma table_info(runs)")}
    for name, kind in _ADDED_COLUMNS.items():
        if name not in present:
            conn.execute(f"alter table runs add column {name} {kind}")


def _make_parent(path: Path) -> None:
    """Create the registry's folder; a new one ignores itself, so git never sees the registry."""
    folder = path.parent
    if folder.exists():
        return
    folder.mkdir(parents=True)
    (folder / ".gitignore").write_text("# made by optimizer: the local registry is not for git\n*\n")
