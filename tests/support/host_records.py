"""Pull requests and remarks as the code host returns them, for the history tests."""

from __future__ import annotations

from optimizer.gitops.hosts.base import PullRequest, Remark

BOT = "optimizer-app[bot]"


def pull(state: str = "closed", merged: bool = False) -> PullRequest:
    return PullRequest(
        number=7,
        url="https://github.example/acme/frontdesk/pull/7",
        state=state,  # type: ignore[arg-type]
        merged=merged,
        title="t",
        body="",
        head="optimizer/frontdesk",
        head_sha="a" * 40,
        base="main",
        author=BOT,
        closed_at="2026-11-20T06:00:00Z" if state == "closed" else None,
        merged_at="2026-11-20T06:00:00Z" if merged else None,
    )


META = {
    "agent": "frontdesk",
    "proposals": [
        {"fingerprint": "f1", "title": "Retry", "score": 10.0, "finding_keys": ["tool_failure:x"]},
        {"fingerprint": "f2", "title": "FAQ pets", "score": 4.0},
    ],
}


def remark(author: str, body: str, kind: str = "comment", bot: bool = False) -> Remark:
    return Remark(kind, 1, author, bot, body, "2026-11-20T05:00:00Z")  # type: ignore[arg-type]
