"""Who may command the optimizer: write, maintain or admin; and what is no command at all (pure)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from optimizer.approve.authorize import judge
from optimizer.approve.comment_commands import CommentEvent, not_a_command


def event(body: str = "/optimizer refresh", **changes: object) -> CommentEvent:
    return replace(CommentEvent("created", 7, True, body, "ada", False, "acme/frontdesk"), **changes)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("admin", True), ("maintain", True), ("write", True), ("triage", False), ("read", False), ("none", False)],
)
def test_only_people_who_may_write_may_command(role, allowed):
    verdict = judge(event(), role)
    assert verdict.allowed is allowed
    assert verdict.line.startswith(f"#7: @ada has {role} access")


@pytest.mark.parametrize(
    "comment",
    [
        event("Looks good"),
        event(action="edited"),  # an edit could turn an old comment into a command after the fact
        event(is_pull=False),
        event(author_is_bot=True),
    ],
)
def test_what_is_no_command_for_the_optimizer(comment):
    assert not_a_command(comment) == "#7: no /optimizer command for me in this comment; nothing to do"


def test_a_command_is_one():
    assert not_a_command(event("thanks!\n/optimizer drop 2 not now")) is None
