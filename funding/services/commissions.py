"""Commission rules of a fund and payments from the technology managers' payable ledger. Accruals
are computed where the outcomes are recorded (incubation.services.commissions); the formulas are in
funding.services.commission_formulas, the balances in funding.selectors."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import IllegalTransition, InvalidInput, NotPermitted
from core.numbers import money
from funding.enums import CommissionBasis, CommissionEntryKind, CommissionKind
from funding.models import CommissionEntry, CommissionRule, Fund
from funding.selectors import commission_balance
from funding.services import commission_formulas as commission
from proposals.services.audit import record_audit

RULE_FIELDS = ("name", "kind", "basis", "rate_pct", "tiers", "base_amount", "threshold", "excess_rate_pct", "stages")


def _clean_rule_data(data: dict) -> dict:
    """Keep the parameters the kind uses; clear the others so a rule never carries stale ones."""
    kind = data.get("kind")
    cleaned = {"name": (data.get("name") or "").strip(), "kind": kind,
               "basis": data.get("basis") or CommissionBasis.BOTH,
               "rate_pct": None, "tiers": [], "base_amount": None, "threshold": None, "excess_rate_pct": None,
               "stages": {}}
    if kind in (CommissionKind.FLAT, CommissionKind.STAGED):
        cleaned["rate_pct"] = data.get("rate_pct")
    if kind == CommissionKind.TIERED:
        cleaned["tiers"] = [{"up_to": None if row.get("up_to") in (None, "") else str(row["up_to"]),
                             "rate_pct": None if row.get("rate_pct") in (None, "") else str(row["rate_pct"])}
                            for row in data.get("tiers") or []]
    if kind == CommissionKind.BASE_EXCESS:
        cleaned.update(base_amount=data.get("base_amount"), threshold=data.get("threshold"),
                       excess_rate_pct=data.get("excess_rate_pct"))
    if kind == CommissionKind.STAGED:
        cleaned["stages"] = {stage: str(pct) for stage, pct in (data.get("stages") or {}).items()
                             if pct not in (None, "")}
    return cleaned


def _check_rule(data):
    if not data["name"]:
        raise InvalidInput(_("Give the rule a name."))
    if data["basis"] not in CommissionBasis.values:
        raise InvalidInput(_("Choose what the commission is computed on."))
    problems = commission.rule_problems(data)
    if problems:
        raise InvalidInput(" ".join(problems))


def save_commission_rule(*, fund, actor, data: dict, rule: CommissionRule | None = None) -> CommissionRule:
    """Create a rule of `fund` (rule None) or change one. Accruals keep the snapshot of the rule
    as it was when they were computed, so editing a rule never changes past commissions."""
    if not actor.has_perm("funding.manage_commissions"):
        raise NotPermitted()
    cleaned = _clean_rule_data(data)
    _check_rule(cleaned)
    with transaction.atomic():
        if rule is None:
            rule = CommissionRule.objects.create(fund=fund, **cleaned)
            action, before = "commission_rule.created", None
        else:
            rule = CommissionRule.objects.select_for_update().get(pk=rule.pk, fund=fund)
            before = commission.rule_snapshot(rule)
            for field, value in cleaned.items():
                setattr(rule, field, value)
            if "active" in data:
                rule.active = bool(data["active"])
            rule.save()
            rule.refresh_from_db()
            action = "commission_rule.updated"
        record_audit(action=action, actor=actor, note=rule.name,
                     data={"fund": fund.pk, "rule": rule.pk, "before": before, "after": commission.rule_snapshot(rule),
                           "basis": rule.basis, "active": rule.active})
    return rule


def deactivate_commission_rule(*, rule, actor) -> CommissionRule:
    if not actor.has_perm("funding.manage_commissions"):
        raise NotPermitted()
    with transaction.atomic():
        rule = CommissionRule.objects.select_for_update().get(pk=rule.pk)
        if not rule.active:
            raise IllegalTransition(_("This rule is already inactive."))
        rule.active = False
        rule.save(update_fields=["active"])
        record_audit(action="commission_rule.deactivated", actor=actor, note=rule.name,
                     from_state="active", to_state="inactive", data={"fund": rule.fund_id, "rule": rule.pk})
    return rule


def record_commission_payment(*, manager, fund, amount: Decimal, reference: str, actor,
                              key: str | None = None) -> tuple[CommissionEntry, bool]:
    """Pay a technology manager part or all of their payable balance in one fund.

    Returns (entry, created); a second call with the same `key` (a double click) returns the first
    payment. The fund row is locked while the balance is checked, so two payments cannot both
    spend the same balance."""
    if not actor.has_perm("funding.pay_commission"):
        raise NotPermitted()
    amount = Decimal(amount)
    if not (reference or "").strip():
        raise InvalidInput(_("Enter the payment reference (for example the bank voucher number)."))
    with transaction.atomic():
        Fund.objects.select_for_update().get(pk=fund.pk)
        if key:
            existing = CommissionEntry.objects.filter(idempotency_key=key).first()
            if existing is not None:
                return existing, False
        payable = commission_balance(manager=manager, fund=fund)["payable"]
        if amount <= 0 or amount > payable:
            raise InvalidInput(
                _("%(manager)s has %(payable)s %(currency)s payable from this fund; %(amount)s cannot be paid.")
                % {"manager": manager.display_name, "payable": money(payable), "currency": fund.currency,
                   "amount": money(amount)})
        entry = CommissionEntry.objects.create(kind=CommissionEntryKind.PAYMENT, manager=manager, fund=fund,
                                               amount=amount, reference=reference.strip()[:100],
                                               idempotency_key=key or None, actor=actor)
        record_audit(action="commission.paid", actor=actor, note=entry.reference,
                     data={"entry": entry.pk, "manager": manager.pk, "fund": fund.pk, "amount": str(amount),
                           "payable_before": str(payable)})
    return entry, True
