"""`optimizer diff-cost` as Markdown: tokens and cost per turn of each changed file, priced at the
configured input price (cache discounts left out). Pure."""

from __future__ import annotations

from optimizer import fmt
from optimizer.artifacts.turn_cost import CostPreview

_PER_TURNS = 1000  # costs per turn are fractions of a cent; per 1,000 turns they read well


def render_markdown(preview: CostPreview) -> str:
    lines = [
        "## Token and cost change per turn",
        "",
        f"`{preview.base}` → `{preview.head}`, at ${preview.usd_per_mtok:g} per million input tokens "
        "(`pricing.input_usd_per_mtok` in optimizer.yaml). Tokens are estimated at about four characters "
        "each; every turn sends each prompt's body and the soul; prompt caching would lower the cost.",
        "",
    ]
    if not preview.changed:
        return "\n".join([*lines, "No prompt or soul changed.", ""])
    lines += [
        f"| file | tokens per turn | change | cost per turn | change per {fmt.count(_PER_TURNS)} turns |",
        "|---|---:|---:|---:|---:|",
    ]
    price = preview.usd_per_mtok / 1_000_000
    for cost in preview.changed:
        lines.append(
            f"| `{cost.path}` | {_tokens(cost.before)} → {_tokens(cost.after)} | {_change(cost.before, cost.after)} "
            f"| {_usd(cost.before, price)} → {_usd(cost.after, price)} | {_per_turns(cost.change * price)} |"
        )
    lines.append("")
    for agent, (before, after) in preview.agent_totals.items():
        lines.append(
            f"- **{agent}**: {fmt.count(before)} → {fmt.count(after)} tokens per turn "
            f"({_change(before, after)}), {_per_turns((after - before) * price)} per {fmt.count(_PER_TURNS)} turns."
        )
    return "\n".join([*lines, ""])


def _tokens(tokens: int | None) -> str:
    return "absent" if tokens is None else fmt.count(tokens)


def _usd(tokens: int | None, price: float) -> str:
    return fmt.NONE if tokens is None else f"${tokens * price:.5f}"


def _change(before: int | None, after: int | None) -> str:
    delta = (after or 0) - (before or 0)
    share = f", {fmt.signed_pct(100 * delta / before)}" if before else ""
    return f"{delta:+,}{share}"


def _per_turns(usd_per_turn: float) -> str:
    per_turns = usd_per_turn * _PER_TURNS
    return f"{'-' if per_turns < 0 else '+'}${abs(per_turns):,.2f}"
