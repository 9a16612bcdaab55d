"""Every exchange with the remote repository: read a branch's tip, fetch it, push with a lease.

The token travels per command in the environment (``GIT_CONFIG_COUNT``/``GIT_CONFIG_KEY_n``), as
an ``http.<url>.extraheader``: never in the command line, never in ``.git/config``, never in a
URL. The same variables first reset any header a checkout step left for that host (actions/checkout
stores the default GITHUB_TOKEN that way), so the configured token is the one that pushes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import git

from optimizer.errors import GitError
from optimizer.gitops.hosts.secret import Secret, mask

REMOTE_REFS = "refs/optimizer/remote"  # where fetched branches land: out of sight of `git branch -a`


class LeaseRejected(GitError):
    """Raised when the branch moved on the remote after this run read it (another run pushed meanwhile)."""


@dataclass(frozen=True)
class Remote:
    url: str  # http(s) URL of the repository, without credentials
    token: Secret | None = None


def auth_env(remote: Remote) -> dict[str, str]:
    """Environment for one git command against ``remote``: the token as an extra header, no prompts."""
    env = {"GIT_TERMINAL_PROMPT": "0"}
    parts = urlsplit(remote.url)
    if remote.token and parts.scheme in ("http", "https"):
        key = f"http.{parts.scheme}://{parts.netloc}/.extraheader"
        env |= {
            "GIT_CONFIG_COUNT": "2",
            "GIT_CONFIG_KEY_0": key,
            "GIT_CONFIG_VALUE_0": "",  # an empty value resets the headers configured so far
            "GIT_CONFIG_KEY_1": key,
            "GIT_CONFIG_VALUE_1": f"AUTHORIZATION: basic {remote.token.basic_auth()}",
        }
    return env


class RemoteBranches:
    """Branches of ``remote`` as seen from the local repository at ``root``."""

    def __init__(self, root: Path, remote: Remote) -> None:
        self._repo = git.Repo(root, search_parent_directories=True)
        self.remote = remote

    def close(self) -> None:
        self._repo.close()

    def tip(self, branch: str) -> str | None:
        """The remote branch's commit, or None when it does not exist."""
        out = self._run(["ls-remote", self.remote.url, f"refs/heads/{branch}"], f"read branch {branch}")
        for line in out.splitlines():
            sha, _, ref = line.partition("\t")
            if ref == f"refs/heads/{branch}":
                return sha
        return None

    def fetch(self, branch: str) -> str | None:
        """Fetch the branch (objects and all) into ``refs/optimizer/remote/<branch>``; None when it does not exist."""
        if self.tip(branch) is None:
            return None
        local = f"{REMOTE_REFS}/{branch}"
        refspec = f"+refs/heads/{branch}:{local}"
        self._run(
            ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", self.remote.url, refspec], f"fetch {branch}"
        )
        return self._run(["rev-parse", "--verify", f"{local}^{{commit}}"], f"read fetched branch {branch}")

    def push(self, sha: str, branch: str, expect: str | None) -> None:
        """Point the remote ``branch`` at ``sha``, only if it still is at ``expect`` (None: must not exist).

        The lease makes two runs that start at once safe: the second push is refused, and the
        caller reads the branch again. ``--no-verify``: the user's pre-push hooks are not the bot's.
        """
        ref = f"refs/heads/{branch}"
        args = [
            "push",
            "--porcelain",
            "--no-verify",
            f"--force-with-lease={ref}:{expect or ''}",
            self.remote.url,
            f"{sha}:{ref}",
        ]
        try:
            self._run(args, f"push branch {branch}")
        except GitError as err:
            if "stale info" in str(err) or "already exists" in str(err):
                raise LeaseRejected(f"branch {branch} changed on the remote while this run worked on it") from err
            raise

    def _run(self, args: list[str], doing: str) -> str:
        command = getattr(self._repo.git, args[0].replace("-", "_"))
        try:
            out: str = command(*args[1:], env=auth_env(self.remote))
        except git.GitCommandNotFound as err:
            raise GitError("git is not installed or not on PATH. Install git and run again.") from err
        except git.GitCommandError as err:
            detail = " ".join(f"{err.stderr or ''} {err.stdout or ''}".replace("stderr:", "").split()).strip("'\" ")
            text = f"git failed to {doing} at {self.remote.url}: {detail or err.status}"
            raise GitError(mask(text, self.remote.token)) from err
        return out.strip()
