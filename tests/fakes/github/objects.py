"""GitHub's JSON objects, built from the emulator's state with URLs on the host the client called."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.fakes.github.bare import BareRepo
from tests.fakes.github.state import Comment, Issue, Label, Pull, Review, ReviewComment, State, User


@dataclass(frozen=True)
class Urls:
    web: str  # http://127.0.0.1:PORT, as the client called it
    api: str  # web + the API prefix (/api/v3, as on GitHub Enterprise)

    def repo(self, state: State) -> str:
        return f"{self.api}/repos/{state.owner.login}/{state.repo_name}"

    def repo_web(self, state: State) -> str:
        return f"{self.web}/{state.owner.login}/{state.repo_name}"


def user(urls: Urls, who: User) -> dict[str, Any]:
    api = f"{urls.api}/users/{who.login}"
    return {
        "login": who.login,
        "id": who.id,
        "node_id": f"U_{who.id}",
        "avatar_url": f"{urls.web}/avatars/{who.id}",
        "gravatar_id": "",
        "url": api,
        "html_url": f"{urls.web}/{who.login}",
        "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
        "type": who.type,
        "site_admin": False,
        "user_view_type": "public",
    }


# Repository URL fields: name -> suffix after the repository's API URL.
_REPO_URLS = {
    "archive_url": "/{archive_format}{/ref}",
    "assignees_url": "/assignees{/user}",
    "blobs_url": "/git/blobs{/sha}",
    "branches_url": "/branches{/branch}",
    "collaborators_url": "/collaborators{/collaborator}",
    "comments_url": "/comments{/number}",
    "commits_url": "/commits{/sha}",
    "compare_url": "/compare/{base}...{head}",
    "contents_url": "/contents/{+path}",
    "contributors_url": "/contributors",
    "deployments_url": "/deployments",
    "downloads_url": "/downloads",
    "events_url": "/events",
    "forks_url": "/forks",
    "git_commits_url": "/git/commits{/sha}",
    "git_refs_url": "/git/refs{/sha}",
    "git_tags_url": "/git/tags{/sha}",
    "hooks_url": "/hooks",
    "issue_comment_url": "/issues/comments{/number}",
    "issue_events_url": "/issues/events{/number}",
    "issues_url": "/issues{/number}",
    "keys_url": "/keys{/key_id}",
    "labels_url": "/labels{/name}",
    "languages_url": "/languages",
    "merges_url": "/merges",
    "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}",
    "pulls_url": "/pulls{/number}",
    "releases_url": "/releases{/id}",
    "stargazers_url": "/stargazers",
    "statuses_url": "/statuses/{sha}",
    "subscribers_url": "/subscribers",
    "subscription_url": "/subscription",
    "tags_url": "/tags",
    "teams_url": "/teams",
    "trees_url": "/git/trees{/sha}",
}


def repository(urls: Urls, state: State, git: BareRepo, *, full: bool) -> dict[str, Any]:
    api, web = urls.repo(state), urls.repo_web(state)
    host = urls.web.split("://", 1)[1]
    data: dict[str, Any] = {name: api + suffix for name, suffix in _REPO_URLS.items()}
    open_pulls = sum(p.state == "open" for p in state.pulls.values())
    data |= {
        "id": state.repo_id,
        "node_id": f"R_{state.repo_id}",
        "name": state.repo_name,
        "full_name": f"{state.owner.login}/{state.repo_name}",
        "owner": user(urls, state.owner),
        "private": True,
        "html_url": web,
        "description": None,
        "fork": False,
        "url": api,
        "git_url": f"git://{host}/{state.owner.login}/{state.repo_name}.git",
        "ssh_url": f"git@{host.split(':')[0]}:{state.owner.login}/{state.repo_name}.git",
        "clone_url": f"{web}.git",
        "svn_url": web,
        "mirror_url": None,
        "homepage": None,
        "language": None,
        "forks_count": 0,
        "forks": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "watchers": 0,
        "size": 1,
        "default_branch": git.default_branch,
        "open_issues_count": open_pulls,
        "open_issues": open_pulls,
        "has_issues": True,
        "has_projects": False,
        "has_wiki": False,
        "has_pages": False,
        "has_downloads": True,
        "archived": False,
        "disabled": False,
        "visibility": "private",
        "pushed_at": "2026-11-20T06:00:00Z",
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-11-20T06:00:00Z",
        "license": None,
        "allow_forking": False,
    }
    if full:
        data |= {"has_discussions": False, "network_count": 0, "subscribers_count": 1}
    return data


def label(urls: Urls, state: State, item: Label) -> dict[str, Any]:
    return {
        "id": item.id,
        "node_id": f"LA_{item.id}",
        "url": f"{urls.repo(state)}/labels/{item.name}",
        "name": item.name,
        "description": item.description,
        "color": item.color,
        "default": False,
    }


def head_sha(pull: Pull, git: BareRepo) -> str:
    return pull.head_sha_at_close or git.sha(pull.head) or "0" * 40


def pull(urls: Urls, state: State, git: BareRepo, item: Pull, *, full: bool) -> dict[str, Any]:
    api = f"{urls.repo(state)}/pulls/{item.number}"
    issue = f"{urls.repo(state)}/issues/{item.number}"
    html = f"{urls.repo_web(state)}/pull/{item.number}"
    head = head_sha(item, git)
    base = git.sha(item.base) or "0" * 40
    links = {
        "self": api,
        "html": html,
        "issue": issue,
        "comments": f"{issue}/comments",
        "review_comments": f"{api}/comments",
        "review_comment": f"{urls.repo(state)}/pulls/comments{{/number}}",
        "commits": f"{api}/commits",
        "statuses": f"{urls.repo(state)}/statuses/{head}",
    }
    data: dict[str, Any] = {
        "url": api,
        "id": item.id,
        "node_id": f"PR_{item.id}",
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": issue,
        "commits_url": links["commits"],
        "review_comments_url": links["review_comments"],
        "review_comment_url": links["review_comment"],
        "comments_url": links["comments"],
        "statuses_url": links["statuses"],
        "number": item.number,
        "state": item.state,
        "locked": False,
        "title": item.title,
        "user": user(urls, item.user),
        "body": item.body,
        "labels": [label(urls, state, state.label(name)) for name in item.labels],
        "milestone": None,
        "active_lock_reason": None,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "closed_at": item.closed_at,
        "merged_at": item.merged_at,
        "merge_commit_sha": item.merge_commit_sha,
        "assignee": user(urls, item.assignees[0]) if item.assignees else None,
        "assignees": [user(urls, u) for u in item.assignees],
        "requested_reviewers": [user(urls, u) for u in item.requested_reviewers],
        "requested_teams": [],
        "head": _branch(urls, state, git, item.head, head),
        "base": _branch(urls, state, git, item.base, base),
        "_links": {name: {"href": href} for name, href in links.items()},
        "author_association": "MEMBER" if item.user.type == "User" else "NONE",
        "auto_merge": None,
        "draft": False,
    }
    if full:
        data |= _full_pull(urls, git, item, head, base)
    return data


def _branch(urls: Urls, state: State, git: BareRepo, ref: str, sha: str) -> dict[str, Any]:
    return {
        "label": f"{state.owner.login}:{ref}",
        "ref": ref,
        "sha": sha,
        "user": user(urls, state.owner),
        "repo": repository(urls, state, git, full=False),
    }


def _full_pull(urls: Urls, git: BareRepo, item: Pull, head: str, base: str) -> dict[str, Any]:
    stat = git.stat(base, head)
    if item.state == "open":
        mergeable = git.merged_tree(base, head) is not None
        state = "clean" if mergeable else "dirty"
    else:
        mergeable, state = None, "unknown"
    return {
        "merged": item.merged_at is not None,
        "mergeable": mergeable,
        "rebaseable": mergeable,
        "mergeable_state": state,
        "merged_by": user(urls, item.merged_by) if item.merged_by else None,
        "comments": 0,
        "review_comments": 0,
        "maintainer_can_modify": False,
        "commits": stat.commits,
        "additions": stat.additions,
        "deletions": stat.deletions,
        "changed_files": stat.changed_files,
    }


def issue(urls: Urls, state: State, item: Pull | Issue, comments: int) -> dict[str, Any]:
    """A pull request seen as an issue (with ``pull_request``), or a plain issue."""
    if isinstance(item, Issue):
        plain = _issue_fields(urls, state, item, comments)
        return {**plain, "html_url": f"{urls.repo_web(state)}/issues/{item.number}"}
    return {
        **_issue_fields(urls, state, item, comments),
        "pull_request": {
            "url": f"{urls.repo(state)}/pulls/{item.number}",
            "html_url": f"{urls.repo_web(state)}/pull/{item.number}",
            "diff_url": f"{urls.repo_web(state)}/pull/{item.number}.diff",
            "patch_url": f"{urls.repo_web(state)}/pull/{item.number}.patch",
            "merged_at": item.merged_at,
        },
    }


def _issue_fields(urls: Urls, state: State, item: Pull | Issue, comments: int) -> dict[str, Any]:
    api = f"{urls.repo(state)}/issues/{item.number}"
    return {
        "id": item.id,
        "node_id": f"I_{item.id}",
        "url": api,
        "repository_url": urls.repo(state),
        "labels_url": f"{api}/labels{{/name}}",
        "comments_url": f"{api}/comments",
        "events_url": f"{api}/events",
        "html_url": f"{urls.repo_web(state)}/pull/{item.number}",
        "number": item.number,
        "state": item.state,
        "title": item.title,
        "body": item.body,
        "user": user(urls, item.user),
        "labels": [label(urls, state, state.label(name)) for name in item.labels],
        "assignee": user(urls, item.assignees[0]) if item.assignees else None,
        "assignees": [user(urls, u) for u in item.assignees],
        "milestone": None,
        "locked": False,
        "comments": comments,
        "closed_at": item.closed_at,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "author_association": "NONE",
    }


def comment(urls: Urls, state: State, item: Comment) -> dict[str, Any]:
    return {
        "id": item.id,
        "node_id": f"IC_{item.id}",
        "url": f"{urls.repo(state)}/issues/comments/{item.id}",
        "html_url": f"{urls.repo_web(state)}/pull/{item.number}#issuecomment-{item.id}",
        "issue_url": f"{urls.repo(state)}/issues/{item.number}",
        "body": item.body,
        "user": user(urls, item.user),
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "author_association": _association(item.user),
    }


def review(urls: Urls, state: State, item: Review) -> dict[str, Any]:
    pull_api = f"{urls.repo(state)}/pulls/{item.number}"
    html = f"{urls.repo_web(state)}/pull/{item.number}#pullrequestreview-{item.id}"
    return {
        "id": item.id,
        "node_id": f"PRR_{item.id}",
        "user": user(urls, item.user),
        "body": item.body,
        "state": item.state,
        "commit_id": item.commit_id,
        "html_url": html,
        "pull_request_url": pull_api,
        "_links": {"html": {"href": html}, "pull_request": {"href": pull_api}},
        "submitted_at": item.submitted_at,
        "author_association": _association(item.user),
    }


def review_comment(urls: Urls, state: State, item: ReviewComment) -> dict[str, Any]:
    pull_api = f"{urls.repo(state)}/pulls/{item.number}"
    api = f"{urls.repo(state)}/pulls/comments/{item.id}"
    html = f"{urls.repo_web(state)}/pull/{item.number}#discussion_r{item.id}"
    return {
        "url": api,
        "id": item.id,
        "node_id": f"PRRC_{item.id}",
        "pull_request_review_id": item.review_id,
        "diff_hunk": "@@ -1,3 +1,4 @@",
        "path": item.path,
        "commit_id": item.commit_id,
        "original_commit_id": item.commit_id,
        "user": user(urls, item.user),
        "body": item.body,
        "created_at": item.created_at,
        "updated_at": item.created_at,
        "html_url": html,
        "pull_request_url": pull_api,
        "author_association": _association(item.user),
        "_links": {"self": {"href": api}, "html": {"href": html}, "pull_request": {"href": pull_api}},
    }


def rights(who: User) -> dict[str, bool]:
    """What a role may do, as GitHub spells it in a repository's and a collaborator's ``permissions``."""
    return {
        "pull": who.permission != "none",
        "triage": who.permission in ("admin", "write"),
        "push": who.permission in ("admin", "write"),
        "maintain": who.permission == "admin",
        "admin": who.permission == "admin",
    }


def permission(urls: Urls, who: User) -> dict[str, Any]:
    role = {"admin": "admin", "write": "write", "read": "read", "none": "none"}[who.permission]
    return {
        "permission": who.permission,
        "role_name": role,
        "user": {**user(urls, who), "permissions": rights(who), "role_name": role},
    }


def error(message: str, status: int, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "message": message,
        "documentation_url": "https://docs.github.com/rest",
        "status": str(status),
    }
    if errors is not None:
        data["errors"] = errors
    return data


def _association(who: User) -> str:
    return "NONE" if who.type == "Bot" else ("MEMBER" if who.permission in ("admin", "write") else "CONTRIBUTOR")
