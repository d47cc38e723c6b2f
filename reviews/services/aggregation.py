"""Score aggregation. Method names are stable so figures are reproducible.

- weighted total: sum(value / max * weight) / sum(weight) * 100, per review;
- mean: arithmetic mean of the reviews' weighted totals;
- trimmed mean: with five or more reviews, drop one highest and one lowest, then mean.
All figures are Decimal, rounded half-up to two decimals.
"""

from decimal import ROUND_HALF_UP, Decimal

TWO = Decimal("0.01")
HUNDRED = Decimal("100")
TRIM_FROM = 5


def q2(value: Decimal) -> Decimal:
    return Decimal(value).quantize(TWO, rounding=ROUND_HALF_UP)


def weighted_total(items) -> Decimal | None:
    """items: iterable of (value, max_score, weight)."""
    items = [(Decimal(v), Decimal(m), Decimal(w)) for v, m, w in items]
    total_weight = sum((w for _, _, w in items), Decimal(0))
    if not items or total_weight == 0:
        return None
    return q2(sum((v / m * w for v, m, w in items), Decimal(0)) / total_weight * HUNDRED)


def mean(values) -> Decimal | None:
    values = [Decimal(v) for v in values if v is not None]
    if not values:
        return None
    return q2(sum(values, Decimal(0)) / len(values))


def trimmed_mean(values) -> Decimal | None:
    values = sorted(Decimal(v) for v in values if v is not None)
    if len(values) >= TRIM_FROM:
        values = values[1:-1]
    return mean(values)
