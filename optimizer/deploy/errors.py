"""The deploy package's errors; the CLI prints them as one line and exits 1."""

from __future__ import annotations

from optimizer.errors import OptimizerError


class DeployError(OptimizerError):
    """Raised when a deploy, status or rollback cannot go ahead; nothing was changed."""


class RegistryError(OptimizerError):
    """Raised when the registry (local file or Supabase) cannot be read or written."""
