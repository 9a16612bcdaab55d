"""`optimizer doctor` against the GitHub emulator and the PostgREST layer: each mis-set-up on its own line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import psycopg
import pytest

from tests.e2e.conftest import git, optimizer
from tests.fakes.github.fixtures import (  # noqa: F401 (fixtures)
    BOB_TOKEN,
    BOT_TOKEN,
    agent_repo_fixture,
    clean_env_fixture,
    github_fixture,
)
from tests.support.postgres import database_url, postgres, rest

__all__ = ["database_url", "postgres", "rest"]
ACTION = "acme/optimizer@" + "a" * 40  # the optimizer action init pins the workflows to


def line(result, name: str) -> str:
    """The output line of check ``name``."""
    [found] = [row for row in result.out.splitlines() if row[6:].startswith(name + " ")]
    return found


def configure(repo: Path, extra: str) -> None:
    config = repo / "optimizer.yaml"
    config.write_text(config.read_text() + extra)


@pytest.fixture
def set_up(agent_repo: Path, rest) -> tuple[Path, dict[str, str]]:
    """The agent repo as `optimizer init` and docs/github.md leave it, and the environment a run gets."""
    assert optimizer("init", "--repo", agent_repo, "--action", ACTION).code == 0
    configure(agent_repo, "deploy:\n  target: supabase\n")
    env = {
        "GITHUB_TOKEN": BOT_TOKEN,
        "OPTIMIZER_TOKEN_KIND": "app",
        "SUPABASE_URL": rest.url,
        "SUPABASE_SERVICE_ROLE_KEY": rest.key("service_role"),
    }
    return agent_repo, env


def test_a_healthy_set_up_passes_every_check(set_up):
    repo, env = set_up
    result = optimizer("doctor", cwd=repo, env=env)
    assert result.code == 0, result.out + result.err
    assert result.out.splitlines()[-1] == "no problems found."
    assert all(row.startswith(("ok  ", "skip")) for row in result.out.splitlines()[:-1])
    assert "2700 trace(s)" in line(result, "trace source") and "supabase" in line(result, "deploy target")
    assert "GitHub App installation token" in line(result, "github token")
    report = json.loads(optimizer("doctor", "--format", "json", cwd=repo, env=env).out)
    assert report["problems"] == 0 and {c["name"] for c in report["checks"]} >= {"workflows", "supabase schema"}


def test_the_workflows_own_token_is_named_with_what_to_use_instead(set_up):
    repo, env = set_up
    result = optimizer("doctor", cwd=repo, env={**env, "OPTIMIZER_TOKEN_KIND": "actions"})
    assert result.code == 1 and "github token" in result.err
    assert line(result, "github token").startswith("fail") and "validate never runs" in line(result, "github token")
    assert "OPTIMIZER_APP_CLIENT_ID" in line(result, "github token")
    allow = line(result, "actions may open pull requests")
    assert allow.startswith("skip") and "Allow GitHub Actions to create and approve pull requests" in allow
    assert "/actions/permissions/workflow" in allow  # said, not guessed: not in the REST contract


def test_a_token_that_may_not_push_is_a_problem(set_up):
    repo, env = set_up
    result = optimizer("doctor", cwd=repo, env={**env, "GITHUB_TOKEN": BOB_TOKEN, "OPTIMIZER_TOKEN_KIND": ""})
    assert result.code == 1
    assert line(result, "token permissions").startswith("fail") and "Contents: read and write" in result.out
    assert "classic personal access token" in line(result, "github token")
    assert line(result, "pull requests, issues").startswith("skip")


def test_a_classic_token_without_the_repo_scope_is_a_problem(set_up, github):
    repo, env = set_up
    token = "ghp_" + "Sc0" * 12
    github.add_user("dora", token=token, permission="write", scopes="read:org, gist")
    result = optimizer("doctor", cwd=repo, env={**env, "GITHUB_TOKEN": token, "OPTIMIZER_TOKEN_KIND": ""})
    assert result.code == 1 and "lack repo: add the repo scope" in line(result, "token permissions")


def test_a_missing_or_rejected_token_is_a_problem_and_never_printed(set_up):
    repo, env = set_up
    missing = optimizer("doctor", cwd=repo, env={k: v for k, v in env.items() if k != "GITHUB_TOKEN"})
    assert missing.code == 1 and "none: set OPTIMIZER_GITHUB_TOKEN or GITHUB_TOKEN" in line(missing, "github token")
    wrong = "ghp_" + "Wr0ng" * 8
    rejected = optimizer("doctor", cwd=repo, env={**env, "GITHUB_TOKEN": wrong, "OPTIMIZER_TOKEN_KIND": ""})
    assert rejected.code == 1 and "401" in line(rejected, "github repository")
    assert wrong not in rejected.out + rejected.err


def test_missing_workflows_and_a_lost_write_grant_are_problems(example_repo):
    missing = optimizer("doctor", cwd=example_repo)
    assert missing.code == 1 and "missing in .github/workflows: optimize.yml" in line(missing, "workflows")
    assert optimizer("init", "--repo", example_repo, "--action", ACTION).code == 0
    optimize = example_repo / ".github" / "workflows" / "optimize.yml"
    optimize.write_text(optimize.read_text().replace("pull-requests: write # open", "pull-requests: read # open"))
    lost = optimizer("doctor", cwd=example_repo)
    assert "optimize.yml: job optimize lacks pull-requests: write" in line(lost, "workflows")


def test_an_unset_deploy_target_is_what_the_deploy_workflow_would_refuse(example_repo):
    result = optimizer("doctor", cwd=example_repo)
    assert result.code == 1 and "deploy target" in result.err
    assert "the deploy workflow would refuse: deploy.target is not set" in line(result, "deploy target")


def test_traces_a_runner_cannot_read_are_problems(example_repo):
    live = example_repo / "live"
    shutil.copytree(example_repo / "examples" / "traces", live)
    config = example_repo / "optimizer.yaml"
    config.write_text(config.read_text().replace("path: examples/traces", "path: live"))
    uncommitted = optimizer("doctor", cwd=example_repo)
    assert "live: not committed, so a runner's checkout does not have it" in line(uncommitted, "trace source")

    git(example_repo, "add", "live")
    git(example_repo, "commit", "-q", "-m", "traces")
    config.write_text(config.read_text().replace('now: "2026-11-20T00:00:00Z"', 'now: "2027-06-01T00:00:00Z"'))
    stale = optimizer("doctor", cwd=example_repo)
    assert "no traces in the last 72 h" in line(stale, "trace source")

    shutil.rmtree(live)
    gone = optimizer("doctor", cwd=example_repo)
    assert "no traces in this checkout" in line(gone, "trace source") and "artifact" in line(gone, "trace source")


def test_supabase_keys_and_migrations_are_checked(set_up, rest, database_url):
    repo, env = set_up
    no_key = optimizer("doctor", cwd=repo, env={k: v for k, v in env.items() if k != "SUPABASE_SERVICE_ROLE_KEY"})
    assert "SUPABASE_SERVICE_ROLE_KEY is not set" in line(no_key, "supabase secrets")
    anon = optimizer("doctor", cwd=repo, env={**env, "SUPABASE_SERVICE_ROLE_KEY": rest.key("anon")})
    assert anon.code == 1 and "holds the anon key" in line(anon, "supabase key")
    assert rest.key("anon") not in anon.out + anon.err
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("alter table public.optimizer_runs drop column measurement")  # a migration not applied
    old = optimizer("doctor", cwd=repo, env=env)
    assert old.code == 1 and "supabase db push" in line(old, "supabase schema")
