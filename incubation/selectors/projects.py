"""Reads for incubation: querysets already shaped for the pages that show them."""

from django.db.models import Prefetch

from funding.selectors import paid_to
from incubation.enums import MilestoneStatus
from incubation.models import Milestone, ProgressNote, Project

# Milestones still ahead of the team; done and missed ones are not "due" any more.
OPEN_MILESTONE_STATES = (MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS)


def projects_overview():
    """All projects with proposal, manager and agreement, the amount paid so far (`paid`, from
    the ledger's releases) and their open milestones (soonest first) prefetched into
    `open_milestones`: the first one is the next due, at no extra query."""
    open_milestones = Milestone.objects.filter(status__in=OPEN_MILESTONE_STATES).order_by("due_date", "pk")
    return (
        Project.objects.select_related("proposal", "manager", "agreement")
        .annotate(paid=paid_to("proposal"))
        .prefetch_related(Prefetch("milestones", queryset=open_milestones, to_attr="open_milestones"))
        .order_by("-started_at", "-pk")
    )


def project_with_details():
    return Project.objects.select_related("proposal", "proposal__call", "manager")


def milestones_of(*, project):
    return Milestone.objects.filter(project=project).order_by("due_date", "pk")


def progress_of(*, project):
    return ProgressNote.objects.filter(project=project).select_related("author", "milestone").order_by("-created_at", "-pk")
