"""The optimizer's own branches and commits: a branch per agent, and the trailer that marks each
commit the optimizer wrote, so a person's commit on its branch is recognised and left alone. Pure.
"""

from __future__ import annotations

import re

from optimizer.gitops.repo import CommitInfo

FINGERPRINT_TRAILER = re.compile(r"^Optimizer-Fingerprint:\s*(\S+)\s*$", re.MULTILINE)


def branch_name(agent: str) -> str:
    return f"optimizer/{agent}"


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
