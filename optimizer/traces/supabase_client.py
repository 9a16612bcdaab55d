"""Reaching Supabase: supabase-py, with the URL and key read from the environment variables that
optimizer.yaml names (never from the file), and its errors turned into one clear line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

import httpx
from supabase import Client, ClientOptions, create_client
from supabase import PostgrestAPIError as APIError

from optimizer.errors import OptimizerError
from optimizer.traces.supabase_keys import credentials

__all__ = ["SupabaseError", "call", "connect", "credentials", "host_of", "rows_of"]

T = TypeVar("T")


class SupabaseError(OptimizerError):
    """Raised when Supabase cannot be reached, or refuses or fails a request."""


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


# What to do when a call runs past the role's statement timeout (8 s for the service role on a project).
TIMEOUT_HINT = (
    " (the statement ran past the role's statement timeout: run `supabase db push` so every migration"
    " is applied, analyze a shorter window (window.hours, measure.lookback_days) or lower"
    " supabase.max_candidates; docs/supabase.md#reads-and-the-statement-timeout)"
)


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
        elif err.code == "57014":
            hint = TIMEOUT_HINT
        message = " ".join(str(err.message or err).split())
        raise SupabaseError(f"{what}: Supabase at {host_of(url)} answered {err.code}: {message}{hint}") from err
    except httpx.HTTPError as err:
        raise SupabaseError(f"{what}: cannot reach Supabase at {host_of(url)}: {type(err).__name__}: {err}") from err


def rows_of(data: object, what: str) -> list[dict[str, Any]]:
    """The rows of a table response, checked: a list of JSON objects."""
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise SupabaseError(f"{what}: Supabase answered {type(data).__name__} where rows were expected")
    return cast(list[dict[str, Any]], data)
