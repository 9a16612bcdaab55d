"""Decisions without a code host: `optimizer reject` and `optimizer accept` write them into git,
and the next run reads them back (issue 10, item 1)."""

from __future__ import annotations

from tests.e2e.conftest import git, optimizer


def test_a_rejection_recorded_in_git_keeps_the_proposal_from_coming_back(example_repo):
    first = optimizer("run", cwd=example_repo)
    assert first.code == 0, first.err

    rejected = optimizer(
        "reject", "frontdesk", "1", "--reason", "The retry belongs in the booking service.", cwd=example_repo
    )

    assert rejected.code == 0, rejected.err
    assert "rejected “Retry check_availability" in rejected.out
    message = git(example_repo, "log", "-1", "--format=%B", "main")
    assert "Optimizer-Rejected: " in message and "The retry belongs in the booking service." in message
    again = optimizer("run", cwd=example_repo)
    assert again.code == 0, again.err
    proposed = git(example_repo, "log", "--format=%s", "main..optimizer/frontdesk")
    assert "Retry check_availability" not in proposed


def test_accepting_a_finding_is_a_commit_and_an_unknown_finding_is_refused(example_repo):
    before = git(example_repo, "rev-parse", "main")
    unknown = optimizer("accept", "frontdesk", "nothing", "--reason", "fine", cwd=example_repo)
    assert unknown.code == 1 and "'nothing' is not a finding key or kind" in unknown.err
    assert git(example_repo, "rev-parse", "main") == before  # nothing recorded

    accepted = optimizer("accept", "frontdesk", "cost_regression", "--reason", "Worth it.", cwd=example_repo)

    assert accepted.code == 0, accepted.err
    message = git(example_repo, "log", "-1", "--format=%B", "main")
    assert "Optimizer-Accepted: cost_regression" in message and f"Optimizer-Version: {before.strip()}" in message
