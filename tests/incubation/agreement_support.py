"""Shared arrangements for the agreement (任务书) and disbursement tests."""

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from funding.enums import LedgerKind
from funding.models import LedgerEntry
from incubation.enums import BudgetCategory, MilestoneStatus
from incubation.models import Agreement, BudgetLine, Kpi, MidtermCheck, Milestone, Tranche
from incubation.services.agreement import accept_milestone
from incubation.services.projects import record_progress
from proposals.models import AuditEntry
from tests.helpers import World

AMOUNT = Decimal("200000.00")


def incubating(instrument="grant", amount=AMOUNT):
    """(world, project, draft agreement) with the default 60/30/10 schedule and two milestones."""
    world = World()
    if amount > world.call.max_request:
        world.call.max_request = amount
        world.call.save(update_fields=["max_request"])
    fund = world.call.fund
    if amount > fund.four_eyes_threshold:  # one approver is enough for these tests
        fund.four_eyes_threshold = amount
        fund.save(update_fields=["four_eyes_threshold"])
    project = world.incubating(amount=amount, instrument=instrument, requested_amount=amount)
    return world, project, Agreement.objects.get(project=project)


def signed(instrument="grant", amount=AMOUNT, **terms):
    world, project, _agreement = incubating(instrument, amount)
    agreement = world.signed(project, **terms)
    return world, project, agreement


def team(project):
    return project.proposal.applicant


def url(name, project, *args):
    return reverse(f"incubation:{name}", args=[project.pk, *args])


def formset_data(prefix, rows, *, initial=0):
    """POST data of a formset: management form plus one dict per row (values as strings)."""
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for i, row in enumerate(rows):
        for key, value in row.items():
            if value is None:
                continue
            data[f"{prefix}-{i}-{key}"] = str(value)
    return data


def budget_data(amounts: dict, notes: dict | None = None):
    """The budget formset's POST: one row per category, in the page's order."""
    notes = notes or {}
    rows = [{"category": c, "amount": amounts.get(c, ""), "note": notes.get(c, "")} for c in BudgetCategory.values]
    return formset_data("budget", rows, initial=len(rows))


def tranche_data(rows):
    """rows: (percent, gate) or (percent, gate, milestone)."""
    return formset_data("tr", [{"percent": r[0], "gate": r[1], "milestone": r[2].pk if len(r) > 2 and r[2] else ""}
                               for r in rows])


def tranche_state(agreement):
    return list(Tranche.objects.filter(agreement=agreement).order_by("order")
                .values_list("pk", "order", "percent", "amount", "gate", "milestone_id", "status"))


def budget_state(agreement):
    return list(BudgetLine.objects.filter(agreement=agreement).order_by("category").values_list("category", "amount", "note"))


def milestone_state(project):
    return list(Milestone.objects.filter(project=project).order_by("pk").values_list("pk", "title", "description", "due_date"))


def kpi_state(project):
    return list(Kpi.objects.filter(project=project).order_by("pk").values_list("pk", "name", "target", "milestone_id"))


def releases(project):
    return list(LedgerEntry.objects.filter(proposal=project.proposal, kind=LedgerKind.RELEASE)
                .values_list("amount", "reference"))


def audit_actions(project, prefix=""):
    return list(AuditEntry.objects.filter(proposal=project.proposal, action__startswith=prefix)
                .order_by("pk").values_list("action", flat=True))


def accept(world, milestone, note="交付物齐全"):
    progressed(milestone, MilestoneStatus.DONE, by=world.incubator)
    return accept_milestone(milestone=milestone, actor=world.incubator, note=note)


def progressed(milestone, status, *, by):
    """Move a milestone's progress through its door, as the manager's progress note does."""
    record_progress(project=milestone.project, author=by, note="进展", milestone=milestone, milestone_status=status)
    return milestone


def pass_midterm(world, project, outcome="continue"):
    """A mid-term check row, written directly: the lifecycle service is another helper's work."""
    return MidtermCheck.objects.create(project=project, outcome=outcome, findings="进展符合预期",
                                       decided_by=world.incubator)


def days(n):
    return timezone.localdate() + dt.timedelta(days=n)


def login(client, user, language="en"):
    """Sign in with the user's language set (refusals are then matched in that language)."""
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    return user


def messages_of(response, level="error"):
    """The messages of a rendered response at one level (earlier redirects may have left others)."""
    return [str(m) for m in response.context["messages"] if m.level_tag == level] if response.context else []
