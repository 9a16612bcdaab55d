"""The optimizer's own branches and commits: the branches it proposes on (changes, reverts, manual
rollbacks) and the trailers that mark each commit it wrote, so a person's commit on one of its
branches is recognised and left alone. Pure.
"""

from __future__ import annotations

import re

from optimizer.gitops.commits import CommitInfo

FINGERPRINT_TRAILER_NAME = "Optimizer-Fingerprint"
FINGERPRINT_TRAILER = re.compile(rf"^{FINGERPRINT_TRAILER_NAME}:\s*(\S+)\s*$", re.MULTILINE)
SCORE_TRAILER = "Optimizer-Score"  # the evidence behind a proposal when it was proposed
TRACES_TRAILER = "Optimizer-Traces"  # the traces in the window the score was counted over
TARGET_TRAILER = "Optimizer-Target"  # what a proposal changes, as words: near-duplicates share it
REJECTED_TRAILER = "Optimizer-Rejected"  # a rejection recorded in git (no code host to close a PR on)
ACCEPTED_TRAILER = "Optimizer-Accepted"  # a finding a reviewer accepts as the new normal
FINDING_TRAILER = "Optimizer-Finding"
VERSION_TRAILER = "Optimizer-Version"
ANSWERED_TRAILER = "Optimizer-Answered-By"  # on a proposal commit whose FAQ answer a writer gave
DECISION_COMMITS = rf"^({FINGERPRINT_TRAILER_NAME}|{REJECTED_TRAILER}|{ACCEPTED_TRAILER}):"  # for git log --grep
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


def trailers(message: str, name: str) -> list[str]:
    """The values of every ``name: value`` trailer line in ``message``, in order."""
    return re.findall(rf"^{re.escape(name)}:[ \t]*(\S[^\n]*?)[ \t]*$", message, re.MULTILINE)


def with_trailer(message: str, name: str, value: str) -> str:
    """``message`` with one ``name: value`` trailer as its last line (an earlier one of that name goes)."""
    kept = [line for line in message.rstrip("\n").split("\n") if not line.startswith(f"{name}:")]
    return "\n".join([*kept, f"{name}: {value}"]) + "\n"


def trailer_number(message: str, name: str) -> float | None:
    """The last ``name`` trailer as a number; None when absent or not a number."""
    values = trailers(message, name)
    try:
        return float(values[-1]) if values else None
    except ValueError:
        return None


def subject_agent(message: str) -> tuple[str, str] | None:
    """``optimizer(<agent>): <title>`` on the first line: (agent, title); None for anyone else's commit."""
    found = re.match(r"optimizer\(([^)\s]+)\): (.*)", message.strip().split("\n", 1)[0])
    return (found.group(1), found.group(2)) if found else None
