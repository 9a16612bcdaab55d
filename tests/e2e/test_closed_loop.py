"""A short run of the closed-loop simulator (bench/closed_loop.py): the real `optimizer run` every
simulated day, a reviewer who merges sound proposals and writes the answers asked for, and a world
whose behaviour follows the agent's files. The loop must fix what a prompt or soul can fix, never
propose a decided change again, and leave a healthy agent alone."""

from __future__ import annotations

import pytest

from bench import closed_loop


@pytest.fixture(autouse=True)
def simulated_clock(monkeypatch):
    """The simulator dates its commits through the environment: keep that inside this test."""
    for name in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        monkeypatch.setenv(name, "Rae Viewer")
    for name in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(name, "rae@example.com")
    for name in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"):
        monkeypatch.setenv(name, "2026-10-01T00:00:00+00:00")


def test_within_five_days_the_fixable_defects_are_fixed_and_nothing_comes_back(tmp_path):
    result = closed_loop.run_scenario(tmp_path, 5)

    assert result.fixed_within_5 >= 4, result.log.fixed_on  # at least 80% of 5
    assert result.log.repeated == []
    assert result.log.failed_to_apply == []
    assert result.log.days[0]["proposals"] >= 3  # day 1 already proposes for most defects


def test_a_healthy_agent_gets_no_finding_and_no_false_worse(tmp_path):
    result = closed_loop.run_scenario(tmp_path, 6, healthy=True)

    assert [row["findings"] for row in result.log.days] == ["-"] * 6
    assert result.log.verdicts >= 3 and result.log.worse_verdicts == 0  # days 4-6 re-test the two versions
