"""The command line: one thin command per verb, each calling one function in ``optimizer.commands``.

Each verb imports its command when it runs, so ``--help``, ``--version`` and ``analyze`` over JSONL
never load git, GitHub, Supabase or Anthropic clients.

The error boundary lives in ``main``: a user's mistake is one line on stderr and exit 1, a usage
error exit 2, Ctrl-C exit 130, anything unexpected exit 3 with a hint to rerun with -v.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from optimizer import __version__
from optimizer.errors import OptimizerError
from optimizer.timeutil import parse_timestamp

F = TypeVar("F", bound=Callable[..., Any])
_verbose = False


def _set_verbose(_ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    global _verbose
    _verbose = _verbose or value
    return value


def _repo_options(func: F) -> F:
    func = click.option(
        "--repo",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path(),
        show_default="current directory",
        help="The agent repo (souls/, prompts/, optimizer.yaml).",
    )(func)
    return click.option(
        "-v", "--verbose", is_flag=True, expose_value=False, callback=_set_verbose, help="Show tracebacks."
    )(func)


def _selection_options(func: F) -> F:
    for option in reversed(
        [
            click.option("--agent", help="Analyze only this agent (default: every agent in the repo)."),
            click.option(
                "--traces", type=click.Path(path_type=Path), help="Trace records or OTLP/JSON: a file or folder."
            ),
            click.option("--window-hours", type=click.FloatRange(min=0, min_open=True), help="Window length (24)."),
            click.option("--now", "now_text", metavar="TIMESTAMP", help="End of the window, ISO 8601 (default: now)."),
        ]
    ):
        func = option(func)
    return func


def _parse_now(now_text: str | None) -> datetime | None:
    if now_text is None:
        return None
    parsed = parse_timestamp(now_text)
    if parsed is None:
        raise click.BadParameter(f"not an ISO 8601 timestamp: {now_text!r}", param_hint="--now")
    return parsed


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="optimizer")
@click.option("-v", "--verbose", is_flag=True, expose_value=False, callback=_set_verbose, help="Show tracebacks.")
def cli() -> None:
    """Read an LLM agent's traces, find what goes wrong, and propose evidence-backed changes to
    its prompts/ and souls/ as a pull request."""


@cli.command()
@_repo_options
@click.option("--agent", help="Validate only this agent.")
@click.option(
    "--base",
    metavar="REF",
    help="The commit the change starts from (a pull request's base): FAQ answers unwritten there too only warn.",
)
def validate(repo: Path, agent: str | None, base: str | None) -> None:
    """Check every soul and prompt: schema, placeholders, unwritten FAQ answers."""
    from optimizer.commands.validate import validate_command

    validate_command(repo, agent, _log_echo, base)


@cli.command()
@_repo_options
@_selection_options
@click.option(
    "--format", "output_format", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True
)
def analyze(
    repo: Path,
    agent: str | None,
    traces: Path | None,
    window_hours: float | None,
    now_text: str | None,
    output_format: str,
) -> None:
    """Print metrics and findings for the traces in the window."""
    from optimizer.commands.analyze import analyze_command
    from optimizer.propose.window import SelectionArgs

    args = SelectionArgs(agent, traces, window_hours, _parse_now(now_text))
    analyze_command(repo, args, output_format, _log_echo, _progress())


@cli.command()
@_repo_options
@_selection_options
@click.option("--dry-run", is_flag=True, help="Print the pull request; push nothing, move no branch.")
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write pr-body.md, changes.patch, findings.json and proposals.json here.",
)
@click.option(
    "--analyst",
    type=click.Choice(["auto", "heuristic", "claude"]),
    default=None,
    help="Who turns findings into proposals (default: from optimizer.yaml, else auto).",
)
def run(
    repo: Path,
    agent: str | None,
    traces: Path | None,
    window_hours: float | None,
    now_text: str | None,
    dry_run: bool,
    output: Path | None,
    analyst: str | None,
) -> None:
    """The daily job: analyze, propose guarded edits, build branch optimizer/<agent>."""
    from optimizer.commands.run import RunArgs, run_command
    from optimizer.propose.window import SelectionArgs

    args = SelectionArgs(agent, traces, window_hours, _parse_now(now_text))
    run_command(repo, args, RunArgs(dry_run, output, analyst), _log_echo, _progress())


@cli.command()
@_repo_options
@click.option("--agent", help="Only this agent (an error if the repo has no such agent).")
@click.option("--format", "output_format", type=click.Choice(["json", "text"]), default="text", show_default=True)
def agents(repo: Path, agent: str | None, output_format: str) -> None:
    """List the agents in the repo (json: one line, for a workflow matrix)."""
    from optimizer.commands.agents import agents_command

    agents_command(repo, agent, output_format, _log_echo)


@cli.command()
@_repo_options
@click.option("--force", is_flag=True, help="Replace workflows that differ from the templates.")
@click.option(
    "--deploy-target",
    type=click.Choice(["supabase", "local"]),
    default=None,
    help="Where merged versions are deployed, written into a new optimizer.yaml (asked at a terminal).",
)
@click.option(
    "--action",
    metavar="OWNER/REPO@SHA",
    default=None,
    help="The optimizer action the workflows use, pinned by commit "
    "(default: the commit pip installed this optimizer from, if from GitHub).",
)
def init(repo: Path, force: bool, deploy_target: str | None, action: str | None) -> None:
    """Write the four GitHub workflows, Dependabot's configuration and a commented optimizer.yaml."""
    from optimizer.commands.init_repo import init_command

    if deploy_target is None and sys.stdin.isatty() and not (repo / "optimizer.yaml").exists():
        answer = click.prompt(
            "Where should merged versions be deployed? supabase (needed for GitHub-hosted runners), local, or later",
            type=click.Choice(["supabase", "local", "later"]),
            default="supabase",
        )
        deploy_target = None if answer == "later" else answer
    init_command(repo, force, deploy_target, action, _log_echo)


