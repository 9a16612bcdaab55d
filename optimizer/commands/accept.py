"""`optimizer accept AGENT FINDING`: record in git that a reviewer accepts a finding as the new
normal (a cost regression worth what it buys, say). The measurement then takes the accepted
version as its baseline, and the finding is no longer reported against the old one."""

from __future__ import annotations

from pathlib import Path

from optimizer.analysis.detectors import DETECTORS
from optimizer.commands.base import Echo, base_branch, require_repo_dir
from optimizer.config import load_settings
from optimizer.errors import OptimizerError
from optimizer.fmt import short_sha
from optimizer.gitops.repo import AgentRepo
from optimizer.history.decision_commits import acceptance_message


def accept_command(repo: Path, agent: str, finding: str, version: str | None, reason: str | None, echo: Echo) -> None:
    require_repo_dir(repo)
    if finding.partition(":")[0] not in DETECTORS:
        kinds = ", ".join(sorted(DETECTORS))
        raise OptimizerError(f"{finding!r} is not a finding key or kind (kinds: {kinds}); nothing recorded")
    settings = load_settings(repo)
    with AgentRepo(repo) as git_repo:
        base = base_branch(git_repo, settings)
        accepted = git_repo.files_at(version).sha if version else git_repo.resolve_base(base)
        sha = git_repo.record_commit(base, acceptance_message(agent, finding, accepted, reason or ""))
    echo(
        f"{agent}: accepted {finding} at version {short_sha(accepted)} on {base} as {short_sha(sha)}; "
        "measurement takes that version as its baseline from now on."
    )
