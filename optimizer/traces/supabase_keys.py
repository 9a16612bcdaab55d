"""The Supabase URL and keys, read from the environment variables optimizer.yaml names (never from
the file). Slim: the agent's runtime reads its keys here without loading supabase-py."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal
from urllib.parse import urlsplit

from optimizer.config import SupabaseSettings
from optimizer.errors import ConfigError

KeyKind = Literal["service_role", "anon", "trace"]
_SETTING = {"service_role": "key_env", "anon": "anon_key_env", "trace": "trace_key_env"}


def credentials(
    settings: SupabaseSettings, *, anon: bool = False, key: KeyKind | None = None, env: Mapping[str, str] | None = None
) -> tuple[str, str]:
    """(url, key) from the environment: the service-role key, unless ``anon`` or ``key`` names another."""
    env = os.environ if env is None else env
    setting = _SETTING[key or ("anon" if anon else "service_role")]
    key_env = getattr(settings, setting)
    for name, where in ((settings.url_env, "url_env"), (key_env, setting)):
        if not env.get(name):
            raise ConfigError(
                f"environment variable {name} is not set: it holds the Supabase "
                f"{'URL' if where == 'url_env' else 'key'} (supabase.{where} in optimizer.yaml names it)"
            )
    url = env[settings.url_env].rstrip("/")
    if urlsplit(url).scheme not in ("http", "https"):
        raise ConfigError(f"{settings.url_env} must be an http(s) URL like https://<project>.supabase.co")
    return url, env[key_env]
