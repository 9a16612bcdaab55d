"""Which optimizer action `optimizer init` pins the workflows to, read from how pip installed it (PEP 610)."""

from __future__ import annotations

import json

import pytest

from optimizer.commands.init_repo import action_from_install

SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/acme/optimizer",
        "https://github.com/acme/optimizer.git",
        "ssh://git@github.com/acme/optimizer.git",
    ],
)
def test_a_git_install_from_github_at_a_commit_names_that_commit(url):
    direct_url = json.dumps({"url": url, "vcs_info": {"vcs": "git", "commit_id": SHA, "requested_revision": "v1"}})
    assert action_from_install(direct_url) == f"acme/optimizer@{SHA}"


@pytest.mark.parametrize(
    "direct_url",
    [
        None,  # installed from an index: no direct_url.json
        "not json",
        json.dumps({"url": "file:///home/me/optimizer", "dir_info": {"editable": True}}),
        json.dumps({"url": "https://gitlab.com/acme/optimizer", "vcs_info": {"vcs": "git", "commit_id": SHA}}),
        json.dumps({"url": "https://github.com/acme/optimizer", "vcs_info": {"vcs": "hg", "commit_id": SHA}}),
        json.dumps({"url": "https://github.com/acme/optimizer", "vcs_info": {"vcs": "git", "commit_id": "abc"}}),
    ],
)
def test_anything_else_names_no_action(direct_url):
    assert action_from_install(direct_url) is None
