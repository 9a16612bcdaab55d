"""optimizer.yaml's supabase: and deploy: sections: names of environment variables, never secrets."""

from __future__ import annotations

import pytest

from optimizer.config import load_settings
from optimizer.errors import ConfigError
from optimizer.traces.supabase_client import credentials


def test_the_sections_resolve_with_defaults(tmp_path):
    (tmp_path / "optimizer.yaml").write_text(
        "traces: {source: supabase}\ndeploy: {target: supabase}\nsupabase: {url_env: PROJECT_URL, timeout: 30}\n"
    )
    settings = load_settings(tmp_path)
    assert settings.traces_source == "supabase" and settings.deploy.target == "supabase"
    assert settings.deploy.registry == ".optimizer/registry.sqlite3"
    assert (settings.supabase.url_env, settings.supabase.key_env, settings.supabase.timeout) == (
        "PROJECT_URL",
        "SUPABASE_SERVICE_ROLE_KEY",
        30,
    )


@pytest.mark.parametrize(
    "text",
    [
        "deploy: {target: s3}\n",
        "supabase: {key: eyJhbGciOiJIUzI1NiJ9.secret}\n",  # a secret where a variable name belongs
        "supabase: {key_env: 'not a name'}\n",
    ],
)
def test_bad_sections_are_refused_naming_the_file(tmp_path, text):
    (tmp_path / "optimizer.yaml").write_text(text)
    with pytest.raises(ConfigError, match=r"optimizer\.yaml"):
        load_settings(tmp_path)


def test_credentials_name_the_missing_variable(tmp_path):
    (tmp_path / "optimizer.yaml").write_text("supabase: {url_env: PROJECT_URL}\n")
    settings = load_settings(tmp_path).supabase
    with pytest.raises(ConfigError, match="PROJECT_URL is not set"):
        credentials(settings, env={})
    with pytest.raises(ConfigError, match="SUPABASE_ANON_KEY is not set"):
        credentials(settings, anon=True, env={"PROJECT_URL": "https://x.supabase.co"})
    with pytest.raises(ConfigError, match="must be an http"):
        credentials(settings, env={"PROJECT_URL": "x.supabase.co", "SUPABASE_SERVICE_ROLE_KEY": "k"})
    assert credentials(settings, env={"PROJECT_URL": "https://x.supabase.co/", "SUPABASE_SERVICE_ROLE_KEY": "k"}) == (
        "https://x.supabase.co",
        "k",
    )
