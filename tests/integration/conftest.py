"""Fixtures of the integration tests: a real PostgreSQL (tests/postgres.py) and the REST layer."""

from __future__ import annotations

from tests.support.postgres import database_url, postgres, rest

__all__ = ["database_url", "postgres", "rest"]
