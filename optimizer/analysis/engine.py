"""Aggregated state + artifacts -> findings per agent, strongest evidence first. Pure."""

from __future__ import annotations

from optimizer.analysis.aggregate import AgentState
from optimizer.analysis.detectors import DETECTORS, DetectorContext
from optimizer.analysis.metrics import version_metrics
from optimizer.artifacts.model import AgentArtifacts
from optimizer.config import Thresholds
from optimizer.models import AgentAnalysis, Finding


def analyze_agent(state: AgentState, artifacts: AgentArtifacts | None, thresholds: Thresholds) -> AgentAnalysis:
    versions = version_metrics(state)
    context = DetectorContext(state, versions, artifacts, thresholds)
    findings = [finding for detect in DETECTORS.values() for finding in detect(context)]
    return AgentAnalysis(state.agent, versions, tuple(sorted(findings, key=_strongest_first)))


def _strongest_first(finding: Finding) -> tuple[float, str, str]:
    return (-finding.score, finding.kind, finding.subject)
