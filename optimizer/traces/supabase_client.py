"""Reaching Supabase: supabase-py, with the URL and key read from the environment variables that
optimizer.yaml names (never from the file), and its errors turned into one clear line.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

import httpx
from supabase import Client, ClientOptions, create_client
from supabase import PostgrestAPIError as APIError

from optimizer.config import SupabaseSettings
from optimizer.errors import ConfigError, OptimizerError

T = TypeVar("T")


class SupabaseError(OptimizerError):
    """Raised when Supabase cannot be reached, or refuses or fails a request."""


def credentials(
    settings: SupabaseSettings, *, anon: bool = False, env: Mapping[str, str] | None = None
) -> tuple[str, str]:
    """(url, key) from the environment; the service-role key unless ``anon``."""
    env = os.environ if env is None else env
    key_env = settings.anon_key_env if anon else settings.key_env
    for name, setting in ((settings.url_env, "url_env"), (key_env, "anon_key_env" if anon else "key_env")):
        if not env.get(name):
            raise ConfigError(
                f"environment variable {name} is not set: it holds the Supabase "
                f"{'URL' if setting == 'url_env' else 'key'} (supabase.{setting} in optimizer.yaml names it)"
            )
    url = env[settings.url_env].rstrip("/")
    if urlsplit(url).scheme not in ("http", "https"):
        raise ConfigError(f"{settings.url_env} must be an http(s) URL like https://<project>.supabase.co")
    return url, env[key_env]


@contextmanager
def connect(url: str, key: str, timeout: float = 120.0) -> Iterator[Client]:
    """A supabase-py client whose HTTP connections are closed on exit."""
    http = httpx.Client(timeout=timeout)
    try:
        yield create_client(url, key, ClientOptions(httpx_client=http))
    finally:
        http.close()


def host_of(url: str) -> str:
    return urlsplit(url).netloc or url


def call(what: str, url: str, request: Callable[[], T]) -> T:
    """Run one supabase-py request; its failure becomes a SupabaseError naming ``what`` and the host."""
    try:
        return request()
    except APIError as err:
        hint = ""
        if err.code in ("42501", "PGRST301"):
            hint = " (check the key: the optimizer needs the service-role key, see supabase.key_env)"
        elif err.code in ("PGRST202", "PGRST205", "42883", "42P01"):
            hint = " (apply the migrations in supabase/migrations: supabase db push)"
        message = " ".join(str(err.message or err).split())
        raise SupabaseError(f"{what}: Supabase at {host_of(url)} answered {err.code}: {message}{hint}") from err
    except httpx.HTTPError as err:
        raise SupabaseError(f"{what}: cannot reach Supabase at {host_of(url)}: {type(err).__name__}: {err}") from err


def rows_of(data: object, what: str) -> list[dict[str, Any]]:
    """The rows of a table response, checked: a list of JSON objects."""
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise SupabaseError(f"{what}: Supabase answered {type(data).__name__} where rows were expected")
    return cast(list[dict[str, Any]], data)