@cli.command()
@_repo_options
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def doctor(repo: Path, output_format: str) -> None:
    """Check the set-up (workflows, deploy target, traces, GitHub token, Supabase); exit 1 on a problem."""
    from optimizer.commands.doctor import doctor_command

    doctor_command(repo, output_format, _log_echo)


@cli.command("diff-cost")
@_repo_options
@click.option("--base", required=True, metavar="REF", help="The commit before the change (e.g. the PR's base).")
@click.option("--head", default="HEAD", show_default=True, metavar="REF", help="The commit after the change.")
def diff_cost(repo: Path, base: str, head: str) -> None:
    """Markdown: tokens and cost per turn of each changed prompt or soul, before and after."""
    from optimizer.commands.diff_cost import diff_cost_command

    diff_cost_command(repo, base, head, _log_echo)


@cli.command("command")
@_repo_options
@click.option("--traces", type=click.Path(path_type=Path), help="For /optimizer refresh: the traces (as for run).")
@click.option("--window-hours", type=click.FloatRange(min=0, min_open=True), help="For /optimizer refresh (24).")
@click.option("--now", "now_text", metavar="TIMESTAMP", help="For /optimizer refresh: end of the window.")
@click.option(
    "--event",
    "event_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The issue_comment event file (default: $GITHUB_EVENT_PATH, as GitHub Actions sets it).",
)
@click.option(
    "--analyst",
    type=click.Choice(["auto", "heuristic", "claude"]),
    default=None,
    help="For /optimizer refresh (default: from optimizer.yaml, else auto).",
)
@click.option(
    "--check-author",
    is_flag=True,
    help="Only decide whether the comment's author may command (write access): allowed=true|false "
    "into $GITHUB_OUTPUT; obeys nothing.",
)
def command(
    repo: Path,
    traces: Path | None,
    window_hours: float | None,
    now_text: str | None,
    event_path: Path | None,
    analyst: str | None,
    check_author: bool,
) -> None:
    """Obey `/optimizer drop N|refresh|help` in a pull request comment (only from people with write access)."""
    from optimizer.commands.command import command_command
    from optimizer.propose.window import SelectionArgs

    args = SelectionArgs(None, traces, window_hours, _parse_now(now_text))
    command_command(repo, event_path, args, analyst, _log_echo, only_check_author=check_author)


_TARGET = click.option(
    "--target",
    type=click.Choice(["local", "supabase"]),
    default=None,
    help="Where versions are deployed (default: deploy.target in optimizer.yaml, else local).",
)


@cli.command()
@_repo_options
@click.option("--at", metavar="SHA", help="Deploy the prompts and souls of this commit (default: HEAD).")
@click.option("--dry-run", is_flag=True, help="Print what would change; deploy nothing.")
@_TARGET
def deploy(repo: Path, at: str | None, dry_run: bool, target: str | None) -> None:
    """Ship the prompts and souls of a commit (version = its git SHA) in one transaction."""
    from optimizer.commands.deploy import DeployArgs, deploy_command

    deploy_command(repo, DeployArgs(at, dry_run, target), _log_echo)


@cli.command()
@_repo_options
@_TARGET
@click.option("--check", is_flag=True, help="Exit 1 when a deployed agent differs from HEAD.")
def status(repo: Path, target: str | None, check: bool) -> None:
    """Per agent: the version in git against the deployed one (drift)."""
    from optimizer.commands.status import status_command

    status_command(repo, target, check, _log_echo)


