"""Every state machine of pocflow has one door (issue #9: "one door per state machine").

1. Every status field of every project app (a field named `status` or `state`, or any FSMField)
   is a django-fsm FSMField with protected=True, so nothing can assign it outside a transition.
2. Each incubation transition, taken through its door (incubation.services.transitions), changes
   the state, leaves one audit row (action, actor, from, to) and refuses an actor without the right.
3. No module outside the doors (and migrations) assigns a status or updates one with a queryset.

4. No admin page edits a status.

The reviews machines' transitions are driven through their doors in tests/reviews/test_doors.py.
"""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.utils import timezone
from django_fsm import FSMFieldMixin

from accounts.enums import Role
from core.errors import IllegalTransition, NotPermitted
from funding.services import ledger as funding_services
from incubation.enums import (
    AgreementStatus,
    ChangeKind,
    ChangeStatus,
    MilestoneStatus,
    PatentKind,
    PatentStatus,
    ProjectStatus,
    ReportStatus,
    TrancheStatus,
)
from incubation.models import Agreement, BudgetLine, ChangeRequest, Milestone, Patent, ProgressReport, Project, Tranche
from incubation.services import transitions as doors
from incubation.signals import agreement_issued, tranche_released
from proposals.models import AuditEntry
from tests.factories import UserFactory
from tests.helpers import World

# The doors: the only modules that may change a status.
DOOR_MODULES = {
    "proposals/services/audit.py",
    "proposals/services/transition.py",
    "incubation/services/transitions.py",
    "reviews/services/states.py",
}
ROOT = Path(settings.BASE_DIR)


def project_apps():
    """The app configs whose code lives in this repository (not viewflow, not Django's)."""
    return [config for config in apps.get_app_configs()
            if Path(config.path).resolve().is_relative_to(ROOT.resolve())
            and ".venv" not in Path(config.path).parts and "site-packages" not in config.path]


def status_fields():
    labels = {config.label for config in project_apps()}
    found = []
    for config in project_apps():
        for model in config.get_models():
            for field in model._meta.concrete_fields:
                if field.model._meta.app_label not in labels:  # inherited from a third-party model (viewflow)
                    continue
                if field.name in ("status", "state") or isinstance(field, FSMFieldMixin):
                    found.append(pytest.param(field, id=f"{model._meta.label}.{field.name}"))
    return found


def test_the_registry_finds_the_known_machines():
    ids = {param.id for param in status_fields()}
    assert {"proposals.Proposal.status", "incubation.Project.status", "incubation.Agreement.status",
            "incubation.Milestone.status", "incubation.Tranche.status", "incubation.ProgressReport.status",
            "incubation.ChangeRequest.status", "incubation.Patent.status", "reviews.Review.status",
            "reviews.AssignmentRun.status", "reviews.PublicNotice.status", "reviews.Objection.status"} <= ids


@pytest.mark.parametrize("field", status_fields())
def test_every_status_field_is_a_protected_fsm_field(field):
    assert (isinstance(field, FSMFieldMixin), getattr(field, "protected", False)) == (True, True)


# ---------------------------------------------------------------------------------------------
# No hand-written status change outside the doors

WRITES = re.compile(
    r"\.(?:status|state)\s*=(?!=)"                         # obj.status = …
    r"|\.update\((?:[^()]|\([^()]*\))*\b(?:status|state)\s*="        # queryset.update(…, status=…)
    r"|bulk_update\((?:[^()]|\([^()]*\))*[\"'](?:status|state)[\"']"  # bulk_update(objs, ["status"])
    r"|setattr\([^,]+,\s*[\"'](?:status|state)[\"']"       # setattr(obj, "status", …)
)


