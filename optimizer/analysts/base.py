"""What every analyst returns, and the protocol it satisfies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from optimizer.artifacts.model import AgentArtifacts
from optimizer.config import Limits
from optimizer.models import ActionItem, AgentAnalysis, Proposal


@dataclass(frozen=True)
class AnalystResult:
    analyst: str
    proposals: tuple[Proposal, ...]  # strongest evidence first, at most limits.max_proposals
    action_items: tuple[ActionItem, ...]


class Analyst(Protocol):
    name: str

    def propose(self, analysis: AgentAnalysis, artifacts: AgentArtifacts, limits: Limits) -> AnalystResult: ...
