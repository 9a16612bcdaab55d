"""What every detector receives: one agent's state, its metrics by version, its files, thresholds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from optimizer.analysis.aggregate import AgentState, Samples
from optimizer.artifacts.model import AgentArtifacts
from optimizer.config import Thresholds
from optimizer.models import Evidence, Finding, VersionMetrics


@dataclass(frozen=True)
class DetectorContext:
    state: AgentState
    versions: tuple[VersionMetrics, ...]  # oldest first
    artifacts: AgentArtifacts | None
    thresholds: Thresholds

    @property
    def agent(self) -> str:
        return self.state.agent

    @property
    def traces(self) -> int:
        return self.state.traces


Detector = Callable[[DetectorContext], list[Finding]]


def evidence(samples: Samples | None) -> Evidence:
    if samples is None:
        return Evidence()
    return Evidence(tuple(samples.trace_ids), tuple(samples.excerpts))
