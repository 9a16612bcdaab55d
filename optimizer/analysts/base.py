"""What every analyst returns, and the protocol it satisfies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from optimizer.artifacts.model import AgentArtifacts
from optimizer.config import Limits
from optimizer.history.model import History
from optimizer.models import ActionItem, AgentAnalysis, Proposal


@dataclass(frozen=True)
class AnalystUsage:
    """What asking a model cost: tokens by kind and dollars (a deterministic analyst has none)."""

    model: str
    input_tokens: int
    output_tokens: int
    cache_creation_input_tokens: int
    cache_read_input_tokens: int
    cost_usd: float


@dataclass(frozen=True)
class AnalystResult:
    analyst: str
    proposals: tuple[Proposal, ...]  # strongest evidence first, at most limits.max_proposals
    action_items: tuple[ActionItem, ...]
    usage: AnalystUsage | None = None
    notes: tuple[str, ...] = ()  # e.g. the model's self-assessment, or why it proposed nothing


class Analyst(Protocol):
    name: str

    def propose(
        self, analysis: AgentAnalysis, artifacts: AgentArtifacts, limits: Limits, history: History
    ) -> AnalystResult: ...
