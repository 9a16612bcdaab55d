"""Every git access of the optimizer: read files at a commit, build a branch without a checkout.

A branch is built with plumbing only (a temporary index, ``hash-object``, ``write-tree``,
``commit-tree``), so the user's working tree, index, HEAD and checked-out branch are never
touched; the only write besides new objects is ``refs/heads/<branch>`` when asked for.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import git

from optimizer.errors import GitError
from optimizer.gitops.commits import BuiltBranch, CommitInfo, Landed, PlannedCommit

BOT_NAME = "optimizer[bot]"
BOT_EMAIL = "optimizer-bot@users.noreply.github.com"

_RECORD = "--format=%H%x1f%P%x1f%T%x1f%cI%x1f%an <%ae>%x1f%B%x1e"  # what _commit_records reads
_SYMLINK_MODE = "120000"
_EXECUTABLE_MODE = "100755"
_FILE_MODE = "100644"


@dataclass(frozen=True)
class _Entry:
    mode: str
    kind: str  # blob, tree or commit (a submodule)
    sha: str


class GitTreeFiles:
    """The files of one commit, read from the object store (uncommitted changes are invisible).

    Satisfies the ``RepoFiles`` protocol of ``optimizer.artifacts`` structurally.
    """

    def __init__(self, repo: git.Repo, sha: str) -> None:
        self._repo = repo
        self.sha = sha
        self._entries: dict[str, _Entry] | None = None

    def read_text(self, path: str) -> str | None:
        """The file's text; None when absent, a symlink, binary or not UTF-8."""
        entry = self._tree().get(path)
        if entry is None or entry.kind != "blob" or entry.mode == _SYMLINK_MODE:
            return None
        data = _git_bytes(self._repo, ["cat-file", "blob", entry.sha], f"read {path} at {self.sha[:12]}")
        if b"\0" in data:
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def list_files(self, prefix: str) -> list[str]:
        """Files (symlinks included, submodules not) under the directory ``prefix``; "" lists all."""
        base = prefix.strip("/")
        return sorted(
            path
            for path, entry in self._tree().items()
            if entry.kind == "blob" and (not base or path == base or path.startswith(base + "/"))
        )

    def is_symlink(self, path: str) -> bool:
        entry = self._tree().get(path)
        return entry is not None and entry.mode == _SYMLINK_MODE

    def mode(self, path: str) -> str | None:
        """The git file mode (100644, 100755, 120000...) of a file, None when absent."""
        entry = self._tree().get(path)
        return entry.mode if entry is not None and entry.kind == "blob" else None

    def _tree(self) -> dict[str, _Entry]:
        if self._entries is None:
            out = _git_bytes(self._repo, ["ls-tree", "-r", "-z", "--full-tree", self.sha], "list files")
            self._entries = dict(_parse_ls_tree(out))
        return self._entries


def _parse_ls_tree(out: bytes) -> list[tuple[str, _Entry]]:
    rows = []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, sha = meta.decode("ascii").split(" ")
        rows.append((raw_path.decode("utf-8", "surrogateescape"), _Entry(mode, kind, sha)))
    return rows


