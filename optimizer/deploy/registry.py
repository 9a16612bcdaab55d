"""Which registry a command talks to: `deploy.target` in optimizer.yaml, or --target."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from optimizer.config import Settings
from optimizer.deploy.errors import DeployError
from optimizer.deploy.local import LocalRegistry
from optimizer.deploy.model import Artifact, Deployed, DeployResult, Release, RunRecord

TARGETS = ("local", "supabase")


class Registry(Protocol):
    description: str

    def active(self) -> list[Deployed]: ...

    def active_contents(self, agent: str) -> dict[str, str]: ...

    def releases(self, agent: str) -> list[Release]: ...

    def deploy(self, git_sha: str, artifacts: Sequence[Artifact]) -> DeployResult: ...

    def record_run(self, record: RunRecord) -> None: ...

    def runs(self, agent: str | None = None, limit: int = 50) -> list[RunRecord]: ...


def local_registry_path(settings: Settings) -> Path:
    path = Path(settings.deploy.registry).expanduser()
    return path if path.is_absolute() else settings.repo / path


def open_registry(settings: Settings, target: str | None = None) -> Registry:
    """The registry named by ``target``, else by ``Settings.deploy_target`` (default: the local file)."""
    name = target or settings.deploy_target(os.environ) or "local"
    if name == "local":
        return LocalRegistry(local_registry_path(settings))
    if name == "supabase":
        from optimizer.deploy.remote import SupabaseRegistry  # supabase-py loads only when it is used
        from optimizer.traces.supabase_client import credentials

        url, key = credentials(settings.supabase)
        return SupabaseRegistry(url, key, settings.supabase)
    raise DeployError(f"unknown deploy target {name!r}: use one of {', '.join(TARGETS)}")


def runs_registry(settings: Settings) -> Registry:
    """Where run records go: Supabase when the project uses it (for traces or deploys), else the local file."""
    uses_supabase = settings.deploy_target(os.environ) == "supabase" or settings.traces_source == "supabase"
    return open_registry(settings, "supabase" if uses_supabase else "local")
