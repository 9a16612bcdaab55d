"""What the emulated GitHub holds besides git: users, pull requests, issues, comments, reviews, labels."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta


@dataclass
class User:
    login: str
    id: int
    type: str = "User"  # "User" or "Bot"
    permission: str = "write"  # admin | write | read | none (on this repository)
    scopes: str | None = None  # a classic token's X-OAuth-Scopes header ("repo, workflow"); None: other tokens


@dataclass
class Label:
    id: int
    name: str
    color: str = "ededed"
    description: str = ""


@dataclass
class Comment:
    id: int
    number: int  # the issue or pull request it belongs to
    user: User
    body: str
    created_at: str
    updated_at: str


@dataclass
class Review:
    id: int
    number: int
    user: User
    body: str
    state: str  # APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED
    commit_id: str
    submitted_at: str


@dataclass
class ReviewComment:
    id: int
    number: int
    review_id: int
    user: User
    body: str
    path: str
    commit_id: str
    created_at: str


@dataclass
class Pull:
    number: int
    id: int
    user: User
    title: str
    body: str | None
    head: str  # branch name in this repository
    base: str
    created_at: str
    updated_at: str
    head_sha_at_close: str | None = None  # GitHub keeps the head of a closed PR fixed
    state: str = "open"
    closed_at: str | None = None
    merged_at: str | None = None
    merge_commit_sha: str | None = None
    merged_by: User | None = None
    labels: list[str] = field(default_factory=list)
    assignees: list[User] = field(default_factory=list)
    requested_reviewers: list[User] = field(default_factory=list)


@dataclass
class Issue:
    """A plain issue (pull requests are ``Pull``; both share the repository's numbers)."""

    number: int
    id: int
    user: User
    title: str
    body: str | None
    created_at: str
    updated_at: str
    state: str = "open"
    closed_at: str | None = None
    labels: list[str] = field(default_factory=list)
    assignees: list[User] = field(default_factory=list)


class Clock:
    """Monotonic, one second per event: ordering by time is deterministic, as with real timestamps."""

    def __init__(self, start: datetime = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)) -> None:
        self._ticks = itertools.count()
        self._start = start

    def now(self) -> str:
        return (self._start + timedelta(seconds=next(self._ticks))).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class State:
    owner: User
    repo_name: str
    repo_id: int = 1296269
    clock: Clock = field(default_factory=Clock)
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, User] = field(default_factory=dict)
    pulls: dict[int, Pull] = field(default_factory=dict)
    issues: dict[int, Issue] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    review_comments: list[ReviewComment] = field(default_factory=list)
    labels: dict[str, Label] = field(default_factory=dict)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))
    numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def add_user(
        self,
        login: str,
        *,
        token: str | None = None,
        type: str = "User",
        permission: str = "write",
        scopes: str | None = None,
    ) -> User:
        user = User(login, next(self.ids), type, permission, scopes)
        self.users[login] = user
        if token:
            self.tokens[token] = user
        return user

    def label(self, name: str) -> Label:
        if name not in self.labels:
            self.labels[name] = Label(next(self.ids), name)
        return self.labels[name]