class AgentRepo:
    """The agent's git repository, found from ``path`` or any directory inside it."""

    def __init__(self, path: Path) -> None:
        try:
            self._repo = git.Repo(path, search_parent_directories=True)
        except git.NoSuchPathError as err:
            raise GitError(f"no such directory: {path}. Pass --repo with the path of your agent repo.") from err
        except git.InvalidGitRepositoryError as err:
            raise GitError(
                f"not a git repository: {path}. Run optimizer from inside your agent repo or pass --repo."
            ) from err
        self.root = Path(self._repo.working_tree_dir or self._repo.git_dir)

    def close(self) -> None:
        self._repo.close()

    def __enter__(self) -> AgentRepo:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def resolve_base(self, base_branch: str | None) -> str:
        """The commit sha of ``base_branch`` (a local branch, else ``origin/<name>``); None means HEAD."""
        if base_branch is None:
            sha = self._rev(["HEAD^{commit}"])
            if sha is None:
                raise GitError(f"{self.root}: HEAD has no commit yet. Make a first commit, then run again.")
            return sha
        if self._is_branch_name(base_branch):
            for ref in (f"refs/heads/{base_branch}", f"refs/remotes/origin/{base_branch}"):
                sha = self._rev([f"{ref}^{{commit}}"])
                if sha is not None:
                    return sha
        branches = _git(self._repo, ["for-each-ref", "--format=%(refname:short)", "refs/heads/"], "list branches")
        known = ", ".join(branches.split()) or "none"
        raise GitError(
            f"unknown base branch {base_branch!r} in {self.root} (local branches: {known}). "
            "Set base_branch in optimizer.yaml to one of them."
        )

    def branch_tip(self, branch: str) -> str | None:
        """The commit a local branch points at; None when there is no such branch."""
        return self._rev([f"refs/heads/{branch}^{{commit}}"]) if self._is_branch_name(branch) else None

    def files_at(self, sha: str) -> GitTreeFiles:
        full = None if sha.startswith("-") else self._rev([f"{sha}^{{commit}}"])
        if full is None:
            raise GitError(f"no commit {sha!r} in {self.root}. Fetch it or pass a branch that exists.")
        return GitTreeFiles(self._repo, full)

    def remote_url(self, name: str = "origin") -> str | None:
        """The fetch URL of the remote ``name``, None when there is no such remote."""
        return _config(self._repo, f"remote.{name}.url")

    def current_branch(self) -> str | None:
        """The branch checked out in this working tree; None when HEAD is detached."""
        try:
            return _git(self._repo, ["symbolic-ref", "--quiet", "--short", "HEAD"], "read the checked-out branch")
        except GitError:
            return None

    def checked_out(self, branch: str) -> bool:
        """Whether ``branch`` is checked out in any worktree of this repository."""
        listing = _git(self._repo, ["worktree", "list", "--porcelain"], "list worktrees")
        return f"branch refs/heads/{branch}" in listing.splitlines()

    def move_branch(self, branch: str, new: str, old: str, why: str) -> None:
        """Point ``branch`` at ``new``, only if it is still at ``old`` (git refuses otherwise)."""
        _git(self._repo, ["update-ref", "-m", f"optimizer: {why}", f"refs/heads/{branch}", new, old], f"move {branch}")

    def last_commit(self, sha: str, paths: list[str]) -> str | None:
        """The last commit up to ``sha`` that touched any of ``paths``; None when none did."""
        return _git(self._repo, ["log", "-1", "--format=%H", sha, "--", *paths], "read the history") or None

    def commits(self, base: str, head: str) -> list[CommitInfo]:
        """The commits reachable from ``head`` and not from ``base``, oldest first."""
        out = _git(
            self._repo, ["rev-list", "--reverse", "--no-commit-header", _RECORD, f"{base}..{head}"], "list commits"
        )
        return _commit_records(out)

    def landed(self, base: str, limit: int, grep: str) -> list[Landed]:
        """Commits whose message matches ``grep`` (a regex) among ``base``'s last ``limit`` commits,
        grouped by the first-parent commit that brought them in (itself, or the merge), oldest first."""
        line = _git(self._repo, ["rev-list", "--first-parent", f"-n{limit}", "--format=%cI", base], "read history")
        dates = dict(zip(line.split()[1::3], line.split()[2::3], strict=False))  # "commit <sha>\n<date>"
        order = {sha: index for index, sha in enumerate(reversed(list(dates)))}
        args = ["log", f"-n{limit}", "-E", f"--grep={grep}", _RECORD, base]
        groups: dict[str, list[CommitInfo]] = {}
        for commit in _commit_records(_git(self._repo, args, "read decisions")):
            landing = commit.sha if commit.sha in dates else self._landing(commit.sha, base, dates)
            if landing is not None:
                groups.setdefault(landing, []).insert(0, commit)
        ordered = sorted(groups, key=order.__getitem__)
        return [Landed(sha, dates[sha], tuple(groups[sha])) for sha in ordered]

    def _landing(self, commit: str, base: str, first_parent: dict[str, str]) -> str | None:
        """The oldest first-parent commit of ``base`` that contains ``commit`` (the merge that brought it)."""
        args = ["rev-list", "--ancestry-path", "--first-parent", "--reverse", f"{commit}..{base}"]
        for sha in _git(self._repo, args, "find where a commit landed").split():
            if sha in first_parent:
                return sha
        return None

    def record_commit(self, branch: str, message: str) -> str:
        """An empty commit on ``branch`` (a decision written into history). Safe while the branch is
        checked out: the tree is the tip's own, so the working tree and index stay in sync."""
        self._check_branch_name(branch)
        tip = self._rev([f"refs/heads/{branch}^{{commit}}"])
        if tip is None:
            raise GitError(f"no branch {branch!r} in {self.root}: set base_branch in optimizer.yaml.")
        args = ["commit-tree", f"{tip}^{{tree}}", "-p", tip, "-m", message]
        sha = _git(self._repo, args, "write a commit", env=_identity_env(self._repo))
        self.move_branch(branch, sha, tip, "record a decision")
        return sha

    def is_ancestor(self, commit: str, of: str) -> bool:
        """Whether ``commit`` is in the history of ``of`` (both full SHAs)."""
        return self._is_ancestor(commit, of)

    def build_branch(
        self, base_sha: str, commits: list[PlannedCommit], branch: str, *, update_ref: bool
    ) -> BuiltBranch:
        """Write one commit per PlannedCommit on top of ``base_sha``; point ``branch`` at the last one.

        With ``update_ref=False`` (a dry run) only unreferenced objects are written.
        """
        if not commits:
            raise ValueError("build_branch needs at least one commit")
        self._check_branch_name(branch)
        for planned in commits:
            for path in planned.changes:
                _check_path(path)
        if update_ref:
            self._refuse_checked_out(branch)
        base = self.files_at(base_sha).sha
        shas = self._write_commits(base, commits)
        patch = self._diff(base, shas[-1])
        if update_ref:
            self._update_ref(branch, shas[-1])
        return BuiltBranch(branch, base, shas[-1], tuple(shas), patch, update_ref)

    def subject(self, sha: str) -> str:
        """The first line of a commit's message."""
        return _git(self._repo, ["log", "-1", "--format=%s", self.files_at(sha).sha], "read a commit message")

    def build_revert(
        self, base_sha: str, target: str, branch: str, note: str, *, allowed: tuple[str, ...], update_ref: bool
    ) -> BuiltBranch:
        """``git revert -m 1 target`` (plain ``git revert`` for a one-parent commit) on top of ``base_sha``,
        as one commit on ``branch`` with git's own message and ``note`` after it, with plumbing only.
        Refused when the revert conflicts with later commits, or would change a path outside ``allowed``.
        """
        self._check_branch_name(branch)
        base, commit = self.files_at(base_sha).sha, self.files_at(target).sha
        parents = _git(self._repo, ["rev-list", "--parents", "-n", "1", commit], "read the parents").split()[1:]
        if not parents:
            raise GitError(f"{commit[:12]} is the first commit: there is nothing to revert it to.")
        if not self._is_ancestor(commit, base):
            raise GitError(f"{commit[:12]} is not in the history of the base branch ({base[:12]}): nothing to revert.")
        # A commit that undoes ``target`` on top of it; merging it into the base (their merge base is
        # ``target``) applies the undo to everything since: exactly what `git revert -m 1` computes.
        env = _identity_env(self._repo)
        undo = _git(self._repo, ["commit-tree", f"{parents[0]}^{{tree}}", "-p", commit, "-m", "undo"], "undo", env=env)
        tree = self._merged_tree(base, undo, commit)
        changed = _git(self._repo, ["diff-tree", "-r", "--name-only", "-z", base, tree], "list the revert's files")
        outside = [path for path in changed.split("\0") if path and not path.startswith(allowed)]
        if outside:
            raise GitError(
                f"reverting {commit[:12]} would change {', '.join(sorted(outside)[:5])}: the optimizer writes only "
                f"under {', '.join(allowed)}. Revert it by hand."
            )
        if not changed.strip("\0"):
            raise GitError(f"the base branch already has the files {commit[:12]} changed as they were before it.")
        if update_ref:
            self._refuse_checked_out(branch)
        reversing = f", reversing\nchanges made to {parents[0]}" if len(parents) > 1 else ""
        message = f'Revert "{self.subject(commit)}"\n\nThis reverts commit {commit}{reversing}.\n\n{note}'
        sha = _git(self._repo, ["commit-tree", tree, "-p", base, "-m", message], "commit the revert", env=env)
        if update_ref:
            self._update_ref(branch, sha)
        return BuiltBranch(branch, base, sha, (sha,), self._diff(base, sha), update_ref)

    def _merged_tree(self, base: str, other: str, reverted: str) -> str:
        try:
            return _git(self._repo, ["merge-tree", "--write-tree", "--no-messages", base, other], "merge the revert")
        except GitError as err:
            cause = err.__cause__
            out = str(getattr(cause, "stdout", "") or "").replace("stdout:", "").strip(" '\n")
            files = sorted({line.split("\t")[-1] for line in out.splitlines()[1:] if "\t" in line})
            raise GitError(
                f"reverting {reverted[:12]} conflicts with later changes"
                + (f" to {', '.join(files[:5])}" if files else "")
                + ": revert it by hand."
            ) from err

    def _is_ancestor(self, commit: str, of: str) -> bool:
        try:
            _git(self._repo, ["merge-base", "--is-ancestor", commit, of], "compare commits")
        except GitError:
            return False
        return True

    def _write_commits(self, base: str, commits: list[PlannedCommit]) -> list[str]:
        env = _identity_env(self._repo)
        with tempfile.TemporaryDirectory(prefix="optimizer-index-") as tmp:
            # A private index: the user's .git/index is never read or written.
            env["GIT_INDEX_FILE"] = str(Path(tmp) / "index")
            _git(self._repo, ["read-tree", base], "load the base tree", env=env)
            parent, shas = base, []
            for planned in commits:
                parent = self._write_commit(parent, planned, env)
                shas.append(parent)
        return shas

    def _write_commit(self, parent: str, planned: PlannedCommit, env: dict[str, str]) -> str:
        files = GitTreeFiles(self._repo, parent)
        for path, text in planned.changes.items():
            blob = self._write_blob(text, path)
            mode = _mode_for(files, path)
            doing = f"stage {path}"
            _git(self._repo, ["update-index", "--add", "--cacheinfo", f"{mode},{blob},{path}"], doing, env=env)
        tree = _git(self._repo, ["write-tree"], "write the tree", env=env)
        if tree == _git(self._repo, ["rev-parse", f"{parent}^{{tree}}"], "read the parent tree"):
            raise GitError(
                f"commit {_first_line(planned.message)!r} changes nothing: its files already have that text. "
                "Drop the proposal or change its edit."
            )
        args = ["commit-tree", tree, "-p", parent, "-m", planned.message]
        return _git(self._repo, args, f"commit {_first_line(planned.message)!r}", env=env)

    def _write_blob(self, text: str, path: str) -> str:
        with tempfile.TemporaryFile() as stream:
            stream.write(text.encode("utf-8"))
            stream.seek(0)
            # --no-filters: the text is already what belongs in the repo (it came from a blob).
            args = ["hash-object", "-w", "--no-filters", "--stdin"]
            return _git(self._repo, args, f"store {path}", istream=stream)

    def _diff(self, base: str, head: str) -> str:
        # diff-tree is plumbing: the user's diff.noprefix, colour or external diff do not apply.
        args = ["diff-tree", "-r", "-p", "--no-color", "--no-ext-diff", base, head]
        return _git_bytes(self._repo, args, "diff the branch").decode("utf-8", "replace")

    def _check_branch_name(self, branch: str) -> None:
        if not self._is_branch_name(branch):
            raise GitError(f"invalid branch name {branch!r}: pick a name git accepts, like optimizer/agent.")

    def _is_branch_name(self, name: str) -> bool:
        try:
            normal = _git(self._repo, ["check-ref-format", "--branch", name], "check a branch name")
        except GitError:
            return False
        return normal == name  # "@{-1}" and friends expand to another branch: not a plain name

    def _refuse_checked_out(self, branch: str) -> None:
        # Every worktree counts: moving a branch checked out anywhere desyncs that working tree.
        if self.checked_out(branch):
            raise GitError(
                f"branch {branch!r} is checked out in {self.root}; moving it would desync your working "
                "tree. Switch to another branch or choose another branch name."
            )

    def _update_ref(self, branch: str, head: str) -> None:
        old = self._rev([f"refs/heads/{branch}"]) or ""  # "" makes git refuse if someone created it meanwhile
        self.move_branch(branch, head, old, f"build {branch}")

    def _rev(self, args: list[str]) -> str | None:
        try:
            return _git(self._repo, ["rev-parse", "--verify", "--quiet", *args], "resolve a revision")
        except GitError:
            return None


