"""A local GitHub for the tests: REST checked against GitHub's OpenAPI description, over a real bare repo."""

from tests.fakes.github.server import GitHubEmulator

__all__ = ["GitHubEmulator"]