def status_writes():
    """{module path: [line, …]} of status writes in the project's apps, doors and migrations left out."""
    hits = {}
    for config in project_apps():
        for path in sorted(Path(config.path).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative in DOOR_MODULES:
                continue
            text = path.read_text(encoding="utf-8")
            lines = [text.count("\n", 0, match.start()) + 1 for match in WRITES.finditer(text)]
            if lines:
                hits[relative] = lines
    return hits


def test_no_status_is_changed_outside_a_door():
    assert status_writes() == {}


def test_the_scan_sees_a_hand_written_status_change():
    assert [bool(WRITES.search(line)) for line in (
        "report.status = ReportStatus.ACCEPTED", "Tranche.objects.filter(pk=1).update(status='released')",
        "qs.update(n=F('n') + 1,\n          status='released')",
        "if report.status == ReportStatus.ACCEPTED:", "Tranche.objects.filter(status=TrancheStatus.PLANNED)",
        "qs.update(n=F('n') + 1).filter(status='x')",
    )] == [True, True, True, False, False, False]


# ---------------------------------------------------------------------------------------------
# The incubation machines, driven through their doors

# Every transition of every incubation machine; a new transition must be driven below.
DRIVEN = {
    Project: {"graduate", "terminate", "require_rectification"},
    Milestone: {"record_progress", "accept"},
    Agreement: {"issue", "reopen", "sign"},
    Tranche: {"release", "cancel"},
    ProgressReport: {"submit", "accept", "return_for_revision"},
    ChangeRequest: {"approve", "refuse", "withdraw"},
    Patent: {"grant"},
}


def test_every_incubation_machine_is_driven_here():
    machines = {model for model in apps.get_app_config("incubation").get_models()
                if any(isinstance(f, FSMFieldMixin) for f in model._meta.concrete_fields)}
    transitions = {model: {t.name for t in model._meta.get_field("status").get_all_transitions(model)}
                   for model in machines}
    assert transitions == DRIVEN


def last_audit(proposal):
    row = AuditEntry.objects.filter(proposal=proposal).order_by("-pk").first()
    return row.action, row.actor, row.from_state, row.to_state


@pytest.fixture
def world(db):
    return World(experts=1)


@pytest.fixture
def project(world):
    return world.incubating(amount=Decimal("200000.00"))


def signals_of(signal):
    received = []

    def receiver(sender, **kwargs):
        received.append((sender, kwargs.get("from_state"), kwargs.get("to_state")))

    signal.connect(receiver, weak=False)
    return received, lambda: signal.disconnect(receiver)


@pytest.mark.parametrize("transition, kwargs, target", [
    ("graduate", {}, ProjectStatus.GRADUATED),
    ("terminate", {}, ProjectStatus.TERMINATED),
    ("require_rectification", {"due": dt.date(2030, 1, 1)}, ProjectStatus.RECTIFICATION),
])
def test_project_door(world, project, transition, kwargs, target):
    with pytest.raises(NotPermitted):
        doors.transition_project(project=project, transition=transition, actor=world.fund_manager,
                                 action=f"test.{transition}", transition_kwargs=kwargs)

    doors.transition_project(project=project, transition=transition, actor=world.incubator,
                             action=f"test.{transition}", transition_kwargs=kwargs)

    project.refresh_from_db()
    assert (project.status, last_audit(project.proposal)) == (
        target, (f"test.{transition}", world.incubator, ProjectStatus.ACTIVE, target))


def test_a_closed_project_cannot_move(world, project):
    doors.transition_project(project=project, transition="terminate", actor=world.incubator, action="test.terminate")

    with pytest.raises(IllegalTransition, match="closed"):
        doors.transition_project(project=project, transition="graduate", actor=world.incubator,
                                 action="test.graduate", illegal="The project is closed.")
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.TERMINATED


def test_milestone_door(world, project):
    milestone = Milestone.objects.filter(project=project).first()
    with pytest.raises(NotPermitted):
        doors.transition_milestone(milestone=milestone, transition="record_progress", actor=world.fund_manager,
                                   action="test.progress", transition_kwargs={"status": MilestoneStatus.DONE})

    doors.transition_milestone(milestone=milestone, transition="record_progress", actor=world.incubator,
                               action="test.progress", transition_kwargs={"status": MilestoneStatus.DONE})
    progressed = last_audit(project.proposal)
    doors.transition_milestone(milestone=milestone, transition="accept", actor=world.incubator,
                               action="test.accept", transition_kwargs={"by": world.incubator})

    milestone.refresh_from_db()
    assert (progressed, last_audit(project.proposal), milestone.status, milestone.accepted_by) == (
        ("test.progress", world.incubator, MilestoneStatus.PLANNED, MilestoneStatus.DONE),
        ("test.accept", world.incubator, MilestoneStatus.DONE, MilestoneStatus.ACCEPTED),
        MilestoneStatus.ACCEPTED, world.incubator)
    with pytest.raises(IllegalTransition):
        doors.transition_milestone(milestone=milestone, transition="record_progress", actor=world.incubator,
                                   action="test.progress", transition_kwargs={"status": MilestoneStatus.MISSED})


def test_agreement_door(world, project):
    agreement = Agreement.objects.get(project=project)
    team = project.proposal.applicant
    received, disconnect = signals_of(agreement_issued)
    trail = []
    try:
        with pytest.raises(NotPermitted):
            doors.transition_agreement(agreement=agreement, transition="issue", actor=team, action="test.issue",
                                       transition_kwargs={"by": team})
        for transition, actor, kwargs in [("issue", world.incubator, {"by": world.incubator}),
                                          ("reopen", world.incubator, {}),
                                          ("issue", world.incubator, {"by": world.incubator}),
                                          ("sign", team, {})]:
            doors.transition_agreement(agreement=agreement, transition=transition, actor=actor,
                                       action=f"test.{transition}", transition_kwargs=kwargs)
            trail.append(last_audit(project.proposal))
    finally:
        disconnect()

    assert trail == [("test.issue", world.incubator, AgreementStatus.DRAFT, AgreementStatus.ISSUED),
                     ("test.reopen", world.incubator, AgreementStatus.ISSUED, AgreementStatus.DRAFT),
                     ("test.issue", world.incubator, AgreementStatus.DRAFT, AgreementStatus.ISSUED),
                     ("test.sign", team, AgreementStatus.ISSUED, AgreementStatus.SIGNED)]
    assert received == [(Agreement, AgreementStatus.DRAFT, AgreementStatus.ISSUED)] * 2
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.SIGNED


def test_tranche_doors(world, project):
    agreement = world.signed(project)
    first, *rest = Tranche.objects.filter(agreement=agreement).order_by("order")
    entry, _created = funding_services.record_release(proposal=project.proposal, amount=first.amount,
                                                      actor=world.fund_manager, reference="BANK-1", key="test:1")
    received, disconnect = signals_of(tranche_released)
    try:
        with pytest.raises(NotPermitted):
            doors.transition_tranche(tranche=first, transition="release", actor=world.incubator,
                                     action="test.release", proposal=project.proposal,
                                     transition_kwargs={"by": world.incubator, "entry": entry})
        doors.transition_tranche(tranche=first, transition="release", actor=world.fund_manager,
                                 action="test.release", proposal=project.proposal,
                                 transition_kwargs={"by": world.fund_manager, "entry": entry})
    finally:
        disconnect()
    released = last_audit(project.proposal)

    doors.cancel_tranches(tranches=rest, actor=world.incubator, proposal=project.proposal, reason="stopped",
                          data={"cancelled_tranches": [t.pk for t in rest]})

    assert (released, received) == (
        ("test.release", world.fund_manager, TrancheStatus.PLANNED, TrancheStatus.RELEASED),
        [(Tranche, TrancheStatus.PLANNED, TrancheStatus.RELEASED)])
    assert last_audit(project.proposal) == ("project.unpaid_returned", world.incubator, "", "")
    assert list(Tranche.objects.filter(agreement=agreement).order_by("order").values_list("status", "ledger_entry")) == [
        (TrancheStatus.RELEASED, entry.pk), (TrancheStatus.CANCELLED, None), (TrancheStatus.CANCELLED, None)]
    with pytest.raises(IllegalTransition):
        doors.cancel_tranches(tranches=[first], actor=world.incubator, proposal=project.proposal, reason="again",
                              data={})


def test_report_door(world, project):
    world.signed(project)
    team = project.proposal.applicant
    today = timezone.localdate()
    report = ProgressReport.objects.create(project=project, period_start=today, period_end=today, due_on=today)
    trail = []
    with pytest.raises(NotPermitted):
        doors.transition_report(report=report, transition="submit", actor=world.incubator, action="test.submit",
                                transition_kwargs={"by": world.incubator})
    for transition, actor, kwargs in [("submit", team, {"by": team}),
                                      ("return_for_revision", world.incubator, {"by": world.incubator, "note": "more"}),
                                      ("submit", team, {"by": team}),
                                      ("accept", world.incubator, {"by": world.incubator, "note": ""})]:
        if transition == "accept":
            with pytest.raises(NotPermitted):  # the team does not review its own report
                doors.transition_report(report=report, transition="accept", actor=team, action="test.accept",
                                        transition_kwargs={"by": team, "note": ""})
        doors.transition_report(report=report, transition=transition, actor=actor, action=f"test.{transition}",
                                transition_kwargs=kwargs)
        trail.append(last_audit(project.proposal))

    assert trail == [("test.submit", team, ReportStatus.REQUESTED, ReportStatus.SUBMITTED),
                     ("test.return_for_revision", world.incubator, ReportStatus.SUBMITTED, ReportStatus.RETURNED),
                     ("test.submit", team, ReportStatus.RETURNED, ReportStatus.SUBMITTED),
                     ("test.accept", world.incubator, ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)]


@pytest.mark.parametrize("transition, decider, target", [
    ("approve", "other_incubator", ChangeStatus.APPROVED),
    ("refuse", "other_incubator", ChangeStatus.REFUSED),
    ("withdraw", "incubator", ChangeStatus.WITHDRAWN),
])
def test_change_request_door(world, project, transition, decider, target):
    world.other_incubator = UserFactory(role=Role.INCUBATION_MANAGER)
    agreement = Agreement.objects.get(project=project)
    BudgetLine.objects.get_or_create(agreement=agreement, category="equipment", defaults={"amount": agreement.amount})
    change = ChangeRequest.objects.create(project=project, kind=ChangeKind.EXTENSION, reason="late",
                                          new_end_date=dt.date(2031, 1, 1), requested_by=world.incubator)
    wrong = world.incubator if transition != "withdraw" else world.other_incubator  # four eyes / only the author
    kwargs = {} if transition == "withdraw" else {"by": getattr(world, decider), "note": "ok"}
    with pytest.raises(NotPermitted):
        doors.transition_change(change=change, transition=transition, actor=wrong, action=f"test.{transition}",
                                proposal=project.proposal,
                                transition_kwargs={} if transition == "withdraw" else {"by": wrong, "note": "ok"})

    doors.transition_change(change=change, transition=transition, actor=getattr(world, decider),
                            action=f"test.{transition}", proposal=project.proposal, transition_kwargs=kwargs)

    assert (ChangeRequest.objects.get(pk=change.pk).status, last_audit(project.proposal)) == (
        target, (f"test.{transition}", getattr(world, decider), ChangeStatus.PENDING, target))


def test_patent_door(world, project):
    patent = Patent.objects.create(project=project, title="钙钛矿", kind=PatentKind.INVENTION, number="CN1",
                                   filed_on=dt.date(2025, 1, 1), recorded_by=world.incubator)
    with pytest.raises(NotPermitted):
        doors.transition_patent(patent=patent, transition="grant", actor=world.fund_manager, action="test.grant",
                                transition_kwargs={"on": dt.date(2026, 1, 1)})

    doors.transition_patent(patent=patent, transition="grant", actor=world.incubator, action="test.grant",
                            transition_kwargs={"on": dt.date(2026, 1, 1)})

    patent.refresh_from_db()
    assert (patent.status, patent.granted_on, last_audit(project.proposal)) == (
        PatentStatus.GRANTED, dt.date(2026, 1, 1),
        ("test.grant", world.incubator, PatentStatus.FILED, PatentStatus.GRANTED))


def test_a_protected_status_cannot_be_assigned(project):
    with pytest.raises(AttributeError):
        project.status = ProjectStatus.GRADUATED


# ---------------------------------------------------------------------------------------------
# The admin shows statuses but never edits them

def admin_pages():
    labels = {config.label for config in project_apps()}
    pages = []
    for model, model_admin in admin.site._registry.items():
        for page in [model_admin, *(inline(model, admin.site) for inline in model_admin.inlines)]:
            shown = page.model
            if any(f.name == "status" and f.model._meta.app_label in labels for f in shown._meta.concrete_fields):
                pages.append(pytest.param(page, id=f"{type(page).__name__}:{shown._meta.label}"))
    return pages


@pytest.mark.parametrize("page", admin_pages())
def test_the_admin_never_edits_a_status(rf, admin_user, page):
    http = rf.get("/admin/")
    http.user = admin_user

    editable = (page.has_change_permission(http) and "status" in page.get_fields(http)
                and "status" not in page.get_readonly_fields(http))
    assert editable is False
