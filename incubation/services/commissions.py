"""Technology managers (技术经理人): assignments to projects, commission rules, accruals and payments.

Which rule applies: a fund has at most one rule in use per source. For a technology contract
the rule is the fund's ACTIVE rule whose basis is "contracts" or "both"; for a financing round,
"financing" or "both". If several active rules match, the most recently created one applies
(fund managers deactivate the old rule when they introduce a new one; the ledger keeps the
snapshot of the rule actually used).

How the commission is shared (formulas in funding.services.commission_formulas):
- non-staged rules (flat, tiered, base plus excess): the commission is split equally among the
  distinct technology managers assigned to the project (whatever their stage), the cent remainder
  to the first assigned; the entry's stage is left empty;
- staged rules: each stage's share is split equally among the managers assigned for that stage;
  a stage with nobody assigned accrues nothing (its share is not paid to anyone);
- no manager assigned: nothing accrues.
Each accrual is keyed `{source}:{source id}:{rule}:{manager}:{stage}`, so recording or
re-processing the same contract or round never accrues twice. Removing an assignment leaves the
entries already accrued in place.

The fund (its rules, and the ledger rows) is the fund of the project's call, which holds the commitment.
"""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.rules import is_technology_manager
from core.errors import IllegalTransition, InvalidInput, NotPermitted
from funding.enums import CommissionBasis, CommissionEntryKind, CommissionKind, CommissionSource, Stage
from funding.models import CommissionEntry, CommissionRule
from funding.selectors import commission_balance, ledger_entries, ledger_rows  # noqa: F401  (re-exported)
from funding.services import commission_formulas as commission
from funding.services.commissions import (  # noqa: F401  (re-exported: the fund-level half lives in funding)
    deactivate_commission_rule,
    record_commission_payment,
    save_commission_rule,
)
from incubation.enums import ProjectStatus
from incubation.models import TechManagerAssignment
from proposals.services.audit import record_audit

BASES_FOR_SOURCE = {
    CommissionSource.CONTRACT: (CommissionBasis.CONTRACTS, CommissionBasis.BOTH),
    CommissionSource.FINANCING: (CommissionBasis.FINANCING, CommissionBasis.BOTH),
}


# assignments


def assign_tech_manager(*, project, manager, stage: str, actor) -> TechManagerAssignment:
    """Assign a user with the technology manager role to the project for one stage (audited)."""
    if not actor.has_perm("incubation.assign_tech_manager", project):
        raise NotPermitted()
    if project.status == ProjectStatus.TERMINATED:
        raise IllegalTransition(_("The project was terminated; technology managers can no longer be assigned."))
    if stage not in Stage.values:
        raise InvalidInput(_("Choose the stage."))
    if manager is None or not is_technology_manager(manager):
        raise InvalidInput(_("Only users with the technology manager (技术经理人) role can be assigned."))
    with transaction.atomic():
        if TechManagerAssignment.objects.filter(project=project, manager=manager, stage=stage).exists():
            raise InvalidInput(_("%(manager)s is already assigned to this project for this stage.")
                               % {"manager": manager.display_name})
        try:
            with transaction.atomic():
                assignment = TechManagerAssignment.objects.create(project=project, manager=manager, stage=stage,
                                                                  assigned_by=actor)
        except IntegrityError as exc:  # the same assignment made at the same moment
            raise InvalidInput(_("%(manager)s is already assigned to this project for this stage.")
                               % {"manager": manager.display_name}) from exc
        record_audit(action="tech_manager.assigned", proposal=project.proposal, actor=actor,
                     data={"assignment": assignment.pk, "manager": manager.pk, "stage": stage})
    return assignment


def remove_tech_manager(*, assignment, actor) -> None:
    """End an assignment (audited). Commission entries already accrued stay in the ledger."""
    project = assignment.project
    if not actor.has_perm("incubation.assign_tech_manager", project):
        raise NotPermitted()
    with transaction.atomic():
        data = {"assignment": assignment.pk, "manager": assignment.manager_id, "stage": assignment.stage}
        deleted, _rows = TechManagerAssignment.objects.filter(pk=assignment.pk).delete()
        if not deleted:
            raise IllegalTransition(_("This assignment was already removed."))
        record_audit(action="tech_manager.removed", proposal=project.proposal, actor=actor, data=data)


# rules (configured per fund by fund managers)

def rule_in_use(*, fund_id, source: str) -> CommissionRule | None:
    """The fund's active rule for this source: basis matching, the most recently created one."""
    return (CommissionRule.objects.filter(fund_id=fund_id, active=True, basis__in=BASES_FOR_SOURCE[source])
            .order_by("-created_at", "-pk").first())


# accruals


def _shares(*, rule, total, assignments) -> list[tuple[int, str, Decimal]]:
    """(manager id, stage, amount) for each manager who earns part of `total`."""
    result = []
    if rule.kind == CommissionKind.STAGED:
        for stage, stage_total in commission.stage_shares(rule, total).items():
            managers = list(dict.fromkeys(a.manager_id for a in assignments if a.stage == stage))
            for manager_id, amount in zip(managers, commission.split_equally(stage_total, len(managers))):
                result.append((manager_id, stage, amount))
    else:
        managers = list(dict.fromkeys(a.manager_id for a in assignments))
        for manager_id, amount in zip(managers, commission.split_equally(total, len(managers))):
            result.append((manager_id, "", amount))
    return result


def accrue_commissions(*, project, source: str, source_id: int, basis_amount: Decimal, actor) -> list[CommissionEntry]:
    """Write the commission accruals for a recorded contract or financing round (see the module
    docstring). Returns the entries written now; call it again for the same source and nothing
    more is written. Call it inside the transaction that records the source."""
    proposal = project.proposal
    fund_id = proposal.call.fund_id
    if fund_id is None:
        return []
    rule = rule_in_use(fund_id=fund_id, source=source)
    if rule is None:
        return []
    assignments = list(TechManagerAssignment.objects.filter(project=project).order_by("assigned_at", "pk"))
    if not assignments:
        return []
    total = commission.commission_for(rule, basis_amount)
    snapshot = {**commission.rule_snapshot(rule), "rule": rule.pk, "name": rule.name, "basis": rule.basis,
                "commission": str(total)}
    rows = [(manager_id, stage, amount,
             f"{source}:{source_id}:{rule.pk}:{manager_id}:{stage}")
            for manager_id, stage, amount in _shares(rule=rule, total=total, assignments=assignments) if amount > 0]
    existing = set(CommissionEntry.objects.filter(idempotency_key__in=[key for *_rest, key in rows])
                   .values_list("idempotency_key", flat=True))
    written = []
    for manager_id, stage, amount, key in rows:
        if key in existing:
            continue
        written.append(CommissionEntry.objects.create(
            kind=CommissionEntryKind.ACCRUAL, manager_id=manager_id, fund_id=fund_id, proposal=proposal, rule=rule,
            rule_snapshot=snapshot, source=source, source_id=source_id, stage=stage, basis_amount=basis_amount,
            amount=amount, idempotency_key=key, actor=actor))
    if written:
        record_audit(action="commission.accrued", proposal=proposal, actor=actor,
                     data={"source": source, "source_id": source_id, "rule": rule.pk, "basis": str(basis_amount),
                           "commission": str(total),
                           "entries": [{"entry": e.pk, "manager": e.manager_id, "stage": e.stage,
                                        "amount": str(e.amount)} for e in written]})
    return written


# payments and balances
