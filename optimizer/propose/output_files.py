"""`run --output DIR`: the PR body, the patch, the findings and the proposals as files."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from optimizer.analysis.serialize import analysis_to_dict
from optimizer.errors import OptimizerError
from optimizer.models import Analysis

if TYPE_CHECKING:  # avoids an import cycle at run time
    from optimizer.propose.outcome import AgentOutcome


def write_outputs(output: Path, analysis: Analysis, outcomes: list[AgentOutcome]) -> None:
    """One agent: files directly in ``output``; several: one folder per agent inside it."""
    try:
        output.mkdir(parents=True, exist_ok=True)
        for outcome in outcomes:
            folder = output if len(outcomes) == 1 else output / outcome.agent
            folder.mkdir(exist_ok=True)
            _write_agent(folder, analysis, outcome)
    except OSError as err:
        raise OptimizerError(f"{output}: cannot write outputs: {err}") from err


def _write_agent(folder: Path, analysis: Analysis, outcome: AgentOutcome) -> None:
    agent_dict = next(a for a in analysis_to_dict(analysis)["agents"] if a["agent"] == outcome.agent)
    findings: dict[str, Any] = {**analysis_to_dict(analysis), "agents": [agent_dict]}
    proposals = {
        "agent": outcome.agent,
        "analyst": outcome.plan.analyst,
        "usage": asdict(outcome.plan.usage) if outcome.plan.usage else None,  # tokens and dollars of a model
        "notes": list(outcome.plan.notes),
        "proposals": [p.to_dict() for p in outcome.plan.proposals],
        "action_items": [a.to_dict() for a in outcome.plan.action_items],
        "refusals": [r.to_dict() for r in outcome.plan.refusals],
        "branch": outcome.branch.branch if outcome.branch else None,
        "commits": list(outcome.branch.commit_shas) if outcome.branch else [],
    }
    (folder / "pr-body.md").write_text(outcome.pr.body if outcome.pr else "", encoding="utf-8")
    (folder / "changes.patch").write_text(outcome.branch.patch if outcome.branch else "", encoding="utf-8")
    (folder / "findings.json").write_text(json.dumps(findings, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (folder / "proposals.json").write_text(json.dumps(proposals, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
