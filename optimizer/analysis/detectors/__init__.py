"""The detectors, registered by their stable finding ``kind`` (one module each)."""

from __future__ import annotations

from optimizer.analysis.detectors import (
    cost_regression,
    escalation,
    knowledge_gap,
    latency_regression,
    negative_sentiment,
    owner_corrections,
    prompt_duplication,
    repeated_error,
    tool_failure,
    unused_tool,
)
from optimizer.analysis.detectors.context import Detector, DetectorContext

DETECTORS: dict[str, Detector] = {
    module.KIND: module.detect
    for module in (
        tool_failure,
        unused_tool,
        repeated_error,
        knowledge_gap,
        prompt_duplication,
        escalation,
        cost_regression,
        latency_regression,
        negative_sentiment,
        owner_corrections,
    )
}

__all__ = ["DETECTORS", "Detector", "DetectorContext"]
