"""`run --output DIR`: the PR body, the patch, the findings and the proposals as files.

All or nothing: every file is written into a staging folder inside DIR first, and only when all
are written are they moved into place (a rename each, on the same file system). A run that fails
on the way (a full disk, a file in the way) leaves what DIR held before as it was.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from optimizer.analysis.serialize import analysis_to_dict
from optimizer.errors import OptimizerError
from optimizer.fmt import json_text
from optimizer.models import Analysis

if TYPE_CHECKING:  # avoids an import cycle at run time
    from optimizer.propose.outcome import AgentOutcome


OUTPUT_FILES = ("pr-body.md", "changes.patch", "findings.json", "proposals.json")
REPLAY_FILE = "replay.json"  # when the run replayed its proposals


def write_outputs(output: Path, analysis: Analysis, outcomes: list[AgentOutcome]) -> None:
    """One agent: files directly in ``output``; several: one folder per agent inside it."""
    try:
        output.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".optimizer-output-", dir=output))
        try:
            folders = []
            for outcome in outcomes:
                folder = "" if len(outcomes) == 1 else outcome.agent
                (staging / folder).mkdir(exist_ok=True)
                _write_agent(staging / folder, analysis, outcome)
                folders.append(folder)
            _move_into_place(staging, output, folders)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except OSError as err:
        raise OptimizerError(f"{output}: cannot write outputs: {err.strerror or err}: {err.filename or ''}") from err


def _move_into_place(staging: Path, output: Path, folders: list[str]) -> None:
    names = (*OUTPUT_FILES, REPLAY_FILE)
    targets = [
        (staging / folder / name, output / folder / name)
        for folder in folders
        for name in names
        if (staging / folder / name).exists()
    ]
    for _source, target in targets:  # every obstacle is found before the first file moves
        if target.is_dir() or (target.parent.exists() and not target.parent.is_dir()):
            raise OptimizerError(f"{target}: is in the way (a directory, or under a file); nothing was written")
    for folder in folders:
        (output / folder).mkdir(exist_ok=True)
    stale = [output / f / REPLAY_FILE for f in folders if not (staging / f / REPLAY_FILE).exists()]
    for source, target in targets:
        source.replace(target)
    for path in stale:  # a replay.json of an earlier run would pass for this run's
        if path.is_file():
            path.unlink()


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
    (folder / "findings.json").write_text(json_text(findings) + "\n", encoding="utf-8")
    (folder / "proposals.json").write_text(json_text(proposals) + "\n", encoding="utf-8")
    replay = outcome.pr_context.replay if outcome.pr_context else None
    if replay is not None and replay.skipped is None:  # a replay that did not run says so in the PR body
        replay_data = {"agent": outcome.agent, **replay.to_dict()}
        (folder / REPLAY_FILE).write_text(json_text(replay_data) + "\n", encoding="utf-8")
