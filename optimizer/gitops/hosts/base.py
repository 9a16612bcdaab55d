"""The code host as the optimizer sees it: pull requests, their comments and reviews, issues, permissions.

One protocol, one real implementation per host (``github.py``). Values are plain frozen
dataclasses, so the logic that reads them (history, publishing, PR commands) stays host-neutral.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from optimizer.errors import OptimizerError

Permission = Literal["admin", "maintain", "write", "triage", "read", "none"]
WRITE_PERMISSIONS: frozenset[str] = frozenset({"admin", "maintain", "write"})


class HostError(OptimizerError):
    """Raised when the code host refuses or fails a request; the message says what to check."""


class PullExists(HostError):
    """Raised when the host refuses a new pull request because one is already open for its branch."""


@dataclass(frozen=True)
class PullRequest:
    number: int
    url: str  # the web page
    state: Literal["open", "closed"]
    merged: bool
    title: str
    body: str
    head: str  # branch name
    head_sha: str
    base: str
    author: str
    created_at: str | None = None  # ISO 8601
    closed_at: str | None = None
    merged_at: str | None = None
    merge_commit_sha: str | None = None  # of a merged one: the commit its merge put on the base branch


@dataclass(frozen=True)
class Remark:
    """Something a person or a bot wrote on a pull request: a comment, a review or a review comment."""

    kind: Literal["comment", "review", "review_comment"]
    id: int
    author: str
    author_is_bot: bool
    body: str
    created_at: str | None = None


@dataclass(frozen=True)
class Issue:
    """An issue (not a pull request): the agent's dashboard of work for humans."""

    number: int
    url: str  # the web page
    state: Literal["open", "closed"]
    title: str
    body: str
    author: str


@dataclass(frozen=True)
class RepoAccess:
    """What a token may do in the repository, as the host reports it (None: not reported)."""

    push: bool | None
    scopes: tuple[str, ...] | None = None  # a classic token's OAuth scopes; None for other tokens


class CodeHost(Protocol):
    """What the optimizer asks of a code host, for one repository."""

    name: str  # e.g. "github", for messages
    repository: str  # owner/name

    def default_branch(self) -> str: ...

    def push_url(self) -> str:
        """The HTTPS URL git pushes to (credentials are supplied per command, never in it)."""
        ...

    def open_pull(self, head: str) -> PullRequest | None:
        """The open pull request from branch ``head`` of this repository, if any."""
        ...

    def pulls_from(self, head: str, limit: int) -> list[PullRequest]:
        """Pull requests from branch ``head`` in any state, newest first, at most ``limit``."""
        ...

    def get_pull(self, number: int) -> PullRequest: ...

    def create_pull(self, head: str, base: str, title: str, body: str) -> PullRequest:
        """Raises PullExists when one is already open for ``head``."""
        ...

    def update_pull(self, number: int, *, title: str | None = None, body: str | None = None) -> None: ...

    def close_pull(self, number: int) -> None: ...

    def merge_pull(self, number: int, head_sha: str) -> str:
        """Merge with a merge commit, only while the head is still ``head_sha``; returns the merge commit."""
        ...

    def add_labels(self, number: int, labels: list[str]) -> None: ...

    def request_reviewers(self, number: int, reviewers: list[str]) -> list[str]:
        """Ask for reviews; returns the warnings (people the host would not ask), not an error."""
        ...

    def add_assignees(self, number: int, assignees: list[str]) -> None: ...

    def comment(self, number: int, body: str) -> None: ...

    def remarks(self, number: int, *, reviews: bool) -> list[Remark]:
        """Comments on the pull request, oldest first; with ``reviews``, also reviews and review comments."""
        ...

    def issues_labelled(self, labels: list[str]) -> list[Issue]:
        """Issues (pull requests left out) carrying every one of ``labels``, in any state, newest first."""
        ...

    def create_issue(self, title: str, body: str, labels: list[str]) -> Issue: ...

    def update_issue(
        self, number: int, *, title: str | None = None, body: str | None = None, state: str | None = None
    ) -> None: ...

    def permission(self, login: str) -> str:
        """The person's permission on the repository: admin, maintain, write, triage, read or none."""
        ...
