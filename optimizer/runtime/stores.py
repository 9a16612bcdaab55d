"""Where the runtime reads the active version: Supabase (public key), the local registry, or a snapshot.

Supabase is read through the security-definer function optimizer_active_artifacts, which returns
one agent's active rows and nothing else; the local store reads the registry file; the snapshot is
the file ``optimizer deploy`` wrote, the fallback when the store cannot be read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from optimizer.deploy.errors import RegistryError
from optimizer.deploy.local import LocalRegistry
from optimizer.deploy.model import agent_versions
from optimizer.deploy.snapshot import read_snapshot
from optimizer.runtime.active import ActiveVersion, Source
from optimizer.traces.rest import RestClient, RestError

UNREACHABLE = (RestError, RegistryError)  # what a store raises when it cannot be read
NO_FUNCTION = "PGRST202"  # PostgREST: no such function (here: a migration not applied yet)


class ArtifactStore(Protocol):
    description: str

    def load(self, agent: str) -> ActiveVersion | None:
        """The deployed version, None when nothing is deployed; raises UNREACHABLE errors."""
        ...

    def close(self) -> None: ...


def active_version(agent: str, version: str, files: dict[str, str], source: Source) -> ActiveVersion:
    souls = [text for path, text in sorted(files.items()) if path.startswith("souls/")]
    prompts = {path: text for path, text in sorted(files.items()) if path.startswith("prompts/")}
    return ActiveVersion(agent, version, souls[0] if souls else None, prompts, source, fallback=source == "snapshot")


class SupabaseArtifactStore:
    """The active files through optimizer_active_artifacts, with the agent's own key (the public
    anon key alone reads nothing: supabase/migrations/20261203120000_optimizer_agent_reads.sql)."""

    def __init__(self, url: str, anon_key: str, agent_key: str, timeout: float = 5.0) -> None:
        self._client = RestClient(url, anon_key, bearer=agent_key, timeout=timeout)
        self._canaries = True  # False once the project turned out to lack optimizer_active_canary
        self.description = f"Supabase {self._client.host}"

    def load(self, agent: str) -> ActiveVersion | None:
        what = "load the deployed version"
        data = self._client.rpc(what, "optimizer_active_artifacts", {"p_agent": agent})
        if not isinstance(data, dict) or not isinstance(data.get("artifacts"), list):
            raise RestError(f"{what}: unexpected answer from {self._client.host}")
        if not data["artifacts"] or not data.get("version"):
            return None
        files = {row["path"]: row["content"] for row in data["artifacts"]}
        stable = active_version(agent, str(data["version"]), files, "supabase")
        return stable.with_canary(*self._canary(agent))

    def _canary(self, agent: str) -> tuple[ActiveVersion | None, float]:
        if not self._canaries:
            return None, 0.0
        what = "load the running canary"
        try:
            data = self._client.rpc(what, "optimizer_active_canary", {"p_agent": agent})
        except RestError as err:
            if NO_FUNCTION not in str(err):
                raise
            # A project without the canary migration has no canaries: serve the stable version, as before.
            self._canaries = False
            return None, 0.0
        if data is None:
            return None, 0.0
        if not isinstance(data, dict) or not isinstance(data.get("files"), dict) or not data.get("version"):
            raise RestError(f"{what}: unexpected answer from {self._client.host}")
        files = {str(path): str(content) for path, content in data["files"].items()}
        return active_version(agent, str(data["version"]), files, "supabase"), float(data["share"])

    def close(self) -> None:
        self._client.close()


class LocalArtifactStore:
    def __init__(self, registry: LocalRegistry) -> None:
        self._registry = registry
        self.description = registry.description

    def load(self, agent: str) -> ActiveVersion | None:
        latest = agent_versions(row for row in self._registry.active() if row.agent == agent).get(agent)
        if latest is None:
            return None
        stable = active_version(agent, latest.git_sha, self._registry.active_contents(agent), "local")
        running = self._registry.canaries(agent)
        if not running:
            return stable
        canary = active_version(agent, running[0].git_sha, self._registry.canary_contents(running[0].id), "local")
        return stable.with_canary(canary, running[0].share)

    def close(self) -> None:
        pass


def load_snapshot(path: Path, agent: str) -> ActiveVersion:
    """The deployed snapshot in ``path`` as the fallback version; RegistryError when it cannot be read."""
    snapshot = read_snapshot(path)
    if snapshot.agent != agent:
        raise RegistryError(f"{path}: the deployed snapshot of {snapshot.agent}, not of {agent}")
    return active_version(agent, snapshot.version, snapshot.files, "snapshot")
