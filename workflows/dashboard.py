"""The home page's "what waits for me" (工作台): for each role the viewer holds, counts of what waits with the
nearest deadline and a link to where it is done, before the lists. One aggregate query per figure, whatever
the number of items; a figure is shown only to a viewer who may open the page it links to (the same
permissions the pages' views check)."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Delivery
from funding.enums import ApprovalDecision
from funding.models import FundingApproval
from funding.selectors import ledger_rows
from incubation.enums import TO_WRITE, MilestoneStatus, ProjectStatus, ReportStatus
from incubation.models import Milestone, ProgressReport, TechManagerAssignment
from incubation.selectors.agreement import gate_status, tranche_queue
from proposals.enums import ProposalStatus as S
from proposals.models import Proposal
from reviews.enums import OPEN_REVIEW_STATES
from reviews.models import Review

DECIDED = (S.APPROVED, S.FUNDED, S.REJECTED, S.FUNDING_DECLINED, S.INELIGIBLE, S.RESUBMIT_INVITED)
MILESTONE_HORIZON_DAYS = 30


@dataclass
class Tile:
    label: str
    count: int
    url: str
    detail: str = ""
    urgent: bool = False  # something is overdue
    money: bool = False  # the count is an amount


def _due(moment) -> str:
    if moment is None:
        return ""
    return str(_("next due %(date)s") % {"date": timezone.localtime(moment).strftime("%Y-%m-%d")})


def _researcher(user) -> list[Tile]:
    counts = Counter(dict(Proposal.objects.filter(applicant=user).order_by().values_list("status")
                          .annotate(n=Count("pk")).values_list("status", "n")))
    mine = reverse("proposals:mine")
    return [
        Tile(_("Drafts to finish"), counts[S.DRAFT], mine),
        Tile(_("Returned to you for revision"), counts[S.RETURNED], mine, urgent=bool(counts[S.RETURNED])),
        Tile(_("Decisions received"), sum(counts[s] for s in DECIDED), mine),
    ]


def _expert(reviews) -> list[Tile]:
    now = timezone.now()
    waiting = [r for r in reviews if r.status in OPEN_REVIEW_STATES]
    overdue = [r for r in waiting if r.deadline and r.deadline < now]
    upcoming = min((r.deadline for r in waiting if r.deadline), default=None)
    detail = str(_("%(n)s overdue") % {"n": len(overdue)}) if overdue else _due(upcoming)
    return [Tile(_("Reviews to score"), len(waiting), reverse("reviews:mine"), detail, urgent=bool(overdue))]


def _tasks(inbox, queue) -> list[Tile]:
    """My tasks and the unclaimed ones of my role, by kind (screening, assignment, panel, funding …)."""
    tiles: dict[str, Tile] = {}
    for anchor, tasks in (("#my-tasks", inbox), ("#queue", queue)):
        for task in tasks:
            label = str(task.flow_task.task_title)
            tile = tiles.setdefault(label, Tile(label, 0, task.url if anchor == "#my-tasks" else anchor))
            tile.count += 1
            if tile.count > 1:
                tile.url = anchor
    return list(tiles.values())


def _chair() -> list[Tile]:
    waiting = Proposal.objects.filter(status=S.PANEL, panel_recommendations__isnull=True).count()
    return [Tile(_("Proposals waiting for the panel's recommendation"), waiting, reverse("panel:calls"))]


def _fund_manager(user) -> list[Tile]:
    second = (FundingApproval.objects.filter(decision=ApprovalDecision.APPROVE, confirms__isnull=True,
                                             answers__isnull=True, proposal__status=S.FUNDING)
              .exclude(approver=user).count())
    return [Tile(_("First approvals waiting for you as second approver"), second, "#queue", urgent=bool(second))]


def _disbursements() -> list[Tile]:
    ready = sum(1 for tranche in tranche_queue() if gate_status(tranche)[0])
    return [Tile(_("Tranches ready to release"), ready, reverse("incubation:disbursements"))]


def _incubation(today) -> list[Tile]:
    reports = ProgressReport.objects.order_by().aggregate(
        submitted=Count("pk", filter=Q(status=ReportStatus.SUBMITTED)),
        overdue=Count("pk", filter=Q(status__in=TO_WRITE, due_on__lt=today)))
    horizon = today + dt.timedelta(days=MILESTONE_HORIZON_DAYS)
    milestones = Milestone.objects.filter(
        due_date__lte=horizon, status__in=(MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS),
        project__status__in=(ProjectStatus.ACTIVE, ProjectStatus.RECTIFICATION)).aggregate(
        n=Count("pk"), first=Min("due_date"))
    report_url = reverse("incubation:reports")
    return [
        Tile(_("Progress reports to review"), reports["submitted"], f"{report_url}?status={ReportStatus.SUBMITTED}",
             str(_("%(n)s overdue from teams") % {"n": reports["overdue"]}) if reports["overdue"] else ""),
        Tile(_("Milestones due within 30 days"), milestones["n"], reverse("incubation:projects"),
             str(_("next due %(date)s") % {"date": milestones["first"].isoformat()}) if milestones["first"] else ""),
    ]


def _tech_manager(user) -> list[Tile]:
    projects = TechManagerAssignment.objects.filter(manager=user).values("project").distinct().count()
    payable = sum((row["payable"] for row in ledger_rows(manager=user)), start=0)
    home = reverse("incubation:tech_home")
    return [Tile(_("Projects you accompany"), projects, home),
            Tile(_("Commission payable to you"), payable, home, money=True)]


def _officer(user) -> list[Tile]:
    tiles = []
    if user.has_perm("reviews.assign_experts"):
        overdue = Review.objects.filter(status__in=OPEN_REVIEW_STATES, deadline__lt=timezone.now()).count()
        tiles.append(Tile(_("Expert reviews past their deadline"), overdue, reverse("assignment:calls"),
                          urgent=bool(overdue)))
    if user.has_perm("workflows.manage_deliveries"):
        failed = Delivery.objects.given_up().count()
        tiles.append(Tile(_("Letters and mails given up"), failed, f"{reverse('workflows:deliveries')}?show=failed",
                          urgent=bool(failed)))
    return tiles


def tiles_for(user, *, inbox, queue, my_reviews=None) -> list[Tile]:
    """What waits for `user`, role by role (a user with several roles sees each)."""
    tiles = _tasks(inbox, queue)
    if user.has_perm("proposals.create_proposal"):
        tiles += _researcher(user)
    if my_reviews is not None:
        tiles += _expert(my_reviews)
    if user.has_perm("reviews.chair_panel"):
        tiles += _chair()
    if user.has_perm("proposals.approve_funding"):
        tiles += _fund_manager(user)
    if user.has_perm("incubation.release_tranche"):
        tiles += _disbursements()
    if user.has_perm("incubation.manage_project"):
        tiles += _incubation(timezone.localdate())
    if user.has_perm("incubation.tech_manager_home"):
        tiles += _tech_manager(user)
    tiles += _officer(user)
    return tiles
