"""The optimizer's own branches and commits: the branches it proposes on (changes, reverts, manual
rollbacks) and the trailers that mark each commit it wrote, so a person's commit on one of its
branches is recognised and left alone. Pure.
"""

from __future__ import annotations

import re

from optimizer.gitops.commits import CommitInfo

FINGERPRINT_TRAILER = re.compile(r"^Optimizer-Fingerprint:\s*(\S+)\s*$", re.MULTILINE)
REVERT_TRAILER = "Optimizer-Reverts"  # on the automatic revert of a version that hurt
RESTORE_TRAILER = "Optimizer-Rollback"  # on a manual rollback, restoring an earlier version's files


def branch_name(agent: str) -> str:
    """Where the daily run proposes an agent's changes."""
    return f"optimizer/{agent}"


def revert_branch(agent: str) -> str:
    """Where the daily run proposes the revert of an agent's newest version."""
    return f"optimizer/rollback-{agent}"


def restore_branch(agent: str) -> str:
    """Where `optimizer rollback` builds a manual rollback."""
    return f"optimizer-rollback/{agent}"


def fingerprint_of(message: str) -> str | None:
    found = FINGERPRINT_TRAILER.findall(message)
    return found[-1] if found else None


def foreign_commits(commits: list[CommitInfo]) -> list[CommitInfo]:
    """Commits the optimizer did not write: merges, and any commit without its fingerprint trailer."""
    return [c for c in commits if len(c.parents) != 1 or fingerprint_of(c.message) is None]


def same_changes(ours: list[CommitInfo], theirs: list[CommitInfo], base: str) -> bool:
    """The same commits but for their dates: same base, same trees, same messages, in the same order."""
    return (
        len(ours) == len(theirs) > 0
        and theirs[0].parents == (base,)
        and all(o.tree == t.tree and o.message == t.message for o, t in zip(ours, theirs, strict=True))
    )
