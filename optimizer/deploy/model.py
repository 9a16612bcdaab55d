"""What a deploy moves and what a registry holds: plain values, and the pure deploy plan."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["soul", "prompt"]


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Artifact:
    """One prompt or soul file of an agent, as it is at a commit."""

    agent: str
    path: str  # repo-relative POSIX path
    kind: Kind
    content: str

    @property
    def sha256(self) -> str:
        return sha256_text(self.content)

    def to_dict(self) -> dict[str, str]:
        return {
            "agent": self.agent,
            "path": self.path,
            "kind": self.kind,
            "content": self.content,
            "content_sha256": self.sha256,
        }


@dataclass(frozen=True)
class Deployed:
    """One active row of a registry: which content of which file the agent runs, since which deploy."""

    id: int
    agent: str
    path: str
    kind: str
    content_sha256: str
    git_sha: str
    deployed_at: str  # ISO 8601


@dataclass(frozen=True)
class Release:
    """A version of one agent: a deploy that changed some of its files."""

    agent: str
    git_sha: str
    deployed_at: str


@dataclass(frozen=True)
class DeployResult:
    """What a deploy changed in the registry."""

    git_sha: str
    inserted: tuple[tuple[str, str], ...]  # (agent, path) given a new active row
    deactivated: tuple[tuple[str, str], ...]  # (agent, path) no longer in the commit
    unchanged: int

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.deactivated)


@dataclass(frozen=True)
class DeployPlan:
    """The difference between the artifacts of a commit and what is active."""

    git_sha: str
    new: tuple[Artifact, ...] = ()  # no active row for the path yet
    changed: tuple[Artifact, ...] = ()  # active, with other content
    removed: tuple[Deployed, ...] = ()  # active, but the commit no longer has the file
    unchanged: tuple[Artifact, ...] = field(default=())

    @property
    def is_noop(self) -> bool:
        return not (self.new or self.changed or self.removed)


def plan_deploy(git_sha: str, artifacts: Sequence[Artifact], active: Iterable[Deployed]) -> DeployPlan:
    current = {(row.agent, row.path): row for row in active}
    new, changed, unchanged = [], [], []
    for artifact in artifacts:
        row = current.pop((artifact.agent, artifact.path), None)
        if row is None:
            new.append(artifact)
        elif row.content_sha256 != artifact.sha256:
            changed.append(artifact)
        else:
            unchanged.append(artifact)
    removed = sorted(current.values(), key=lambda row: (row.agent, row.path))
    return DeployPlan(git_sha, tuple(new), tuple(changed), tuple(removed), tuple(unchanged))


def agent_versions(active: Iterable[Deployed]) -> dict[str, Deployed]:
    """Per agent, the active row of its latest deploy: its git_sha is the agent's deployed version."""
    latest: dict[str, Deployed] = {}
    for row in active:
        if row.agent not in latest or row.id > latest[row.agent].id:
            latest[row.agent] = row
    return latest


Outcome = Literal["proposed", "reported", "nothing", "failed"]


@dataclass(frozen=True)
class RunRecord:
    """One agent's part of one run of the daily loop (or a failed run), as stored in a registry."""

    run_id: str
    agent: str | None  # None for a run that failed before it knew its agents
    started_at: str  # ISO 8601
    finished_at: str
    outcome: Outcome
    window_start: str | None = None
    window_end: str | None = None
    traces: int = 0
    findings: tuple[dict[str, object], ...] = ()  # {key, kind, subject, title, score}
    proposals: tuple[dict[str, object], ...] = ()  # {fingerprint, title, finding_keys}
    pr_url: str | None = None
    error: str | None = None
    analyst: str | None = None
    analysis_cost_usd: float | None = None
    base_sha: str | None = None
    head_sha: str | None = None
    measurement: dict[str, object] | None = None  # what the last change did, and the rollback (optimizer.measure)


CanaryState = Literal["running", "promoted", "stopped", "replaced"]
CANARY_STATES: tuple[CanaryState, ...] = ("running", "promoted", "stopped", "replaced")


@dataclass(frozen=True)
class Canary:
    """A version deployed to a share of an agent's sessions beside the stable one (deploy/canary.py).

    Its files live with the record, not among the active deployments: the stable version stays what
    every other session runs until the canary is promoted (deployed for all) or stopped.
    """

    id: int
    agent: str
    git_sha: str  # the canary's version
    stable_sha: str  # the version the other sessions run, and the canary is compared with
    share: float  # of sessions, 0 < share < 1
    min_traces: int  # per arm, before a promotion
    max_hours: float
    started_at: str  # ISO 8601
    state: CanaryState = "running"
    ended_at: str | None = None
    reason: str | None = None  # why it was promoted or stopped, in one line

    @property
    def running(self) -> bool:
        return self.state == "running"


def canary_artifacts(agent: str, files: dict[str, str]) -> list[Artifact]:
    """A canary's files as the artifacts a promotion deploys (the kind follows from the folder)."""
    return [
        Artifact(agent, path, "soul" if path.startswith("souls/") else "prompt", content)
        for path, content in sorted(files.items())
    ]