@cli.command()
@_repo_options
@click.argument("agent")
@click.option("--to", "to_sha", metavar="SHA", help="The version to go back to (default: the one deployed before).")
@click.option("--push", is_flag=True, help="Commit on the base branch and push it, instead of a branch for a PR.")
@click.option("--reason", help="Why: goes into the commit message and the pull request.")
@_TARGET
def rollback(repo: Path, agent: str, to_sha: str | None, push: bool, reason: str | None, target: str | None) -> None:
    """Revert AGENT's soul and prompts to an earlier version, as a commit (a PR, or --push)."""
    from optimizer.commands.rollback import rollback_command
    from optimizer.rollback.manual import RollbackArgs

    rollback_command(repo, RollbackArgs(agent, to_sha, push, reason, target), _log_echo)


@cli.command()
@_repo_options
@click.argument("agent")
@click.argument("proposal")
@click.option("--reason", help="Why: later runs show it, and the analyst reads it.")
def reject(repo: Path, agent: str, proposal: str, reason: str | None) -> None:
    """Record in git that PROPOSAL (its number on branch optimizer/AGENT, or its fingerprint) is
    rejected, for a repository with no code host to close a pull request on."""
    from optimizer.commands.reject import reject_command

    reject_command(repo, agent, proposal, reason, _log_echo)


@cli.command()
@_repo_options
@click.argument("agent")
@click.argument("finding")
@click.option("--version", "version", metavar="SHA", help="The version accepted (default: the base branch's tip).")
@click.option("--reason", help="Why the new level is fine.")
def accept(repo: Path, agent: str, finding: str, version: str | None, reason: str | None) -> None:
    """Record in git that FINDING (a finding key or kind, e.g. cost_regression) is accepted as the
    new normal: the measurement takes the accepted version as its baseline."""
    from optimizer.commands.accept import accept_command

    accept_command(repo, agent, finding, version, reason, _log_echo)


@cli.command()
@_repo_options
@click.option("--agent", help="Only this agent (default: every agent in the repo).")
@click.option("--days", type=click.IntRange(min=1), default=7, show_default=True, help="Days before --now.")
@click.option(
    "--format", "output_format", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True
)
@click.option("--traces", type=click.Path(path_type=Path), help="Trace records or OTLP/JSON: a file or folder.")
@click.option("--now", "now_text", metavar="TIMESTAMP", help="End of the period, ISO 8601 (default: now).")
def report(
    repo: Path, agent: str | None, days: int, output_format: str, traces: Path | None, now_text: str | None
) -> None:
    """The weekly picture per agent: conversations, rates and cost per day and per version, the
    proposals merged and rejected and what they did (Markdown with Mermaid charts, or JSON)."""
    from optimizer.commands.report import ReportArgs, report_command

    report_command(repo, ReportArgs(agent, days, output_format, traces, _parse_now(now_text)), _log_echo)


def _log_echo(message: Any = None, err: bool = False, **kwargs: Any) -> None:
    """click.echo for the commands; what goes to stderr (the log) is redacted, as it may quote traces."""
    if err and isinstance(message, str):
        message = _redacted(message)
    click.echo(message, err=err, **kwargs)


def _redacted(text: str) -> str:
    from optimizer.text.redact import redact  # imported when a line is logged: --help stays fast

    return redact(text)


def _progress() -> Callable[[int, int], None] | None:
    """Progress on stderr for people at a terminal; CI logs stay clean."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        return None

    def report(done: int, total: int) -> None:
        share = done / total if total else 1.0
        end = "\n" if done >= total else ""
        click.echo(f"\rreading traces: {share:4.0%} ({done >> 20} of {total >> 20} MiB)", err=True, nl=False)
        click.echo(end, err=True, nl=False)

    return report


def main(argv: list[str] | None = None) -> int:
    try:
        code = cli.main(args=argv, prog_name="optimizer", standalone_mode=False)
    except OptimizerError as err:
        click.echo(f"optimizer: error: {_redacted(str(err))}", err=True)
        return 1
    except click.ClickException as err:
        err.show()
        return err.exit_code
    except (KeyboardInterrupt, click.Abort):
        click.echo("optimizer: interrupted", err=True)
        return 130
    except BrokenPipeError:
        return 0  # the reader went away (`| head`); nothing to report
    except Exception as err:  # the boundary: anything else is our bug, not the user's
        if _verbose:
            traceback.print_exc()
        click.echo(f"optimizer: unexpected error: {type(err).__name__}: {_redacted(str(err))}", err=True)
        if not _verbose:
            click.echo("Run the same command with -v to see the traceback, and please report it.", err=True)
        return 3
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
