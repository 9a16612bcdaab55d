"""The checks of the Supabase side, when the project uses it: the URL and the key present, the key of
the service role, and the tables and columns this release reads there (the migrations applied).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping

from optimizer.config import Settings
from optimizer.doctor.model import Check, fail, ok, skip
from optimizer.errors import ConfigError
from optimizer.traces.supabase_client import SupabaseError, call, connect, credentials, host_of

# What this release reads, one probe per migration that added it: a table and the columns it needs.
SCHEMA_PROBES = (
    ("optimizer_traces", "trace_id,agent,started_at,prompt_version"),
    ("optimizer_deployments", "id,agent,path,kind,content_sha256,git_sha,deployed_at,active"),
    ("optimizer_runs", "run_id,agent,outcome,measurement"),
)
MIGRATE = "apply the migrations in supabase/migrations (supabase db push)"


def uses_supabase(settings: Settings, env: Mapping[str, str]) -> bool:
    return "supabase" in (settings.traces_source, settings.deploy.target) or settings.supabase.secrets_set(env)


def supabase_checks(settings: Settings, env: Mapping[str, str]) -> list[Check]:
    if not uses_supabase(settings, env):
        return [skip("supabase", "not used: traces.source and deploy.target are not supabase")]
    try:
        url, key = credentials(settings.supabase, env=env)
    except ConfigError as err:
        return [fail("supabase secrets", str(err))]
    checks = [ok("supabase secrets", f"{settings.supabase.secret_names} are set ({host_of(url)})")]
    checks.append(key_check(settings, key_role(key)))
    checks.append(schema_check(url, key, settings.supabase.timeout))
    return checks


def key_role(key: str) -> str | None:
    """The role a Supabase key acts as: a JWT's ``role`` claim, or the kind of a new-style key. Pure."""
    if key.startswith("sb_secret_"):
        return "service_role"
    if key.startswith("sb_publishable_"):
        return "anon"
    parts = key.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, UnicodeDecodeError):
        return None
    role = claims.get("role") if isinstance(claims, dict) else None
    return role if isinstance(role, str) else None


def key_check(settings: Settings, role: str | None) -> Check:
    name = settings.supabase.key_env
    if role == "service_role":
        return ok("supabase key", f"{name} is a service-role key")
    if role is None:
        return skip("supabase key", f"cannot tell the role of the key in {name}: it must be the service-role key")
    return fail(
        "supabase key",
        f"{name} holds the {role} key: the optimizer needs the service-role key (Project Settings → API keys)",
    )


def schema_check(url: str, key: str, timeout: float) -> Check:
    try:
        with connect(url, key, timeout) as client:
            for table, columns in SCHEMA_PROBES:
                call(f"read {table}", url, client.table(table).select(columns).limit(1).execute)
    except SupabaseError as err:
        missing_column = "42703" in str(err)  # the other missing things get the hint from ``call``
        return fail("supabase schema", f"{err}; {MIGRATE}" if missing_column else str(err))
    tables = ", ".join(table for table, _ in SCHEMA_PROBES)
    return ok("supabase schema", f"{tables}: there, with the columns this release reads")
