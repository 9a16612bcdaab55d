"""AgentRepo.build_revert against real git: the same tree as `git revert -m 1`, and its refusals."""

from __future__ import annotations

import pytest

from optimizer.errors import GitError
from optimizer.gitops.repo import AgentRepo
from tests.support.git_repos import PROMPT, SOUL, git, make_repo, write

ALLOWED = ("prompts/", "souls/")


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A repo on main with a prompt and a soul; a pinned identity."""
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Test Author")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "test@example.com")
    return make_repo(tmp_path)


def merge_branch(root, name: str, changes: dict[str, str]) -> str:
    git(root, "checkout", "-q", "-b", name)
    for path, text in changes.items():
        write(root, path, text)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", f"change {name}")
    git(root, "checkout", "-q", "main")
    git(root, "merge", "-q", "--no-ff", name, "-m", f"Merge {name}")
    return git(root, "rev-parse", "HEAD").strip()


def build(root, target: str, **kwargs):
    with AgentRepo(root) as agent:
        return agent.build_revert("main", target, "optimizer/rollback-support", "why", allowed=ALLOWED, **kwargs)


def test_the_revert_has_the_tree_git_revert_makes_even_after_later_commits(repo):
    merge = merge_branch(repo, "tone", {PROMPT: "You are a terse support agent.\n", "prompts/support/new.md": "x\n"})
    write(repo, SOUL, "name: support\nalways_do: [greet]\n")
    git(repo, "commit", "-qam", "later, unrelated")
    status, head = git(repo, "status", "--porcelain"), git(repo, "rev-parse", "HEAD")

    built = build(repo, merge[:9], update_ref=True)

    assert (git(repo, "status", "--porcelain"), git(repo, "rev-parse", "HEAD")) == (status, head)  # checkout untouched
    git(repo, "revert", "--no-edit", "-m", "1", merge)  # what a person would run
    assert git(repo, "rev-parse", f"{built.head_sha}^{{tree}}") == git(repo, "rev-parse", "HEAD^{tree}")
    assert git(repo, "rev-parse", "optimizer/rollback-support").strip() == built.head_sha
    message = git(repo, "log", "-1", "--format=%B", built.head_sha)
    assert message.startswith('Revert "Merge tone"\n\nThis reverts commit ') and message.rstrip().endswith("why")
    assert "-You are a terse support agent." in built.patch and "deleted file mode" in built.patch


def test_a_one_parent_commit_is_reverted_plainly(repo):
    write(repo, PROMPT, "Changed directly on main.\n")
    git(repo, "commit", "-qam", "direct")
    target = git(repo, "rev-parse", "HEAD").strip()

    built = build(repo, target, update_ref=False)

    assert "reversing" not in git(repo, "log", "-1", "--format=%B", built.head_sha)
    assert git(repo, "rev-parse", f"{built.head_sha}^{{tree}}") == git(repo, "rev-parse", "HEAD~1^{tree}")
    assert "optimizer/rollback-support" not in git(repo, "branch", "--list")  # no ref without update_ref


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("conflict", "conflicts with later changes to prompts/support/system.md"),
        ("outside", "would change README.md: the optimizer writes only under prompts/, souls/"),
        ("first", "is the first commit"),
        ("elsewhere", "is not in the history of the base branch"),
        ("unknown", "no commit 'deadbeef'"),
        ("reverted", "already has the files"),
    ],
)
def test_what_it_refuses_and_says(repo, setup, message):
    target = git(repo, "rev-parse", "HEAD").strip()
    if setup == "conflict":
        target = merge_branch(repo, "tone", {PROMPT: "Terse.\n"})
        write(repo, PROMPT, "Terse, and later reworded.\n")
        git(repo, "commit", "-qam", "later")
    elif setup == "outside":
        target = merge_branch(repo, "docs", {PROMPT: "Terse.\n", "README.md": "docs\n"})
    elif setup == "elsewhere":
        git(repo, "checkout", "-q", "-b", "side")
        write(repo, PROMPT, "side\n")
        git(repo, "commit", "-qam", "side")
        target = git(repo, "rev-parse", "HEAD").strip()
        git(repo, "checkout", "-q", "main")
    elif setup == "unknown":
        target = "deadbeef"
    elif setup == "reverted":
        target = merge_branch(repo, "tone", {PROMPT: "Terse.\n"})
        git(repo, "revert", "--no-edit", "-m", "1", target)
    branches = git(repo, "branch", "--list")

    with pytest.raises(GitError, match=message):
        build(repo, target, update_ref=True)

    assert git(repo, "branch", "--list") == branches


def test_a_checked_out_branch_is_never_moved(repo):
    merge = merge_branch(repo, "tone", {PROMPT: "Terse.\n"})
    git(repo, "branch", "optimizer/rollback-support")
    git(repo, "checkout", "-q", "optimizer/rollback-support")

    with pytest.raises(GitError, match="is checked out"):
        build(repo, merge, update_ref=True)
