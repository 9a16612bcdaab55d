"""The deployed snapshot: each agent's active version as a JSON file the agent's runtime can read
when its store cannot be reached (its fallback), written by every deploy that passed validation.

The files sit next to the local registry (``.optimizer/snapshots/<agent>.json``) and hold exactly
what the registry serves after the deploy: version, soul and prompts. Never the working tree.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from optimizer.deploy.errors import RegistryError
from optimizer.deploy.model import Deployed, agent_versions
from optimizer.timeutil import iso, utc_now

FOLDER = "snapshots"
FORMAT = 1


class ActiveRows(Protocol):
    def active(self) -> list[Deployed]: ...

    def active_contents(self, agent: str) -> dict[str, str]: ...


@dataclass(frozen=True)
class Snapshot:
    agent: str
    version: str
    files: dict[str, str]  # path -> content
    written_at: str


def snapshot_folder(registry_file: Path) -> Path:
    return registry_file.parent / FOLDER


def snapshot_path(folder: Path, agent: str) -> Path:
    return folder / f"{agent}.json"


def write_snapshots(folder: Path, registry: ActiveRows) -> list[Path]:
    """One file per agent the registry serves, read back from it after the deploy; returns the paths."""
    written = []
    for agent, latest in sorted(agent_versions(registry.active()).items()):
        snapshot = Snapshot(agent, latest.git_sha, registry.active_contents(agent), iso(utc_now()))
        written.append(_write(snapshot_path(folder, agent), snapshot))
    return written


def _write(path: Path, snapshot: Snapshot) -> Path:
    data = {"format": FORMAT, "agent": snapshot.agent, "version": snapshot.version}
    data |= {"written_at": snapshot.written_at, "files": snapshot.files}
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    partial.replace(path)  # atomic: a reader sees the old file or the new one, never half of one
    return path


def read_snapshot(path: Path) -> Snapshot:
    """The snapshot in ``path``; RegistryError naming the file when it is missing or not a snapshot."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise RegistryError(f"{path}: cannot read the deployed snapshot: {err}") from err
    if not isinstance(data, dict):
        data = {}
    files = data.get("files")
    if data.get("format") != FORMAT or not isinstance(files, dict) or not isinstance(data.get("version"), str):
        raise RegistryError(f"{path}: not a deployed snapshot (written by optimizer deploy)")
    return Snapshot(
        str(data.get("agent")),
        data["version"],
        {str(k): str(v) for k, v in files.items()},
        str(data.get("written_at", "")),
    )
