"""The shipped example agent analyzed as a run would, and a Claude analyst pointed at a fake API."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from functools import cache
from pathlib import Path

from optimizer.analysts.claude import ClaudeAnalyst
from optimizer.analysts.claude_client import MessagesClient
from optimizer.artifacts.files import WorkingTreeFiles
from optimizer.artifacts.model import AgentArtifacts
from optimizer.config import ClaudeSettings, load_settings
from optimizer.models import AgentAnalysis
from optimizer.propose.window import Selection, analyze_window
from optimizer.timeutil import parse_timestamp
from tests.fakes.anthropic_server import FakeAnthropic

PROJECT = Path(__file__).resolve().parents[2]
EXAMPLE_END = "2026-11-20T00:00:00Z"


def analysis_of(traces: Path, now: str = EXAMPLE_END, hours: float = 72) -> tuple[AgentAnalysis, AgentArtifacts]:
    """The example agent's files in this repo, analyzed over ``traces``."""
    settings = load_settings(PROJECT)
    end = parse_timestamp(now)
    assert isinstance(end, datetime)
    selection = Selection("frontdesk", traces, hours, end)
    analysis, artifacts = analyze_window(settings, WorkingTreeFiles(PROJECT), selection)
    return analysis.agents[0], artifacts["frontdesk"]


@cache
def example() -> tuple[AgentAnalysis, AgentArtifacts]:
    return analysis_of(PROJECT / "examples" / "traces")


def analyst(api: FakeAnthropic, **settings: object) -> ClaudeAnalyst:
    chosen = replace(ClaudeSettings(), **settings)  # type: ignore[arg-type]
    return ClaudeAnalyst(chosen, MessagesClient(chosen, api.key, api.base_url))
