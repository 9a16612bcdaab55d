"""Where a run publishes: repository, API and token from optimizer.yaml, the environment and git (pure)."""

from __future__ import annotations

import pytest

from optimizer.config import GitHubSettings
from optimizer.gitops.hosts.base import HostError
from optimizer.gitops.hosts.secret import Secret, mask
from optimizer.gitops.hosts.target import parse_remote, resolve_target

TOKEN = {"GITHUB_TOKEN": "ghs_token"}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/acme/frontdesk.git", ("https://github.com", "acme/frontdesk")),
        ("git@github.com:acme/frontdesk.git", ("https://github.com", "acme/frontdesk")),
        ("ssh://git@ghe.acme.io/acme/frontdesk", ("https://ghe.acme.io", "acme/frontdesk")),
        ("http://127.0.0.1:8080/acme/frontdesk.git", ("http://127.0.0.1:8080", "acme/frontdesk")),
        ("/srv/git/frontdesk.git", None),
        ("file:///srv/git/acme/frontdesk.git", None),
    ],
)
def test_parse_remote(url, expected):
    assert parse_remote(url) == expected


def test_nothing_to_publish_to_without_a_repository():
    assert resolve_target(GitHubSettings(), TOKEN, None) is None
    assert resolve_target(GitHubSettings(), TOKEN, "/srv/git/frontdesk.git") is None


def test_the_repository_comes_from_config_then_the_event_then_the_environment_then_origin():
    origin = "git@github.com:origin/repo.git"
    env = {**TOKEN, "GITHUB_REPOSITORY": "env/repo"}

    assert resolve_target(GitHubSettings(repository="cfg/repo"), env, origin, "event/repo").repository == "cfg/repo"
    assert resolve_target(GitHubSettings(), env, origin, "event/repo").repository == "event/repo"
    assert resolve_target(GitHubSettings(), env, origin).repository == "env/repo"
    assert resolve_target(GitHubSettings(), TOKEN, origin).repository == "origin/repo"


def test_the_api_is_github_com_or_the_enterprise_server_origin_points_at():
    assert resolve_target(GitHubSettings(), TOKEN, "https://github.com/a/b").api_url == "https://api.github.com"
    assert resolve_target(GitHubSettings(), TOKEN, "git@ghe.acme.io:a/b.git").api_url == "https://ghe.acme.io/api/v3"
    env = {**TOKEN, "GITHUB_API_URL": "https://ghe.acme.io/api/v3/"}
    assert resolve_target(GitHubSettings(), env, "https://github.com/a/b").api_url == "https://ghe.acme.io/api/v3"
    configured = GitHubSettings(api_url="https://other/api/v3")
    assert resolve_target(configured, env, None, "a/b").api_url == "https://other/api/v3"


def test_the_token_comes_from_the_dedicated_variable_first_or_the_configured_one():
    env = {"GITHUB_TOKEN": "default", "OPTIMIZER_GITHUB_TOKEN": "dedicated", "BOT_PAT": "pat"}

    assert resolve_target(GitHubSettings(), env, None, "a/b").token.reveal() == "dedicated"
    target = resolve_target(GitHubSettings(token_env="BOT_PAT"), env, None, "a/b")
    assert (target.token.reveal(), target.token_source) == ("pat", "BOT_PAT")
    with pytest.raises(HostError, match="no GitHub token: set BOT_PAT"):
        resolve_target(GitHubSettings(token_env="BOT_PAT"), {"GITHUB_TOKEN": "x"}, None, "a/b")
    with pytest.raises(HostError, match="not owner/name"):
        resolve_target(GitHubSettings(), env, None, "just-a-name")


def test_a_secret_never_prints_itself_and_mask_hides_every_form():
    secret = Secret("ghp_abcdefghijklmnopqrstuvwxyz0123456789")

    assert "ghp_" not in f"{secret} {secret!r}"
    text = f"failed: {secret.reveal()} basic {secret.basic_auth()} https://user:pw@github.com/a/b"
    assert mask(text, secret) == "failed: *** basic *** https://***@github.com/a/b"
