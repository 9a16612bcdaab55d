"""What ``Runtime.from_config`` builds from optimizer.yaml: the store, the sink, the TTL, the fallback.

Only optimizer.yaml is read (no prompts, no git): an agent host needs the config file, not a
checkout. Supabase is read and written with the agent's key (role optimizer_trace_writer, the anon
key in the apikey header), never the service-role key.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from optimizer.config import CONFIG_FILE, Settings, load_settings
from optimizer.deploy.local import LocalRegistry
from optimizer.deploy.registry import local_registry_path
from optimizer.deploy.snapshot import snapshot_folder, snapshot_path
from optimizer.runtime.stores import ArtifactStore, LocalArtifactStore, SupabaseArtifactStore
from optimizer.traces.sinks import JsonlTraceSink, SupabaseTraceSink, TraceSink
from optimizer.traces.supabase_keys import credentials


@dataclass(frozen=True)
class RuntimeParts:
    store: ArtifactStore
    sink: TraceSink
    fallback: Path
    ttl: float


def runtime_parts(agent: str, repo: Path, env: Mapping[str, str] | None) -> RuntimeParts:
    settings = load_settings(repo) if (repo / CONFIG_FILE).is_file() else Settings(repo=repo)
    registry = local_registry_path(settings)
    return RuntimeParts(
        store=_store(settings, registry, env),
        sink=_sink(settings, agent, env),
        fallback=snapshot_path(snapshot_folder(registry), agent),
        ttl=settings.runtime.ttl,
    )


def _store(settings: Settings, registry: Path, env: Mapping[str, str] | None) -> ArtifactStore:
    if settings.deploy_target(os.environ if env is None else env) == "supabase":
        url, anon_key = credentials(settings.supabase, anon=True, env=env)
        _, agent_key = credentials(settings.supabase, key="trace", env=env)
        return SupabaseArtifactStore(url, anon_key, agent_key)
    return LocalArtifactStore(LocalRegistry(registry))


def _sink(settings: Settings, agent: str, env: Mapping[str, str] | None) -> TraceSink:
    if settings.traces_source == "supabase":
        url, anon_key = credentials(settings.supabase, anon=True, env=env)
        _, trace_key = credentials(settings.supabase, key="trace", env=env)
        return SupabaseTraceSink(url, trace_key, anon_key=anon_key)
    return JsonlTraceSink(settings.resolve_traces_path() / f"{agent}.jsonl")
