"""Commits as plain values: one to build, a branch built, one read back. No git here, so the pure
core (the PR description, the findings comment) can name them."""

from __future__ import annotations

import re
from dataclasses import dataclass

_COMMIT_ID = re.compile(r"[0-9a-f]{7,40}")


def is_commit_id(text: str) -> bool:
    """A full or shortened (7+) hexadecimal commit id: the only form a trace's version is read in.
    Anything else ("main~1", "HEAD") is data, never handed to git as a revision."""
    return bool(_COMMIT_ID.fullmatch(text))


@dataclass(frozen=True)
class PlannedCommit:
    """One commit to build: its message and the full new text of each file it changes."""

    message: str
    changes: dict[str, str]  # repo-relative POSIX path -> full new text


@dataclass(frozen=True)
class BuiltBranch:
    """What build_branch wrote.

    ``patch`` is ``git diff base head`` as plain unified text (no colour, ``a/`` ``b/`` prefixes,
    whatever the user's diff config): one reviewable diff of the whole branch, shown by dry runs.
    """

    branch: str
    base_sha: str
    head_sha: str
    commit_shas: tuple[str, ...]  # oldest first, one per PlannedCommit
    patch: str
    ref_updated: bool


@dataclass(frozen=True)
class CommitInfo:
    """One commit as read back from git (the branch's own commits, for the publish step)."""

    sha: str
    parents: tuple[str, ...]
    author: str  # "Name <email>"
    message: str
    tree: str = ""
    committed_at: str = ""  # ISO 8601


@dataclass(frozen=True)
class Landed:
    """One commit of the base branch's first-parent line and what it brought in: itself, or for a
    merge the commits of the merged side. Its date is when those commits reached the branch."""

    sha: str
    committed_at: str  # ISO 8601
    brought: tuple[CommitInfo, ...]
