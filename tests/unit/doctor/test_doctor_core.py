"""The pure parts of `optimizer doctor`: what kind a token is, which role a Supabase key has, and the
write grants a changed workflow lost."""

from __future__ import annotations

import base64
import json

import pytest

from optimizer.doctor.github_checks import token_kind
from optimizer.doctor.repo_checks import missing_grants
from optimizer.doctor.supabase_checks import key_role
from optimizer.templates import workflow_text


@pytest.mark.parametrize(
    ("token", "env", "kind"),
    [
        ("ghs_x", {"OPTIMIZER_TOKEN_KIND": "actions"}, "actions"),
        ("ghs_x", {"OPTIMIZER_TOKEN_KIND": "app"}, "app"),
        ("ghs_x", {"GITHUB_ACTIONS": "true"}, "installation"),  # an App's or the GITHUB_TOKEN: cannot tell
        ("ghs_x", {}, "app"),  # off Actions there is no GITHUB_TOKEN
        ("github_pat_x", {"OPTIMIZER_TOKEN_KIND": "pat"}, "fine-grained"),
        ("ghp_x", {}, "classic"),
        ("gho_x", {}, "other"),
    ],
)
def test_a_tokens_kind(token, env, kind):
    assert token_kind(token, env) == kind


def jwt(claims: dict[str, object]) -> str:
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"eyJhbGciOiJIUzI1NiJ9.{body}.signature"


@pytest.mark.parametrize(
    ("key", "role"),
    [
        (jwt({"role": "service_role", "iss": "supabase"}), "service_role"),
        (jwt({"role": "anon"}), "anon"),
        ("sb_secret_abc", "service_role"),
        ("sb_publishable_abc", "anon"),
        ("not-a-key", None),
        ("a.!!!.c", None),
    ],
)
def test_a_supabase_keys_role(key, role):
    assert key_role(key) == role


def test_the_write_grants_a_changed_workflow_lost():
    template = workflow_text("optimize.yml")
    assert missing_grants(template, template) == []
    lost = template.replace("pull-requests: write # open", "pull-requests: read # open")
    lost = lost.replace("permission-contents: write", "permission-contents: read")
    assert missing_grants(lost, template) == [
        "job optimize lacks pull-requests: write",
        "job optimize lacks app token contents: write",
    ]
    assert missing_grants("not: [yaml", template)  # unreadable: every grant is missing
