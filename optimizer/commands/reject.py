"""`optimizer reject AGENT PROPOSAL`: record in git that a proposal is rejected, for repositories
with no code host to close a pull request on. Later runs read the rejection from history and do
not propose the change again unless its evidence grows (``github.rejected_evidence_factor``)."""

from __future__ import annotations

from pathlib import Path

from optimizer.commands.base import Echo, base_branch, require_repo_dir
from optimizer.config import load_settings
from optimizer.errors import OptimizerError
from optimizer.fmt import short_sha
from optimizer.gitops.branches import (
    FINDING_TRAILER,
    SCORE_TRAILER,
    TARGET_TRAILER,
    TRACES_TRAILER,
    branch_name,
    fingerprint_of,
    subject_agent,
    trailer_number,
    trailers,
)
from optimizer.gitops.commits import CommitInfo
from optimizer.gitops.repo import AgentRepo
from optimizer.history.decision_commits import rejection_message


def reject_command(repo: Path, agent: str, proposal: str, reason: str | None, echo: Echo) -> None:
    require_repo_dir(repo)
    settings = load_settings(repo)
    with AgentRepo(repo) as git_repo:
        base = base_branch(git_repo, settings)
        commit = _proposal_commit(git_repo, git_repo.resolve_base(base), agent, proposal)
        fingerprint = fingerprint_of(commit.message) or proposal
        title = (subject_agent(commit.message) or ("", ""))[1]
        message = rejection_message(
            agent,
            fingerprint,
            title,
            tuple(trailers(commit.message, FINDING_TRAILER)),
            trailer_number(commit.message, SCORE_TRAILER),
            reason or "",
            next(iter(trailers(commit.message, TARGET_TRAILER)[-1:]), None),
            int(trailer_number(commit.message, TRACES_TRAILER) or 0) or None,
        )
        sha = git_repo.record_commit(base, message)
    factor = settings.github.rejected_evidence_factor
    echo(
        f"{agent}: rejected “{title}” ({fingerprint}) on {base} as {short_sha(sha)}; later runs will not propose it "
        f"again unless its evidence grows {factor:g}x."
    )


def _proposal_commit(git_repo: AgentRepo, base_sha: str, agent: str, wanted: str) -> CommitInfo:
    """The proposal on branch optimizer/<agent>: its number there (1, 2, ...) or its fingerprint."""
    branch = branch_name(agent)
    tip = git_repo.branch_tip(branch)
    commits = [c for c in (git_repo.commits(base_sha, tip) if tip else []) if fingerprint_of(c.message)]
    if wanted.isdigit() and 1 <= int(wanted) <= len(commits):
        return commits[int(wanted) - 1]
    for commit in commits:
        if len(wanted) >= 6 and (fingerprint_of(commit.message) or "").startswith(wanted):
            return commit
    listed = "; ".join(
        f"{n} {fingerprint_of(c.message)} {(subject_agent(c.message) or ('', ''))[1]}" for n, c in enumerate(commits, 1)
    )
    raise OptimizerError(
        f"no proposal {wanted!r} on branch {branch} (its proposals: {listed or 'none; run optimizer run first'})"
    )
