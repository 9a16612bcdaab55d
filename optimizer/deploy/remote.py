"""The Supabase registry: optimizer_deployments and optimizer_runs, through supabase-py.

A deploy is one call of the SQL function optimizer_deploy, so it is one transaction in the
database: all of the commit's changes land, or none do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from postgrest.types import ReturnMethod

from optimizer.config import SupabaseSettings
from optimizer.deploy.errors import RegistryError
from optimizer.deploy.model import Artifact, Canary, CanaryState, Deployed, DeployResult, Release, RunRecord
from optimizer.timeutil import iso, parse_timestamp
from optimizer.traces.supabase_client import call, connect, host_of, rows_of

PAGE = 1000  # asked for per request; a project's max-rows setting may cap pages lower
_TIMES = ("started_at", "finished_at", "window_start", "window_end")
_ACTIVE_COLUMNS = "id,agent,path,kind,content_sha256,git_sha,deployed_at"
_CANARY_COLUMNS = "id,agent,git_sha,stable_sha,share,min_traces,max_hours,started_at,state,ended_at,reason"


class SupabaseRegistry:
    """Deployed versions and run records in a Supabase project (service-role key)."""

    def __init__(self, url: str, key: str, settings: SupabaseSettings) -> None:
        self.url = url
        self._key = key
        self._timeout = settings.timeout
        self.description = f"Supabase {host_of(url)} (table optimizer_deployments)"

    def _rows(
        self,
        what: str,
        table: str,
        columns: str,
        filters: dict[str, str],
        order: str,
        *,
        desc: bool = False,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Every row matching ``filters`` (equality), or the first ``limit``, page by page until an
        empty one: a page shorter than asked for proves nothing, since the project's max-rows
        setting may cap it lower."""
        rows: list[dict[str, Any]] = []
        with connect(self.url, self._key, self._timeout) as client:
            while limit is None or len(rows) < limit:
                wanted = PAGE if limit is None else min(PAGE, limit - len(rows))
                query = client.table(table).select(columns)
                for column, value in filters.items():
                    query = query.eq(column, value)
                request = query.order(order, desc=desc).range(len(rows), len(rows) + wanted - 1)
                page = rows_of(call(what, self.url, request.execute).data, what)
                if not page:
                    break
                rows.extend(page)
        return rows

    def active(self) -> list[Deployed]:
        rows = self._rows("read deployed versions", "optimizer_deployments", _ACTIVE_COLUMNS, {"active": "true"}, "id")
        return [
            Deployed(**{k: _iso(row[k]) if k == "deployed_at" else row[k] for k in _ACTIVE_COLUMNS.split(",")})
            for row in rows
        ]

    def active_contents(self, agent: str) -> dict[str, str]:
        rows = self._rows(
            "read deployed files", "optimizer_deployments", "path,content", {"active": "true", "agent": agent}, "path"
        )
        return {row["path"]: row["content"] for row in rows}

    def releases(self, agent: str) -> list[Release]:
        rows = self._rows(
            "read deploy history", "optimizer_deployments", "id,git_sha,deployed_at", {"agent": agent}, "id"
        )
        latest: dict[str, dict[str, Any]] = {}
        for row in rows:  # by id: the last row of each sha wins
            latest[row["git_sha"]] = row
        ordered = sorted(latest.values(), key=lambda row: row["id"], reverse=True)
        return [Release(agent, row["git_sha"], _iso(row["deployed_at"])) for row in ordered]

    def deploy(self, git_sha: str, artifacts: Sequence[Artifact]) -> DeployResult:
        params = {"p_git_sha": git_sha, "p_artifacts": [artifact.to_dict() for artifact in artifacts]}
        data = self._rpc("deploy", "optimizer_deploy", params)
        if not isinstance(data, dict) or "inserted" not in data:
            raise RegistryError(
                f"deploy: optimizer_deploy at {host_of(self.url)} gave an unexpected answer: {data!r}"[:300]
            )
        return DeployResult(
            git_sha=data["git_sha"],
            inserted=tuple((row["agent"], row["path"]) for row in data["inserted"]),
            deactivated=tuple((row["agent"], row["path"]) for row in data["deactivated"]),
            unchanged=int(data["unchanged"]),
        )

    def _rpc(self, what: str, function: str, params: dict[str, Any]) -> Any:
        with connect(self.url, self._key, self._timeout) as client:
            return call(what, self.url, lambda: client.rpc(function, params).execute()).data

    def start_canary(self, canary: Canary, files: dict[str, str]) -> Canary:
        params = {
            "p_agent": canary.agent,
            "p_git_sha": canary.git_sha,
            "p_stable_sha": canary.stable_sha,
            "p_share": canary.share,
            "p_min_traces": canary.min_traces,
            "p_max_hours": canary.max_hours,
            "p_files": files,
        }
        row = self._rpc("start the canary", "optimizer_start_canary", params)
        if not isinstance(row, dict) or "id" not in row:
            raise RegistryError(f"start the canary: unexpected answer from {host_of(self.url)}: {row!r}"[:300])
        return _canary(row)

    def canaries(self, agent: str | None = None, running: bool = True) -> list[Canary]:
        filters = {"agent": agent} if agent else {}
        if running:
            filters["state"] = "running"
        rows = self._rows("read canaries", "optimizer_canaries", _CANARY_COLUMNS, filters, "id")
        return [_canary(row) for row in reversed(rows)]

    def canary_contents(self, canary_id: int) -> dict[str, str]:
        rows = self._rows("read the canary's files", "optimizer_canaries", "files", {"id": str(canary_id)}, "id")
        if not rows or not isinstance(rows[0].get("files"), dict):
            raise RegistryError(f"{self.description}: no canary {canary_id}")
        return {str(path): str(content) for path, content in rows[0]["files"].items()}

    def end_canary(self, canary_id: int, state: CanaryState, reason: str) -> bool:
        params = {"p_id": canary_id, "p_state": state, "p_reason": reason}
        return self._rpc("end the canary", "optimizer_end_canary", params) is True

    def record_run(self, record: RunRecord) -> None:
        row = asdict(record)
        row["findings"], row["proposals"] = list(record.findings), list(record.proposals)
        with connect(self.url, self._key, self._timeout) as client:
            call(
                "record the run",
                self.url,
                client.table("optimizer_runs").insert(row, returning=ReturnMethod.minimal).execute,
            )

    def runs(self, agent: str | None = None, limit: int = 50) -> list[RunRecord]:
        """The newest ``limit`` run records, newest first."""
        filters = {} if agent is None else {"agent": agent}
        rows = self._rows("read run records", "optimizer_runs", "*", filters, "id", desc=True, limit=limit)
        names = RunRecord.__dataclass_fields__
        records = []
        for row in rows:
            values = {k: _iso(v) if k in _TIMES else v for k, v in row.items() if k in names}
            values["findings"], values["proposals"] = tuple(values["findings"]), tuple(values["proposals"])
            records.append(RunRecord(**values))
        return records


def _canary(row: dict[str, Any]) -> Canary:
    values = {name: row[name] for name in _CANARY_COLUMNS.split(",")}
    values["started_at"], values["ended_at"] = _iso(values["started_at"]), _iso(values["ended_at"])
    return Canary(**values)


def _iso(value: Any) -> Any:
    """PostgREST's timestamps ("...+00:00") as the registry writes them ("...Z")."""
    moment = parse_timestamp(value) if isinstance(value, str) else None
    return iso(moment) if moment is not None else value
