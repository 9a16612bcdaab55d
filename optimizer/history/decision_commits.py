"""The messages of the commits that record a decision in git: a rejected proposal, an accepted
finding. ``history.from_git`` reads them back. Pure."""

from __future__ import annotations

from optimizer.gitops.branches import (
    ACCEPTED_TRAILER,
    FINDING_TRAILER,
    REJECTED_TRAILER,
    SCORE_TRAILER,
    TARGET_TRAILER,
    TRACES_TRAILER,
    VERSION_TRAILER,
)
from optimizer.history.from_git import ACCEPTANCE_PREFIX, REJECTION_PREFIX

MAX_REASON_CHARS = 500


def rejection_message(
    agent: str,
    fingerprint: str,
    title: str,
    finding_keys: tuple[str, ...],
    score: float | None,
    reason: str,
    target: str | None = None,
    traces: int | None = None,
) -> str:
    lines = [f"optimizer({agent}): {REJECTION_PREFIX}{_one_line(title)}"[:120], "", f"Reason: {_reason(reason)}", ""]
    lines.append(f"{REJECTED_TRAILER}: {fingerprint}")
    if score is not None:
        lines.append(f"{SCORE_TRAILER}: {score:g}")
    lines += [f"{FINDING_TRAILER}: {key}" for key in finding_keys]
    if traces:
        lines.append(f"{TRACES_TRAILER}: {traces}")
    if target:
        lines.append(f"{TARGET_TRAILER}: {_one_line(target)}")
    return "\n".join(lines) + "\n"


def acceptance_message(agent: str, finding_key: str, version: str, reason: str) -> str:
    lines = [f"optimizer({agent}): {ACCEPTANCE_PREFIX}{_one_line(finding_key)}"[:120], "", f"Reason: {_reason(reason)}"]
    lines += ["", f"{ACCEPTED_TRAILER}: {_one_line(finding_key)}", f"{VERSION_TRAILER}: {version}"]
    return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _reason(reason: str) -> str:
    return _one_line(reason)[:MAX_REASON_CHARS] or "not given"
