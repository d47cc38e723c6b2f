"""Technology managers' commission (技术经理人佣金): the pure arithmetic, no database.

A rule is anything with the attributes of `funding.models.CommissionRule` (kind, rate_pct, tiers,
base_amount, threshold, excess_rate_pct, stages) or a dict with those keys. Every amount is a
Decimal; the result is rounded once, at the end, to the cent with ROUND_HALF_UP.

Formulas (version `FORMULA_VERSION`, stored in each accrual's rule snapshot), for a basis amount A:

- flat:         C = A × rate / 100
- tiered:       marginal brackets [(up_to_1, r_1), (up_to_2, r_2), …, (None, r_n)] in ascending order,
                the last open-ended: C = Σ_i (min(A, up_to_i) − up_to_{i−1})⁺ × r_i / 100 with up_to_0 = 0.
                Example: 5 % up to 1,000,000 then 3 %: A = 1,500,000 → 50,000 + 15,000 = 65,000.00.
- base_excess:  C = base + (A − threshold)⁺ × excess_rate / 100 (the base is due on any positive A).
- staged:       C = A × rate / 100, then split across stages by their shares (which sum to 100):
                share_s = C × pct_s / 100, each rounded to the cent, the last stage (in Stage order)
                taking the rounding remainder so the shares add up to C exactly (`stage_shares`).

`split_equally(C, n)` splits an amount among n people: each gets C / n rounded down to the cent,
the first takes the remaining cents.
"""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import pairwise

from django.utils.translation import gettext as _, gettext_lazy

from funding.enums import CommissionKind, Stage

FORMULA_VERSION = "commission-v1"
# What a reader sees for a version kept in a snapshot (the code itself is for audits).
FORMULA_NAMES = {"commission-v1": gettext_lazy("commission formulas, first edition")}
CENT = Decimal("0.01")
HUNDRED = Decimal("100")
ZERO = Decimal("0")


def _get(rule, name, default=None):
    if isinstance(rule, dict):
        return rule.get(name, default)
    return getattr(rule, name, default)


