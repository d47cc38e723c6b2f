"""Reads for incubation: querysets already shaped for the pages that show them."""

from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Prefetch, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from funding.enums import LedgerKind
from funding.models import LedgerEntry

from incubation.enums import MilestoneStatus
from incubation.models import Milestone, ProgressNote, Project

# Milestones still ahead of the team; done and missed ones are not "due" any more.
OPEN_MILESTONE_STATES = (MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS)


def projects_overview():
    """All projects with proposal, manager and agreement, the amount paid so far (`paid`, from
    the ledger's releases) and their open milestones (soonest first) prefetched into
    `open_milestones`: the first one is the next due, at no extra query."""
    open_milestones = Milestone.objects.filter(status__in=OPEN_MILESTONE_STATES).order_by("due_date", "pk")
    money = DecimalField(max_digits=16, decimal_places=2)
    paid = (LedgerEntry.objects.filter(proposal=OuterRef("proposal"), kind=LedgerKind.RELEASE).order_by()
            .values("proposal").annotate(total=Sum("amount")).values("total"))
    return (
        Project.objects.select_related("proposal", "manager", "agreement")
        .annotate(paid=Coalesce(Subquery(paid, output_field=money), Value(Decimal("0.00"), output_field=money)))
        .prefetch_related(Prefetch("milestones", queryset=open_milestones, to_attr="open_milestones"))
        .order_by("-started_at", "-pk")
    )


def project_with_details():
    return Project.objects.select_related("proposal", "proposal__call", "manager")


def milestones_of(*, project):
    return Milestone.objects.filter(project=project).order_by("due_date", "pk")


def progress_of(*, project):
    return ProgressNote.objects.filter(project=project).select_related("author", "milestone").order_by("-created_at", "-pk")
