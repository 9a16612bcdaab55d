"""Fixtures of the integration tests: a real PostgreSQL set up as a Supabase project's database
(tests/support/postgres.py) and the REST layer over it."""

from __future__ import annotations

from tests.support.postgres import database_url, postgres, rest

__all__ = ["database_url", "postgres", "rest"]
