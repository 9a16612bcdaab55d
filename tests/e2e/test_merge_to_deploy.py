"""The whole chain a team goes through, end to end through the GitHub emulator and the Supabase-like layer:
a knowledge-gap pull request, its answers written with `/optimizer answer N`, the check turning green, the
merge, and the deploy on a runner shipping that agent while a second agent's unwritten answer stops nothing.
"""

from __future__ import annotations

import psycopg
import yaml

from optimizer.artifacts.yaml_lists import append_entry
from tests.e2e.conftest import git, optimizer
from tests.e2e.test_github_commands import (
    BOT_ENV,
    PARKING,
    PETS,
    obey,
    validate_check,
    without_staff_replies,
)
from tests.fakes.github.fixtures import (  # noqa: F401 (fixtures)
    ADA_TOKEN,
    agent_repo_fixture,
    clean_env_fixture,
    client,
    comment_event,
    github_fixture,
)
from tests.support.postgres import database_url, postgres, rest

__all__ = ["database_url", "postgres", "rest"]  # fixtures

CONCIERGE_SOUL = "souls/concierge.yaml"
UNWRITTEN = {"question": "Is there a late checkout?", "answer": "TODO(owner): write the answer."}


def add_concierge_merged_unanswered(github, agent_repo) -> None:
    """A second agent on main whose own knowledge-gap proposal was merged before anyone wrote its answer."""
    soul = agent_repo / CONCIERGE_SOUL
    soul.write_text(append_entry(soul.name, "name: concierge\n", "faq", UNWRITTEN))
    (agent_repo / "prompts" / "concierge").mkdir()
    (agent_repo / "prompts" / "concierge" / "system.md").write_text("You help guests plan their stay.\n")
    git(agent_repo, "add", "-A")
    git(agent_repo, "commit", "-q", "-m", "concierge: merged with an unwritten answer")
    git(agent_repo, "push", "-q", str(github.git.path), "main:refs/heads/main")  # set-up: straight into the bare repo


def deployed_files(url: str) -> dict[str, str]:
    with psycopg.connect(url) as conn:
        return dict(conn.execute("select path, content from optimizer_deployments where active").fetchall())


def test_answer_check_merge_deploy_ships_the_agent_and_the_other_agents_gap_stops_nothing(
    github, agent_repo, tmp_path, database_url, rest
):
    without_staff_replies(agent_repo)
    add_concierge_merged_unanswered(github, agent_repo)
    assert optimizer("run", "--agent", "frontdesk", cwd=agent_repo, env=BOT_ENV).code == 0
    assert validate_check(github, tmp_path, "unanswered")[0] == 1  # the merge button shows it

    for login, number, text in (("carol", 2, "Dogs stay free."), ("ada", 3, "Park at Trenwith.")):
        assert (
            obey(agent_repo, comment_event(github, tmp_path, 1, login, f"/optimizer answer {number} {text}")).code == 0
        )
    code, summary = validate_check(github, tmp_path, "answered")
    assert code == 0, summary

    merged = client(github, ADA_TOKEN).get_repo(github.full_name).get_pull(1).merge()
    assert merged.merged
    runner = tmp_path / "deploy-runner"
    git(tmp_path, "clone", "-q", "-b", "main", str(github.git.path), str(runner))
    ci = {"CI": "true", "GITHUB_ACTIONS": "true", "RUNNER_ENVIRONMENT": "github-hosted"}
    secrets = {"SUPABASE_URL": rest.url, "SUPABASE_SERVICE_ROLE_KEY": rest.key("service_role")}
    deploy = optimizer("deploy", cwd=runner, env={**ci, **secrets})

    assert deploy.code == 0, deploy.err
    assert f"deployed {merged.sha[:12]} to Supabase" in deploy.out and "(concierge, frontdesk)" in deploy.out
    assert "concierge: FAQ entry 'Is there a late checkout?' has no answer yet: left out" in deploy.err
    shipped = deployed_files(database_url)
    frontdesk = {e["question"]: e["answer"] for e in yaml.safe_load(shipped["souls/frontdesk.yaml"])["faq"]}
    assert frontdesk[PETS] == "Dogs stay free." and frontdesk[PARKING] == "Park at Trenwith."
    assert "TODO(owner)" not in "".join(shipped.values())
    assert "You help guests plan their stay." in shipped["prompts/concierge/system.md"]
    status = optimizer("status", "--check", cwd=runner, env=secrets)
    assert status.code == 0 and "in sync" in status.out
