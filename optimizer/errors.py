"""The errors a user can cause or fix. The CLI prints ``str(exc)`` as one line and exits 1."""

from __future__ import annotations


class OptimizerError(Exception):
    """Raised for any problem the user can fix; the message names what and where."""


class ConfigError(OptimizerError):
    """Raised when optimizer.yaml is unreadable or breaks its schema."""


class TraceSourceError(OptimizerError):
    """Raised when the trace source cannot be read at all (missing path, unreadable file)."""


class ArtifactError(OptimizerError):
    """Raised when a soul or prompt cannot be read or parsed."""


class UnknownAgentError(OptimizerError):
    """Raised when --agent names an agent that has no soul and no prompts in the repo."""


class ValidationFailed(OptimizerError):
    """Raised when `validate` finds errors in the agent repo."""


class GuardrailViolation(OptimizerError):
    """Raised when a proposed edit breaks a guardrail; the proposal is refused, the run goes on."""


class EditError(OptimizerError):
    """Raised when an edit cannot be applied to its file (text not found, field of the wrong type)."""


class GitError(OptimizerError):
    """Raised when a git operation fails: not a repository, unknown base branch, failed write."""


class AnalystError(OptimizerError):
    """Raised when the analyst cannot produce a valid answer."""


class ModelUnavailable(AnalystError):
    """Raised when the Messages API cannot be reached or keeps failing (after its retries), or refuses the key."""


class InitConflict(OptimizerError):
    """Raised when `init` would overwrite a file that differs from its template; nothing is written."""