def _dec(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def tiers_of(rule) -> list[tuple[Decimal | None, Decimal]]:
    """The tiers as (up_to or None, rate) pairs of Decimals, in the stored order."""
    return [(_dec(row.get("up_to")), _dec(row.get("rate_pct"))) for row in (_get(rule, "tiers") or [])]


def stages_of(rule) -> dict[str, Decimal]:
    """The stage shares as {stage: percent}, in Stage order, stages without a share left out."""
    raw = _get(rule, "stages") or {}
    return {stage: _dec(raw[stage]) for stage in Stage.values if raw.get(stage) not in (None, "")}


def _tiered(tiers, amount: Decimal) -> Decimal:
    total, lower = ZERO, ZERO
    for up_to, rate in tiers:
        upper = amount if up_to is None else min(amount, up_to)
        if upper > lower:
            total += (upper - lower) * rate / HUNDRED
        if up_to is None or amount <= up_to:
            break
        lower = up_to
    return total


def exact_commission(rule, amount: Decimal) -> Decimal:
    """The commission before rounding (see the module docstring for the formulas)."""
    amount = Decimal(amount)
    if amount <= 0:
        return ZERO
    kind = _get(rule, "kind")
    if kind in (CommissionKind.FLAT, CommissionKind.STAGED):
        return amount * _dec(_get(rule, "rate_pct")) / HUNDRED
    if kind == CommissionKind.TIERED:
        return _tiered(tiers_of(rule), amount)
    if kind == CommissionKind.BASE_EXCESS:
        excess = max(amount - _dec(_get(rule, "threshold")), ZERO)
        return _dec(_get(rule, "base_amount")) + excess * _dec(_get(rule, "excess_rate_pct")) / HUNDRED
    raise ValueError(f"unknown commission kind {kind!r}")


def commission_for(rule, amount: Decimal) -> Decimal:
    """The commission a rule gives on a basis amount, rounded to the cent (ROUND_HALF_UP)."""
    return cents(exact_commission(rule, amount))


def stage_shares(rule, total: Decimal) -> dict[str, Decimal]:
    """Split a (rounded) staged commission across the rule's stages: {stage: amount}.

    share_s = total × pct_s / 100 rounded to the cent; the last stage in Stage order takes the
    remainder, so the shares always add up to `total`."""
    shares = stages_of(rule)
    stages = [stage for stage, pct in shares.items() if pct and pct > 0]
    result, given = {}, ZERO
    for stage in stages[:-1]:
        result[stage] = cents(total * shares[stage] / HUNDRED)
        given += result[stage]
    if stages:
        result[stages[-1]] = total - given
    return result


def split_equally(amount: Decimal, count: int) -> list[Decimal]:
    """`amount` in `count` parts to the cent: equal parts rounded down, the first takes the rest."""
    if count <= 0:
        return []
    part = (amount / count).quantize(CENT, rounding=ROUND_DOWN)
    return [amount - part * (count - 1)] + [part] * (count - 1)


def rule_params(rule) -> dict:
    """The parameters a rule's kind uses, as strings (for the snapshot kept with each accrual)."""
    kind = _get(rule, "kind")
    if kind == CommissionKind.FLAT:
        return {"rate_pct": str(_dec(_get(rule, "rate_pct")))}
    if kind == CommissionKind.TIERED:
        return {"tiers": [{"up_to": None if up is None else str(up), "rate_pct": str(rate)}
                          for up, rate in tiers_of(rule)]}
    if kind == CommissionKind.BASE_EXCESS:
        return {"base_amount": str(_dec(_get(rule, "base_amount"))), "threshold": str(_dec(_get(rule, "threshold"))),
                "excess_rate_pct": str(_dec(_get(rule, "excess_rate_pct")))}
    if kind == CommissionKind.STAGED:
        return {"rate_pct": str(_dec(_get(rule, "rate_pct"))),
                "stages": {stage: str(pct) for stage, pct in stages_of(rule).items()}}
    return {}


def rule_snapshot(rule) -> dict:
    """What an accrual stores as `rule_snapshot`: kind, parameters and formula version."""
    return {"kind": _get(rule, "kind"), "params": rule_params(rule), "formula": FORMULA_VERSION}


def _rate_ok(value) -> bool:
    return value is not None and ZERO <= value <= HUNDRED


def rule_problems(rule) -> list[str]:
    """Everything that keeps a rule from being used, in words (empty when it is complete)."""
    kind = _get(rule, "kind")
    problems = []
    if kind in (CommissionKind.FLAT, CommissionKind.STAGED) and not _rate_ok(_dec(_get(rule, "rate_pct"))):
        problems.append(_("Enter a rate between 0 and 100 %."))
    if kind == CommissionKind.TIERED:
        tiers = tiers_of(rule)
        if not tiers:
            problems.append(_("Enter at least one tier."))
        if any(not _rate_ok(rate) for _up, rate in tiers):
            problems.append(_("Every tier needs a rate between 0 and 100 %."))
        bounds = [up for up, _rate in tiers]
        if tiers and bounds[-1] is not None:
            problems.append(_("The last tier must be open-ended (leave its upper bound empty)."))
        limited = bounds[:-1]
        if any(up is None for up in limited):
            problems.append(_("Only the last tier may be open-ended."))
        elif any(up <= 0 for up in limited) or any(b <= a for a, b in pairwise(limited)):
            problems.append(_("The tiers' upper bounds must be positive and in ascending order."))
    if kind == CommissionKind.BASE_EXCESS:
        base, threshold = _dec(_get(rule, "base_amount")), _dec(_get(rule, "threshold"))
        if base is None or base < 0:
            problems.append(_("Enter the base amount (0 or more)."))
        if threshold is None or threshold < 0:
            problems.append(_("Enter the threshold above which the excess rate applies (0 or more)."))
        if not _rate_ok(_dec(_get(rule, "excess_rate_pct"))):
            problems.append(_("Enter a rate above the threshold between 0 and 100 %."))
    if kind == CommissionKind.STAGED:
        raw = _get(rule, "stages") or {}
        if any(key not in Stage.values for key in raw):
            problems.append(_("Unknown stage in the stage shares."))
        shares = stages_of(rule)
        if any(pct is None or pct < 0 for pct in shares.values()):
            problems.append(_("Stage shares cannot be negative."))
        elif sum(shares.values(), ZERO) != HUNDRED:
            problems.append(_("The stage shares add up to %(total)s %%; they must sum to exactly 100 %%.")
                            % {"total": format(sum((p for p in shares.values() if p is not None), ZERO).normalize(), "f")})
    if kind not in CommissionKind.values:
        problems.append(_("Choose the kind of rule."))
    return problems


def describe(rule) -> str:
    """A one-line human description of the formula, for lists and the ledger."""
    kind = _get(rule, "kind")
    def money(v):
        return f"{v:,.2f}"

    def pct(v):
        return format(v.normalize(), "f")

    if kind == CommissionKind.FLAT:
        return _("%(rate)s %% of the amount") % {"rate": pct(_dec(_get(rule, "rate_pct")))}
    if kind == CommissionKind.TIERED:
        parts = []
        for up, rate in tiers_of(rule):
            if up is None:
                parts.append(_("%(rate)s %% above") % {"rate": pct(rate)})
            else:
                parts.append(_("%(rate)s %% up to %(limit)s") % {"rate": pct(rate), "limit": money(up)})
        return "; ".join(parts)
    if kind == CommissionKind.BASE_EXCESS:
        return _("%(base)s plus %(rate)s %% of the part above %(threshold)s") % {
            "base": money(_dec(_get(rule, "base_amount"))), "rate": pct(_dec(_get(rule, "excess_rate_pct"))),
            "threshold": money(_dec(_get(rule, "threshold")))}
    if kind == CommissionKind.STAGED:
        labels = dict(Stage.choices)
        shares = ", ".join(f"{labels[s]} {pct(p)} %" for s, p in stages_of(rule).items())
        return _("%(rate)s %% of the amount, split: %(shares)s") % {"rate": pct(_dec(_get(rule, "rate_pct"))),
                                                                     "shares": shares}
    return ""


def formula_name(version: str) -> str:
    """The formulas' edition in the reader's language: "commission-v1" → "佣金计算公式（第一版）"."""
    return str(FORMULA_NAMES.get(version, version or ""))
