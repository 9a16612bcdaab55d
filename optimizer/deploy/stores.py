"""The agent's read path: its active prompts and soul, with their version, from where they were deployed.

Supabase is read with the public (anon) key through the security-definer function
optimizer_active_artifacts, which returns one agent's active rows and nothing else; the local
store reads the registry file. The repo's own files are the fallback (optimizer.runtime).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

import git
import httpx
from supabase import Client, ClientOptions, create_client

from optimizer.artifacts.files import WorkingTreeFiles
from optimizer.artifacts.loader import load_agent
from optimizer.deploy.errors import RegistryError
from optimizer.deploy.local import LocalRegistry
from optimizer.deploy.model import agent_versions
from optimizer.traces.supabase_client import SupabaseError, call

Source = Literal["supabase", "local", "repo", "cache"]


@dataclass(frozen=True)
class ActiveVersion:
    """What the agent runs: its soul and prompts, and the version it writes into every trace."""

    agent: str
    version: str  # the git SHA of the deploy; for repo files, the repo's HEAD commit
    soul: str | None  # the soul's YAML text
    prompts: dict[str, str] = field(default_factory=dict)  # path -> Markdown text
    source: Source = "repo"

    def prompt(self, name: str) -> str:
        """A prompt by file name without folder or suffix: ``prompt("system")``."""
        for path, text in sorted(self.prompts.items()):
            if path.rsplit("/", 1)[-1].removesuffix(".md") == name:
                return text
        raise KeyError(f"{self.agent} has no prompt {name!r} (has: {', '.join(sorted(self.prompts)) or 'none'})")


class ArtifactStore(Protocol):
    description: str

    def load(self, agent: str) -> ActiveVersion | None:
        """The deployed version, None when nothing is deployed; raises when the store is unreachable."""
        ...


def _active(agent: str, version: str, files: dict[str, str], source: Source) -> ActiveVersion:
    souls = [text for path, text in sorted(files.items()) if path.startswith("souls/")]
    prompts = {path: text for path, text in sorted(files.items()) if path.startswith("prompts/")}
    return ActiveVersion(agent, version, souls[0] if souls else None, prompts, source)


class SupabaseArtifactStore:
    def __init__(self, url: str, anon_key: str, timeout: float = 5.0) -> None:
        self.url = url
        self.description = f"Supabase {url}"
        self._http = httpx.Client(timeout=timeout)
        self._client: Client = create_client(url, anon_key, ClientOptions(httpx_client=self._http))

    def load(self, agent: str) -> ActiveVersion | None:
        request = self._client.rpc("optimizer_active_artifacts", {"p_agent": agent})
        data = call("load the deployed version", self.url, request.execute).data
        if not isinstance(data, dict) or not isinstance(data.get("artifacts"), list):
            raise SupabaseError(f"load the deployed version: unexpected answer from {self.url}")
        if not data["artifacts"] or not data.get("version"):
            return None
        files = {row["path"]: row["content"] for row in data["artifacts"]}
        return _active(agent, str(data["version"]), files, "supabase")

    def close(self) -> None:
        self._http.close()


class LocalArtifactStore:
    def __init__(self, registry: LocalRegistry) -> None:
        self._registry = registry
        self.description = registry.description

    def load(self, agent: str) -> ActiveVersion | None:
        latest = agent_versions(row for row in self._registry.active() if row.agent == agent).get(agent)
        if latest is None:
            return None
        return _active(agent, latest.git_sha, self._registry.active_contents(agent), "local")


def from_repo(root: Path, agent: str) -> ActiveVersion:
    """The agent's files as they are in the repo's working tree; version: its HEAD commit."""
    loaded = load_agent(WorkingTreeFiles(root), agent)
    files = {prompt.path: prompt.text for prompt in loaded.prompts}
    if loaded.soul is not None:
        files[loaded.soul.path] = loaded.soul.text
    return _active(agent, _head(root), files, "repo")


def _head(root: Path) -> str:
    try:
        with git.Repo(root, search_parent_directories=True) as repo:
            return repo.head.commit.hexsha
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, ValueError):
        return "unversioned"


UNREACHABLE = (SupabaseError, RegistryError)
