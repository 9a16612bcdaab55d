"""What a model call costs: list prices per model in USD per million tokens, overridable in config.

Cache writes (5-minute TTL) cost 1.25x the input price and cache reads 0.1x, as on Anthropic's
price list. A model the table does not know has no price: the run stops before any call and asks
for ``claude.prices.<model>`` in optimizer.yaml rather than reporting a made-up cost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from optimizer.errors import ConfigError

CACHE_WRITE_FACTOR = 1.25
CACHE_READ_FACTOR = 0.1
PER_MILLION = 1_000_000


@dataclass(frozen=True)
class Price:
    """USD per million tokens."""

    input: float
    output: float
    cache_write: float
    cache_read: float

    @classmethod
    def of(cls, input_price: float, output_price: float) -> Price:
        """A price with the cache prices derived from the input price."""
        return cls(input_price, output_price, input_price * CACHE_WRITE_FACTOR, input_price * CACHE_READ_FACTOR)


_SONNET = Price.of(3.0, 15.0)
_OPUS = Price.of(5.0, 25.0)
_OPUS_4_0 = Price.of(15.0, 75.0)
_HAIKU = Price.of(1.0, 5.0)

BUILTIN_PRICES: dict[str, Price] = {
    "claude-sonnet-5-5": _SONNET,
    "claude-sonnet-5": _SONNET,
    "claude-sonnet-4-6": _SONNET,
    "claude-sonnet-4-5": _SONNET,
    "claude-sonnet-4-5-20250929": _SONNET,
    "claude-opus-5-5": _OPUS,
    "claude-opus-5": _OPUS,
    "claude-opus-4-8": _OPUS,
    "claude-opus-4-7": _OPUS,
    "claude-opus-4-6": _OPUS,
    "claude-opus-4-5": _OPUS,
    "claude-opus-4-5-20251101": _OPUS,
    "claude-opus-4-1": _OPUS_4_0,
    "claude-haiku-5-5": _HAIKU,
    "claude-haiku-4-5": _HAIKU,
    "claude-haiku-4-5-20251001": _HAIKU,
}


def price_for(model: str, overrides: Mapping[str, Mapping[str, float]]) -> Price:
    """The price of ``model``: ``claude.prices`` in optimizer.yaml first, then the built-in table."""
    override = overrides.get(model)
    if override is not None:
        base = Price.of(float(override["input"]), float(override["output"]))
        return Price(
            base.input,
            base.output,
            float(override.get("cache_write", base.cache_write)),
            float(override.get("cache_read", base.cache_read)),
        )
    if model in BUILTIN_PRICES:
        return BUILTIN_PRICES[model]
    raise ConfigError(
        f"optimizer.yaml: no price for model {model!r}; add claude.prices.{model}: "
        "{input: USD per million tokens, output: USD per million tokens}"
    )


def cost_usd(price: Price, *, input_tokens: int, output_tokens: int, cache_write: int, cache_read: int) -> float:
    """Dollars for one or more calls' usage; ``input_tokens`` excludes cached tokens, as the API reports it."""
    total = (
        input_tokens * price.input
        + output_tokens * price.output
        + cache_write * price.cache_write
        + cache_read * price.cache_read
    )
    return total / PER_MILLION
