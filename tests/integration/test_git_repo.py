"""AgentRepo against real git repositories in temporary directories (no mocks)."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from optimizer.errors import GitError
from optimizer.gitops.commits import PlannedCommit
from optimizer.gitops.repo import BOT_EMAIL, BOT_NAME, AgentRepo
from tests.support.git_repos import PROMPT, SOUL, git, make_repo, write


@pytest.fixture(autouse=True)
def git_env(monkeypatch):
    """Pinned identity and dates ($HOME and git config are isolated for every test: tests/conftest.py)."""
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Test Author")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "test@example.com")
        monkeypatch.setenv(f"GIT_{role}_DATE", "2024-05-01T12:00:00Z")


@pytest.fixture
def repo(tmp_path) -> Path:
    return make_repo(tmp_path)


@pytest.fixture
def dirty(repo) -> Path:
    """The same repo with a staged change, an unstaged change and an untracked file."""
    write(repo, SOUL, "name: support\nalways_do: [staged]\n")
    git(repo, "add", SOUL)
    write(repo, PROMPT, "You are a support agent. (work in progress)\n")
    write(repo, "notes.txt", "untracked\n")
    return repo


def two_commits() -> list[PlannedCommit]:
    return [
        PlannedCommit("Tell the agent to escalate refunds", {PROMPT: "You are a support agent.\nEscalate refunds.\n"}),
        PlannedCommit("Add a refund FAQ", {SOUL: "name: support\nalways_do: []\nfaq: [refunds]\n"}),
    ]


def snapshot(root: Path) -> dict[str, object]:
    index = hashlib.sha256((root / ".git" / "index").read_bytes()).hexdigest()  # before status runs
    status = subprocess.run(
        ["git", "status", "--porcelain"],
        cwd=root,
        capture_output=True,
        env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},  # so status itself never refreshes the index
        check=True,
    ).stdout
    return {
        "status": status,
        "index": index,
        "head": git(root, "symbolic-ref", "HEAD"),
        "prompt": (root / PROMPT).read_bytes(),
    }


def test_build_branch_commits_without_touching_worktree_index_or_head(dirty):
    base = git(dirty, "rev-parse", "HEAD").strip()
    before = snapshot(dirty)

    with AgentRepo(dirty) as agent:
        built = agent.build_branch(agent.resolve_base("main"), two_commits(), "optimizer/support", update_ref=True)

    assert snapshot(dirty) == before
    assert before["head"] == "refs/heads/main\n"
    assert built.base_sha == base
    assert built.ref_updated
    assert git(dirty, "rev-parse", "refs/heads/optimizer/support").strip() == built.head_sha
    log = git(dirty, "log", "--reverse", "--format=%H %s", f"{base}..{built.head_sha}").splitlines()
    assert log == [
        f"{built.commit_shas[0]} Tell the agent to escalate refunds",
        f"{built.commit_shas[1]} Add a refund FAQ",
    ]
    assert git(dirty, "show", f"{built.commit_shas[0]}:{PROMPT}") == "You are a support agent.\nEscalate refunds.\n"
    assert git(dirty, "show", f"{built.commit_shas[0]}:{SOUL}") == "name: support\nalways_do: []\n"
    assert git(dirty, "show", f"{built.head_sha}:{SOUL}") == "name: support\nalways_do: []\nfaq: [refunds]\n"


def test_patch_is_a_plain_diff_of_the_whole_branch(repo):
    with AgentRepo(repo) as agent:
        built = agent.build_branch(agent.resolve_base(None), two_commits(), "optimizer/support", update_ref=False)

    assert f"diff --git a/{PROMPT} b/{PROMPT}" in built.patch
    assert "+Escalate refunds." in built.patch
    assert "+faq: [refunds]" in built.patch
    assert "\x1b[" not in built.patch


def test_dry_run_writes_no_ref(dirty):
    refs_before = git(dirty, "for-each-ref")
    before = snapshot(dirty)

    with AgentRepo(dirty) as agent:
        built = agent.build_branch(agent.resolve_base(None), two_commits(), "optimizer/support", update_ref=False)

    assert not built.ref_updated
    assert git(dirty, "for-each-ref") == refs_before
    assert snapshot(dirty) == before
    assert git(dirty, "cat-file", "-t", built.head_sha).strip() == "commit"


def test_rebuilding_moves_the_branch_onto_the_new_head(repo):
    with AgentRepo(repo) as agent:
        base = agent.resolve_base(None)
        first = agent.build_branch(base, two_commits(), "optimizer/support", update_ref=True)
        again = [PlannedCommit("Shorter prompt", {PROMPT: "Be brief.\n"})]
        second = agent.build_branch(base, again, "optimizer/support", update_ref=True)

    assert second.head_sha != first.head_sha
    assert git(repo, "rev-parse", "optimizer/support").strip() == second.head_sha
    assert git(repo, "rev-parse", f"{second.head_sha}^").strip() == base


def test_refuses_to_move_the_checked_out_branch(repo):
    refs_before = git(repo, "for-each-ref")

    with AgentRepo(repo) as agent, pytest.raises(GitError, match="'main' is checked out"):
        agent.build_branch(agent.resolve_base(None), two_commits(), "main", update_ref=True)

    assert git(repo, "for-each-ref") == refs_before


def test_refuses_to_move_a_branch_checked_out_in_another_worktree(repo, tmp_path):
    git(repo, "worktree", "add", "-q", "-b", "optimizer/support", str(tmp_path / "wt"))

    with AgentRepo(repo) as agent, pytest.raises(GitError, match="is checked out"):
        agent.build_branch(agent.resolve_base(None), two_commits(), "optimizer/support", update_ref=True)


def test_not_a_repository(tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()

    with pytest.raises(GitError, match=r"not a git repository: .*plain\. .*--repo"):
        AgentRepo(plain)
    with pytest.raises(GitError, match="no such directory"):
        AgentRepo(tmp_path / "missing")


def test_opens_from_a_subdirectory(repo):
    with AgentRepo(repo / "prompts") as agent:
        assert agent.root == repo


def test_unknown_base_branch_names_it_and_lists_local_branches(repo):
    git(repo, "branch", "develop")

    with AgentRepo(repo) as agent, pytest.raises(GitError) as caught:
        agent.resolve_base("release")

    message = str(caught.value)
    assert "'release'" in message
    assert "develop, main" in message


def test_base_may_be_a_branch_known_only_on_origin(repo, tmp_path):
    clone = tmp_path / "clone"
    git(repo, "branch", "release")
    git(tmp_path, "clone", "-q", "--single-branch", "-b", "main", str(repo), str(clone))
    git(clone, "fetch", "-q", "origin", "release:refs/remotes/origin/release")

    with AgentRepo(clone) as agent:
        assert agent.resolve_base("release") == git(repo, "rev-parse", "release").strip()


def test_base_of_an_empty_repository(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")

    with AgentRepo(tmp_path) as agent, pytest.raises(GitError, match="no commit yet"):
        agent.resolve_base(None)


def test_files_at_base_ignore_uncommitted_changes(dirty):
    with AgentRepo(dirty) as agent:
        files = agent.files_at(agent.resolve_base(None))

        assert files.read_text(PROMPT) == "You are a support agent.\n"
        assert files.read_text(SOUL) == "name: support\nalways_do: []\n"
        assert files.read_text("notes.txt") is None
        assert files.list_files("") == [PROMPT, SOUL]
        assert files.list_files("prompts") == [PROMPT]
        assert files.list_files("prompts/support/") == [PROMPT]
        assert files.list_files("prompts/supp") == []


def test_files_at_reports_symlinks_and_skips_binary(repo):
    (repo / "prompts" / "link.md").symlink_to("support/system.md")
    (repo / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0")
    (repo / "latin1.md").write_bytes("caf\xe9\n".encode("latin-1"))
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "more files")

    with AgentRepo(repo) as agent:
        files = agent.files_at(agent.resolve_base(None))

        assert files.is_symlink("prompts/link.md")
        assert not files.is_symlink(PROMPT)
        assert "prompts/link.md" in files.list_files("prompts")
        assert files.read_text("prompts/link.md") is None
        assert files.read_text("logo.png") is None
        assert files.read_text("latin1.md") is None


def test_unknown_commit(repo):
    with AgentRepo(repo) as agent, pytest.raises(GitError, match="no commit 'deadbeef'"):
        agent.files_at("deadbeef")


@pytest.mark.parametrize("path", ["../outside.md", "/etc/passwd", "prompts/../../x.md", ".git/config", "a//b.md"])
def test_refuses_paths_outside_the_repo(repo, path):
    refs_before = git(repo, "for-each-ref")

    with AgentRepo(repo) as agent, pytest.raises(GitError, match="refusing to write"):
        agent.build_branch(agent.resolve_base(None), [PlannedCommit("x", {path: "x"})], "optimizer/x", update_ref=True)

    assert git(repo, "for-each-ref") == refs_before


def test_refuses_to_write_through_a_symlink(repo):
    (repo / "prompts" / "link.md").symlink_to("support/system.md")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "link")

    with AgentRepo(repo) as agent, pytest.raises(GitError, match="symlink"):
        commits = [PlannedCommit("x", {"prompts/link.md": "x"})]
        agent.build_branch(agent.resolve_base(None), commits, "optimizer/x", update_ref=False)


@pytest.mark.parametrize("branch", ["bad..name", "@{-1}", "-x", "with space", ""])
def test_refuses_invalid_branch_names(repo, branch):
    with AgentRepo(repo) as agent, pytest.raises(GitError, match="invalid branch name"):
        agent.build_branch(agent.resolve_base(None), two_commits(), branch, update_ref=True)


def test_a_commit_that_changes_nothing_is_refused(repo):
    unchanged = [PlannedCommit("No-op", {PROMPT: "You are a support agent.\n"})]

    with AgentRepo(repo) as agent, pytest.raises(GitError, match="'No-op' changes nothing"):
        agent.build_branch(agent.resolve_base(None), unchanged, "optimizer/x", update_ref=False)


def test_keeps_the_executable_bit_and_adds_new_files(repo):
    write(repo, "tools/run.sh", "#!/bin/sh\n")
    (repo / "tools" / "run.sh").chmod(0o755)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "script")
    commits = [PlannedCommit("Edit", {"tools/run.sh": "#!/bin/sh\nexit 0\n", "prompts/support/new.md": "New.\n"})]

    with AgentRepo(repo) as agent:
        built = agent.build_branch(agent.resolve_base(None), commits, "optimizer/x", update_ref=False)

    tree = git(repo, "ls-tree", "-r", built.head_sha)
    assert "100755 blob" in next(line for line in tree.splitlines() if line.endswith("tools/run.sh"))
    assert git(repo, "show", f"{built.head_sha}:prompts/support/new.md") == "New.\n"


def test_identity_falls_back_to_repo_config_then_to_the_bot(repo, monkeypatch):
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(var)
    commits = [PlannedCommit("x", {PROMPT: "x\n"})]

    with AgentRepo(repo) as agent:
        bot = agent.build_branch(agent.resolve_base(None), commits, "optimizer/x", update_ref=False)
        git(repo, "config", "user.name", "Repo Owner")
        git(repo, "config", "user.email", "owner@example.com")
        owner = agent.build_branch(agent.resolve_base(None), commits, "optimizer/x", update_ref=False)

    assert git(repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>", bot.head_sha).strip() == (
        f"{BOT_NAME} <{BOT_EMAIL}>|{BOT_NAME} <{BOT_EMAIL}>"
    )
    assert git(repo, "log", "-1", "--format=%an <%ae>", owner.head_sha).strip() == "Repo Owner <owner@example.com>"


def test_multi_line_commit_message_is_kept(repo):
    message = "Tell the agent to escalate refunds\n\nFinding: escalation:refunds (42 traces).\n"

    with AgentRepo(repo) as agent:
        built = agent.build_branch(
            agent.resolve_base(None), [PlannedCommit(message, {PROMPT: "x\n"})], "optimizer/x", update_ref=False
        )

    assert git(repo, "log", "-1", "--format=%B", built.head_sha).strip() == message.strip()
