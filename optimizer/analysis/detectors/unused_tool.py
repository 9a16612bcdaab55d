"""unused_tool: a tool the prompts declare that the agent never called in the window."""

from __future__ import annotations

from optimizer.analysis.detectors.context import DetectorContext
from optimizer.artifacts.model import AgentArtifacts
from optimizer.fmt import count
from optimizer.models import Finding

KIND = "unused_tool"


def detect(ctx: DetectorContext) -> list[Finding]:
    if ctx.artifacts is None or ctx.traces < ctx.thresholds.min_traces:
        return []  # too little traffic to call a tool unused
    artifacts = ctx.artifacts
    called = ctx.state.tools_called()
    return [
        Finding(
            kind=KIND,
            agent=ctx.agent,
            subject=tool,
            title=f"{tool} is declared in the prompts but was never called in {count(ctx.traces)} traces",
            score=ctx.traces / 100,
            figures={"traces": ctx.traces, "calls": 0, "declared_in": _declared_in(artifacts, tool)},
        )
        for tool in artifacts.declared_tools
        if tool not in called
    ]


def _declared_in(artifacts: AgentArtifacts, tool: str) -> str:
    return ", ".join(p.path for p in artifacts.prompts if tool in p.tools)
