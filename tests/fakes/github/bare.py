"""The emulator's repository: a real bare git repo. Branch tips, mergeability and merges come from git."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path


class GitFailed(Exception):
    pass


@dataclass(frozen=True)
class DiffStat:
    commits: int
    additions: int
    deletions: int
    changed_files: int


class BareRepo:
    def __init__(self, path: Path, default_branch: str = "main") -> None:
        self.path = path
        self.default_branch = default_branch
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "--bare", "-b", default_branch)
        # git http-backend serves pushes only to repos that allow them.
        self.git("config", "http.receivepack", "true")

    def git(self, *args: str, env: dict[str, str] | None = None, check: bool = True) -> str:
        done = subprocess.run(
            ["git", *args],
            cwd=self.path,
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            check=False,
        )
        if check and done.returncode != 0:
            raise GitFailed(f"git {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout.strip()

    def sha(self, branch: str) -> str | None:
        out = self.git("rev-parse", "--verify", "--quiet", f"refs/heads/{branch}^{{commit}}", check=False)
        return out or None

    def branches(self) -> list[str]:
        out = self.git("for-each-ref", "--format=%(refname:strip=2)", "refs/heads/")
        return out.split()

    def stat(self, base: str, head: str) -> DiffStat:
        commits = int(self.git("rev-list", "--count", f"{base}..{head}"))
        additions = deletions = files = 0
        for line in self.git("diff", "--numstat", f"{base}...{head}").splitlines():
            added, deleted, _path = line.split("\t", 2)
            additions += int(added) if added.isdigit() else 0
            deletions += int(deleted) if deleted.isdigit() else 0
            files += 1
        return DiffStat(commits, additions, deletions, files)

    def merged_tree(self, base: str, head: str) -> str | None:
        """The tree of merging head into base, or None when they conflict."""
        done = subprocess.run(
            ["git", "merge-tree", "--write-tree", base, head],
            cwd=self.path,
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout.split()[0] if done.returncode == 0 else None

    def merge(self, base_branch: str, head: str, message: str, who: str) -> str:
        """A real merge commit on ``base_branch``; the ref moves only if nobody moved it meanwhile."""
        base = self.sha(base_branch)
        if base is None:
            raise GitFailed(f"no branch {base_branch}")
        tree = self.merged_tree(base, head)
        if tree is None:
            raise GitFailed("merge conflict")
        identity = {
            "GIT_AUTHOR_NAME": who,
            "GIT_AUTHOR_EMAIL": f"{who}@users.noreply.github.com",
            "GIT_COMMITTER_NAME": "GitHub",
            "GIT_COMMITTER_EMAIL": "noreply@github.com",
        }
        sha = self.git("commit-tree", tree, "-p", base, "-p", head, "-m", message, env=identity)
        self.git("update-ref", f"refs/heads/{base_branch}", sha, base)
        return sha

    def log(self, base: str, head: str) -> list[tuple[str, str]]:
        """(sha, full message) of the commits in base..head, oldest first."""
        out = self.git("log", "--reverse", "--format=%H%x1f%B%x1e", f"{base}..{head}")
        rows = []
        for record in out.split("\x1e"):
            if record.strip():
                sha, _, message = record.strip("\n").partition("\x1f")
                rows.append((sha, message))
        return rows

    def show(self, ref: str, path: str) -> str:
        return self.git("show", f"{ref}:{path}")
