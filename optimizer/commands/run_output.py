"""What `optimizer run` prints about the measurement: one line per agent on stderr, and the revert
pull request in full on a dry run (like the optimizer's own)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # avoids an import cycle at run time
    from optimizer.propose.daily_run import AgentOutcome

Echo = Callable[..., None]


def print_measured(outcome: AgentOutcome, echo: Echo) -> None:
    """The last change's verdicts, on stderr (the pull request and the run record have the detail)."""
    if outcome.measurement is not None:
        echo(f"{outcome.agent}: last change: {outcome.measurement.measurement.summary}", err=True)


def print_rollback(outcome: AgentOutcome, dry_run: bool, echo: Echo) -> None:
    """A dry run prints the revert pull request; a local run names the branch it built."""
    rollback = outcome.rollback
    if rollback is None:
        return
    if rollback.branch is None:
        echo(f"{outcome.agent}: rollback not proposed: {rollback.refused}", err=True)
        return
    if not dry_run:
        branch = rollback.branch
        echo(f"{outcome.agent}: rollback branch {branch.branch} -> {branch.head_sha[:12]}: {rollback.title}")
        return
    echo(f"# {rollback.title}\n")
    echo(rollback.body)
    echo(f"\n---- diff: {rollback.branch.branch} (1 commit) ----\n")
    echo(rollback.branch.patch)
    echo(f"dry run: the revert was not pushed, no branch moved ({outcome.agent}).", err=True)
