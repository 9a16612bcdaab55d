"""Analysis -> the documented JSON shape of `optimizer analyze --format json` (schemas/analysis)."""

from __future__ import annotations

from typing import Any

from optimizer.models import Analysis

FORMAT_VERSION = 1


def analysis_to_dict(analysis: Analysis) -> dict[str, Any]:
    source = analysis.source
    return {
        "format_version": FORMAT_VERSION,
        "window": {"start": analysis.window.start, "end": analysis.window.end, "hours": analysis.window.hours},
        "source": {
            "description": source.description,
            "files": source.files,
            "lines": source.lines,
            "traces_in_window": source.traces_in_window,
            "skipped": source.skipped,
            "skipped_examples": [{"file": s.file, "line": s.line, "reason": s.reason} for s in source.skipped_examples],
        },
        "agents": [
            {
                "agent": agent.agent,
                "versions": [version.to_dict() for version in agent.versions],
                "findings": [finding.to_dict() for finding in agent.findings],
            }
            for agent in analysis.agents
        ],
    }
