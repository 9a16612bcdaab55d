"""`optimizer deploy`, `status` and `rollback` as a user runs them, on the example agent repo."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

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
    assert f"deployed {first[:12]}: 3 new version(s)" in done.out
    assert "nothing to deploy" in optimizer("deploy", cwd=example_repo).out
    assert git(example_repo, "status", "--porcelain") == ""  # the registry ignores itself

    second = commit_change(example_repo, "\nAlways greet the guest by name.\n", "greet by name")
    status = optimizer("status", cwd=example_repo)
    assert f"frontdesk  {second[:12]}  {first[:12]}  drift: 1 changed, 0 new, 0 removed" in status.out
    check = optimizer("status", "--check", cwd=example_repo)
    assert check.code == 1 and "deployed version differs" in check.err

    assert "1 new version(s), 0 removed, 2 unchanged" in optimizer("deploy", cwd=example_repo).out
    assert "in sync" in optimizer("status", "--check", cwd=example_repo).out
    assert registry_rows(example_repo)[-1] == (SYSTEM, second, 1)
    assert (SYSTEM, first, 0) in registry_rows(example_repo)  # the previous version stays


def test_deploy_refuses_an_agent_that_fails_validation(example_repo):
    soul = example_repo / "souls" / "frontdesk.yaml"
    entry = "faq:\n  - question: Can I bring my dog?\n    answer: 'TODO(owner): write it'\n"
    soul.write_text(soul.read_text().replace("faq:\n", entry, 1))  # a second faq: key is an error of its own
    git(example_repo, "commit", "-q", "-am", "unwritten answer")
    result = optimizer("deploy", cwd=example_repo)
    assert result.code == 1
    assert "refusing to deploy" in result.err and "not written yet" in result.err
    assert not (example_repo / ".optimizer").exists()


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
    assert "3 new version(s)" in result.out and f"Supabase {rest.url.split('//')[1]}" in result.out
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
