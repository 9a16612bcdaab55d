"""The comment a run posts instead of rewriting a branch a person has pushed to: what it found, and a
marker (a digest of the proposals) so the same findings are never posted twice. Pure."""

from __future__ import annotations

import hashlib

from optimizer.gitops.branches import branch_name
from optimizer.gitops.commits import CommitInfo
from optimizer.models import ActionItem, Proposal
from optimizer.render import markdown as md

FINDINGS_PREFIX = "<!-- optimizer:findings "


def findings_comment(
    agent: str, proposals: tuple[Proposal, ...], action_items: tuple[ActionItem, ...], foreign: list[CommitInfo]
) -> str:
    """What a run found, as a comment, for a branch it must not rewrite. Ends with a marker for dedup."""
    rows = [
        [str(n), md.text(md.clip(p.title, 100)[0]), md.code(p.edit.path, table=True), md.code(p.fingerprint)]
        for n, p in enumerate(proposals, 1)
    ]
    parts = [
        f"The optimizer has new findings for {md.code(agent)}, but branch "
        f"{md.code(branch_name(agent))} has commits that are not the optimizer's "
        f"({commit_list(foreign, escape=True)}), so it was left as it is. Merge this pull request, or close "
        "it and delete the branch, and the next run proposes these afresh.",
    ]
    if rows:
        parts.append(md.table(["#", "Proposal", "File", "Fingerprint"], rows))
    if action_items:
        parts.append("Action items: " + "; ".join(md.text(md.clip(a.title, 100)[0]) for a in action_items[:10]))
    digest = hashlib.sha256(
        "\n".join([*(p.fingerprint for p in proposals), *(a.title for a in action_items)]).encode()
    ).hexdigest()[:16]
    parts.append(f"{FINDINGS_PREFIX}{digest} -->")
    return "\n\n".join(parts) + "\n"


def commit_list(commits: list[CommitInfo], *, escape: bool = False) -> str:
    shown = [c.sha[:7] + " " + (c.message.strip().splitlines() or [""])[0][:60] for c in commits[:3]]
    text = ", ".join(md.code(s) if escape else repr(s) for s in shown)
    return text + (f" and {len(commits) - 3} more" if len(commits) > 3 else "")
