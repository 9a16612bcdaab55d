"""The pure core of deploy, status and rollback: plans from values, no git, no database."""

from __future__ import annotations

import pytest

from optimizer.deploy.drift import compare
from optimizer.deploy.errors import DeployError
from optimizer.deploy.model import Artifact, Deployed, agent_versions, plan_deploy
from optimizer.rollback.manual import plan_rollback

A, B = "a" * 40, "b" * 40
SOUL = Artifact("frontdesk", "souls/frontdesk.yaml", "soul", "name: frontdesk\n")
SYSTEM = Artifact("frontdesk", "prompts/frontdesk/system.md", "prompt", "Hello.\n")


def deployed(artifact: Artifact, sha: str, row_id: int, content: str | None = None) -> Deployed:
    text = artifact.content if content is None else content
    changed = Artifact(artifact.agent, artifact.path, artifact.kind, text)
    return Deployed(row_id, artifact.agent, artifact.path, artifact.kind, changed.sha256, sha, "2026-11-20T00:00:00Z")


def test_a_plan_sorts_artifacts_into_new_changed_removed_and_unchanged():
    gone = Artifact("frontdesk", "prompts/frontdesk/old.md", "prompt", "Old.\n")
    active = [deployed(SOUL, A, 1), deployed(SYSTEM, A, 2, "Hi.\n"), deployed(gone, A, 3)]
    extra = Artifact("concierge", "souls/concierge.yaml", "soul", "name: concierge\n")
    plan = plan_deploy(B, [SOUL, SYSTEM, extra], active)
    assert plan.new == (extra,) and plan.changed == (SYSTEM,) and plan.unchanged == (SOUL,)
    assert [row.path for row in plan.removed] == [gone.path]
    assert not plan.is_noop
    assert plan_deploy(B, [SOUL], [deployed(SOUL, A, 1)]).is_noop


def test_an_agents_version_is_the_sha_of_its_latest_deploy():
    rows = [deployed(SOUL, A, 1), deployed(SYSTEM, B, 7)]
    assert agent_versions(rows)["frontdesk"].git_sha == B


def test_status_compares_content_not_commits():
    statuses = compare([SOUL, SYSTEM], [deployed(SOUL, A, 1), deployed(SYSTEM, A, 2)], {"frontdesk": B})
    assert [(s.agent, s.state) for s in statuses] == [("frontdesk", "in sync")]
    drift = compare([SOUL], [deployed(SOUL, A, 1, "name: old\n"), deployed(SYSTEM, A, 2)], {"frontdesk": B})
    assert drift[0].state == "drift: 1 changed, 0 new, 1 removed"
    assert compare([SOUL], [], {"frontdesk": B})[0].state == "not deployed"
    assert compare([], [deployed(SOUL, A, 1)], {})[0].state == "deployed, but gone from git"


def test_a_rollback_restores_the_files_that_differ():
    now = {SOUL.path: "name: frontdesk\ntone: cold\n", SYSTEM.path: SYSTEM.content}
    then = {SOUL.path: SOUL.content, SYSTEM.path: SYSTEM.content}
    plan = plan_rollback("frontdesk", B, now, then, A, "cost went up 30%")
    assert plan.changes == {SOUL.path: SOUL.content}
    assert plan.commit.message.splitlines()[0] == f"optimizer(frontdesk): roll back to {A[:12]}"
    assert f"Optimizer-Rollback: frontdesk {A}" in plan.commit.message
    assert "cost went up 30%" in plan.body() and SOUL.path in plan.body()


def test_a_rollback_that_changes_nothing_or_would_delete_a_file_is_refused():
    files = {SOUL.path: SOUL.content}
    with pytest.raises(DeployError, match="nothing to roll back"):
        plan_rollback("frontdesk", B, files, files, A, None)
    with pytest.raises(DeployError, match=r"would delete prompts/frontdesk/system\.md"):
        plan_rollback("frontdesk", B, {**files, SYSTEM.path: "x"}, files, A, None)
    with pytest.raises(DeployError, match="nothing to roll back to"):
        plan_rollback("frontdesk", B, files, {}, A, None)


def test_untrusted_reasons_are_escaped_in_the_pull_request():
    plan = plan_rollback("frontdesk", B, {SOUL.path: "x"}, {SOUL.path: SOUL.content}, A, "@team see #12 <b>now</b>")
    body = plan.body()
    assert "<b>" not in body and "@team" not in body