def _commit_records(out: str) -> list[CommitInfo]:
    """The commits of ``git log``/``rev-list`` output in the ``_RECORD`` format."""
    found = []
    for record in out.split("\x1e"):
        if record.strip():
            sha, parents, tree, date, author, message = record.strip("\n").split("\x1f", 5)
            found.append(CommitInfo(sha, tuple(parents.split()), author, message, tree, date))
    return found


def _check_path(path: str) -> None:
    parts = path.split("/")
    if (
        not path
        or path.startswith("/")
        or "\\" in path
        or "\0" in path
        or any(part in ("", ".", "..") for part in parts)
        or any(part.lower() == ".git" for part in parts)
        or (len(path) > 1 and path[1] == ":")
    ):
        raise GitError(f"refusing to write {path!r}: changes must be repo-relative POSIX paths without '..' or '.git'.")


def _mode_for(files: GitTreeFiles, path: str) -> str:
    mode = files.mode(path)
    if mode == _SYMLINK_MODE:
        raise GitError(f"refusing to write {path}: it is a symlink in the repo. Edit the file it points to.")
    return _EXECUTABLE_MODE if mode == _EXECUTABLE_MODE else _FILE_MODE


def _identity_env(repo: git.Repo) -> dict[str, str]:
    """Author and committer: the environment, else the repo's git config, else the bot.

    Set explicitly so git never falls back to a guessed user@hostname identity (or fails for lack
    of one, as it does on a bare CI runner).
    """
    env = {}
    for role in ("author", "committer"):
        for field, fallback in (("name", BOT_NAME), ("email", BOT_EMAIL)):
            var = f"GIT_{role.upper()}_{field.upper()}"
            value = os.environ.get(var) or _config(repo, f"{role}.{field}") or _config(repo, f"user.{field}")
            env[var] = value or fallback
    return env


def _config(repo: git.Repo, key: str) -> str | None:
    try:
        return _git(repo, ["config", "--get", key], f"read git config {key}") or None
    except GitError:
        return None


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else ""


def _git(repo: git.Repo, args: list[str], doing: str, **kwargs: Any) -> str:
    return _git_bytes(repo, args, doing, **kwargs).decode("utf-8", "surrogateescape").strip()


def _git_bytes(repo: git.Repo, args: list[str], doing: str, **kwargs: Any) -> bytes:
    command = getattr(repo.git, args[0].replace("-", "_"))
    try:
        out: bytes = command(*args[1:], stdout_as_string=False, strip_newline_in_stdout=False, **kwargs)
    except git.GitCommandNotFound as err:
        raise GitError("git is not installed or not on PATH. Install git and run again.") from err
    except git.GitCommandError as err:
        detail = " ".join(str(err.stderr or "").replace("stderr:", "").split()).strip("'\" ")
        raise GitError(f"git failed to {doing} in {repo.working_dir}: {detail or err}") from err
    return out
