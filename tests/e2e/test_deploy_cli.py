"""`optimizer deploy`, `status` and `rollback` as a user runs them, on the example agent repo."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from optimizer.artifacts.yaml_lists import append_entry
from tests.e2e.conftest import git, optimizer
from tests.support.postgres import database_url, insert_traces, postgres, rest

__all__ = ["database_url", "postgres", "rest"]  # fixtures for the Supabase tests below

SYSTEM = "prompts/frontdesk/system.md"


def checkout(repo: Path) -> tuple[str, str, str]:
    index = hashlib.sha256((repo / ".git" / "index").read_bytes()).hexdigest()
    return git(repo, "status", "--porcelain"), index, git(repo, "symbolic-ref", "HEAD")


def commit_change(repo: Path, text: str, message: str) -> str:
    path = repo / SYSTEM
    path.write_text(path.read_text() + text)
    git(repo, "commit", "-q", "-am", message)
    return git(repo, "rev-parse", "HEAD").strip()


def registry_rows(repo: Path) -> list[tuple[str, str, int]]:
    with sqlite3.connect(repo / ".optimizer" / "registry.sqlite3") as conn:
        return conn.execute("select path, git_sha, active from deployments order by id").fetchall()


def test_deploy_status_and_drift_with_the_local_registry(example_repo):
    first = git(example_repo, "rev-parse", "HEAD").strip()
    assert "not deployed" in optimizer("status", cwd=example_repo).out

    dry = optimizer("deploy", "--dry-run", cwd=example_repo)
    assert dry.code == 0 and f"new      frontdesk  {SYSTEM}" in dry.out and "nothing deployed" in dry.err
    assert not (example_repo / ".optimizer").exists()

    done = optimizer("deploy", cwd=example_repo)
    assert done.code == 0, done.err
    registry = (example_repo / ".optimizer" / "registry.sqlite3").resolve()
    assert (
        f"deployed {first[:12]} to the local registry {registry}: 1 agent(s) changed (frontdesk), "
        "3 new file version(s), 0 removed, 0 unchanged." in done.out.splitlines()
    )
    assert "nothing to deploy" in optimizer("deploy", cwd=example_repo).out
    assert git(example_repo, "status", "--porcelain") == ""  # the registry ignores itself

    second = commit_change(example_repo, "\nAlways greet the guest by name.\n", "greet by name")
    status = optimizer("status", cwd=example_repo)
    assert f"frontdesk  {second[:12]}  {first[:12]}  drift: 1 changed, 0 new, 0 removed" in status.out
    check = optimizer("status", "--check", cwd=example_repo)
    assert check.code == 1 and "deployed version differs" in check.err

    assert "1 new file version(s), 0 removed, 2 unchanged" in optimizer("deploy", cwd=example_repo).out
    assert "in sync" in optimizer("status", "--check", cwd=example_repo).out
    assert registry_rows(example_repo)[-1] == (SYSTEM, second, 1)
    assert (SYSTEM, first, 0) in registry_rows(example_repo)  # the previous version stays


def registry_files(repo: Path) -> dict[str, str]:
    """path -> content of every active row of the local registry."""
    with sqlite3.connect(repo / ".optimizer" / "registry.sqlite3") as conn:
        return dict(conn.execute("select path, content from deployments where active = 1").fetchall())


def add_concierge(repo: Path, prompt_body: str) -> None:
    """A second agent whose prompt requires a placeholder: valid only when the body keeps it."""
    (repo / "souls" / "concierge.yaml").write_text("name: concierge\n")
    (repo / "prompts" / "concierge").mkdir()
    front = '---\nrequired_placeholders: ["{{PLAYBOOKS}}"]\n---\n'
    (repo / "prompts" / "concierge" / "system.md").write_text(front + prompt_body)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"concierge: {prompt_body.strip()}")


def test_an_unanswered_faq_entry_is_left_out_and_the_rest_of_the_merge_ships(example_repo):
    soul = example_repo / "souls" / "frontdesk.yaml"
    before = soul.read_text()
    unanswered = {"question": "Can I bring my dog?", "answer": "TODO(owner): write the answer."}
    soul.write_text(append_entry(soul.name, before, "faq", unanswered))  # as the optimizer's FAQ proposal does
    commit_change(example_repo, "\nAlways greet the guest by name.\n", "knowledge gap merged unanswered")
    assert optimizer("validate", cwd=example_repo).code == 1  # the pull request's check still fails on it

    result = optimizer("deploy", cwd=example_repo)
    assert result.code == 0, result.err
    assert "warning: frontdesk: FAQ entry 'Can I bring my dog?' has no answer yet: left out" in result.err
    shipped = registry_files(example_repo)
    assert shipped["souls/frontdesk.yaml"] == before  # byte for byte what was merged, less the entry
    assert "Always greet the guest by name." in shipped[SYSTEM]
    assert "TODO(owner)" not in "".join(shipped.values())
    assert "in sync" in optimizer("status", "--check", cwd=example_repo).out

    soul.write_text(soul.read_text().replace("TODO(owner): write the answer.", "Yes, dogs stay free."))
    git(example_repo, "commit", "-q", "-am", "answer written")
    answered = optimizer("deploy", cwd=example_repo)
    assert answered.code == 0 and "warning" not in answered.err
    assert "Yes, dogs stay free." in registry_files(example_repo)["souls/frontdesk.yaml"]


def test_one_agents_invalid_files_never_block_another(example_repo):
    add_concierge(example_repo, "Help guests. {{PLAYBOOKS}}\n")
    assert optimizer("deploy", cwd=example_repo).code == 0
    deployed_before = registry_files(example_repo)["prompts/concierge/system.md"]

    broken = example_repo / "prompts" / "concierge" / "system.md"
    broken.write_text(deployed_before.replace(" {{PLAYBOOKS}}", ""))
    second = commit_change(example_repo, "\nNew rule.\n", "frontdesk rule, concierge placeholder lost")
    result = optimizer("deploy", cwd=example_repo)
    assert result.code == 1
    assert f"deployed {second[:12]}" in result.out and "1 agent(s) changed (frontdesk)" in result.out
    error = result.err.strip().splitlines()
    assert len(error) == 1 and "not deployed (the version deployed before stays): concierge" in error[0]
    assert "required placeholder '{{PLAYBOOKS}}' is missing" in error[0] and "frontdesk" not in error[0]
    shipped = registry_files(example_repo)
    assert "New rule." in shipped[SYSTEM] and shipped["prompts/concierge/system.md"] == deployed_before


def test_on_a_ci_runner_deploy_refuses_a_registry_it_would_throw_away(example_repo, rest):
    ci = {"CI": "true", "GITHUB_ACTIONS": "true", "RUNNER_ENVIRONMENT": "github-hosted"}
    bare = optimizer("deploy", cwd=example_repo, env=ci)
    assert bare.code == 1 and len(bare.err.strip().splitlines()) == 1
    assert "deploy.target is not set" in bare.err and "deploy.target: supabase" in bare.err
    assert not (example_repo / ".optimizer").exists()

    secrets = {"SUPABASE_URL": rest.url, "SUPABASE_SERVICE_ROLE_KEY": rest.key("service_role")}
    done = optimizer("deploy", cwd=example_repo, env={**ci, **secrets})  # no extra key: the secrets name the store
    assert done.code == 0, done.err
    assert "deploy.target is not set: deploying to Supabase, as SUPABASE_URL is set" in done.err
    assert f"to Supabase {rest.url.split('//')[1]} (table optimizer_deployments)" in done.out
    assert "3 new file version(s)" in done.out
    assert not (example_repo / ".optimizer" / "registry.sqlite3").exists()


def test_a_self_hosted_runner_may_keep_a_local_registry_outside_the_checkout(example_repo, tmp_path):
    ci = {"CI": "true", "GITHUB_ACTIONS": "true", "RUNNER_ENVIRONMENT": "self-hosted"}
    config = example_repo / "optimizer.yaml"
    config.write_text(config.read_text() + "deploy:\n  target: local\n")
    inside = optimizer("deploy", cwd=example_repo, env=ci)
    assert inside.code == 1 and "lies in the checkout" in inside.err
    kept = tmp_path / "runner-home" / "registry.sqlite3"
    config.write_text(config.read_text() + f"  registry: {kept}\n")
    done = optimizer("deploy", cwd=example_repo, env=ci)
    assert done.code == 0, done.err
    assert f"to the local registry {kept}" in done.out and kept.is_file()


def test_deploy_at_an_older_commit(example_repo):
    first = git(example_repo, "rev-parse", "HEAD").strip()
    commit_change(example_repo, "\nNew rule.\n", "rule")
    result = optimizer("deploy", "--at", first[:8], cwd=example_repo)
    assert result.code == 0 and f"deployed {first[:12]}" in result.out
    bad = optimizer("deploy", "--at", "no-such-ref", cwd=example_repo)
    assert bad.code == 1 and "no commit 'no-such-ref'" in bad.err


def test_rollback_prepares_a_branch_and_a_pull_request(example_repo):
    first = git(example_repo, "rev-parse", "HEAD").strip()
    assert optimizer("deploy", cwd=example_repo).code == 0
    second = commit_change(example_repo, "\nAlways upsell the spa.\n", "upsell the spa")
    assert optimizer("deploy", cwd=example_repo).code == 0
    before = checkout(example_repo)

    result = optimizer("rollback", "frontdesk", "--reason", "bookings fell", cwd=example_repo)
    assert result.code == 0, result.err
    assert result.out.startswith(f"# optimizer(frontdesk): roll back to {first[:12]}")
    assert "**Reason:** bookings fell" in result.out and "-Always upsell the spa." in result.out
    assert checkout(example_repo) == before
    branch = "optimizer-rollback/frontdesk"
    assert git(example_repo, "rev-parse", f"{branch}^").strip() == second
    assert git(example_repo, "show", f"{branch}:{SYSTEM}") == git(example_repo, "show", f"{first}:{SYSTEM}")
    message = git(example_repo, "log", "-1", "--format=%B", branch)
    assert f"Optimizer-Rollback: frontdesk {first}" in message and "Reason: bookings fell" in message


def test_rollback_without_history_needs_a_version(example_repo):
    result = optimizer("rollback", "frontdesk", cwd=example_repo)
    assert result.code == 1 and "pass the version to roll back to with --to SHA" in result.err
    assert optimizer("rollback", "nobody", "--to", "HEAD", cwd=example_repo).code == 1


def test_rollback_push_never_moves_a_checked_out_branch(example_repo, tmp_path):
    first = git(example_repo, "rev-parse", "HEAD").strip()
    second = commit_change(example_repo, "\nA change to undo.\n", "change")

    refused = optimizer("rollback", "frontdesk", "--to", first, "--push", cwd=example_repo)
    assert refused.code == 1 and "main is checked out" in refused.err and "no origin remote" in refused.err

    remote = tmp_path / "origin.git"
    git(example_repo, "clone", "-q", "--bare", str(example_repo), str(remote))
    git(example_repo, "remote", "add", "origin", str(remote))
    before = checkout(example_repo)
    pushed = optimizer("rollback", "frontdesk", "--to", first, "--push", cwd=example_repo)
    assert pushed.code == 0, pushed.err
    assert "git pull" in pushed.err
    assert checkout(example_repo) == before and git(example_repo, "rev-parse", "main").strip() == second
    remote_main = git(remote, "rev-parse", "main").strip()
    assert git(remote, "rev-parse", f"{remote_main}^").strip() == second
    assert git(remote, "show", f"main:{SYSTEM}") == git(example_repo, "show", f"{first}:{SYSTEM}")

    # Not checked out (the user works on another branch): main moves with the remote.
    git(example_repo, "switch", "-q", "-c", "work")
    git(example_repo, "fetch", "-q", "origin", "main:main")
    config = example_repo / "optimizer.yaml"
    config.write_text(config.read_text() + "base_branch: main\n")
    third = git(example_repo, "rev-parse", "main").strip()
    commit_main = optimizer("rollback", "frontdesk", "--to", second, "--push", cwd=example_repo)
    assert commit_main.code == 0, commit_main.err
    assert git(example_repo, "rev-parse", "main^").strip() == third
    assert git(example_repo, "rev-parse", "main").strip() == git(remote, "rev-parse", "main").strip()


def test_supabase_target_through_the_command_line(example_repo, rest):
    env = {"SUPABASE_URL": rest.url, "SUPABASE_SERVICE_ROLE_KEY": rest.key("service_role")}
    result = optimizer("deploy", "--target", "supabase", cwd=example_repo, env=env)
    assert result.code == 0, result.err
    assert "3 new file version(s)" in result.out
    assert f"to Supabase {rest.url.split('//')[1]} (table optimizer_deployments)" in result.out
    assert "in sync" in optimizer("status", "--target", "supabase", cwd=example_repo, env=env).out
    missing = optimizer("deploy", "--target", "supabase", cwd=example_repo, env={"SUPABASE_URL": rest.url})
    assert missing.code == 1 and "SUPABASE_SERVICE_ROLE_KEY is not set" in missing.err
    anon = {"SUPABASE_URL": rest.url, "SUPABASE_SERVICE_ROLE_KEY": rest.key("anon")}
    refused = optimizer("deploy", "--target", "supabase", cwd=example_repo, env=anon)
    assert refused.code == 1 and "42501" in refused.err and "service-role key" in refused.err
    assert rest.key("anon") not in refused.err


def test_analyze_from_supabase_prints_what_the_jsonl_path_prints(example_repo, database_url, rest):
    records = [
        json.loads(line)
        for path in sorted((example_repo / "examples" / "traces").glob("*.jsonl"))
        for line in path.read_text().splitlines()
    ]
    insert_traces(database_url, records)
    local = optimizer("analyze", "--format", "json", cwd=example_repo)
    config = example_repo / "optimizer.yaml"
    config.write_text(config.read_text().replace("source: jsonl", "source: supabase"))
    env = {"SUPABASE_URL": rest.url, "SUPABASE_SERVICE_ROLE_KEY": rest.key("service_role")}
    remote = optimizer("analyze", "--format", "json", cwd=example_repo, env=env)
    assert local.code == remote.code == 0, remote.err
    want, got = json.loads(local.out), json.loads(remote.out)
    assert got["source"]["traces_in_window"] == want["source"]["traces_in_window"] == len(records)
    assert [f["key"] for f in got["agents"][0]["findings"]] == [f["key"] for f in want["agents"][0]["findings"]]
    assert [f["evidence"] for f in got["agents"][0]["findings"]] == [
        f["evidence"] for f in want["agents"][0]["findings"]
    ]
