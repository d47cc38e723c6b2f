"""The team writes and submits its quarterly report; the incubation manager accepts or returns it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.enums import Role
from accounts.roles import grant_role
from core.errors import InvalidInput, NotPermitted
from incubation.enums import ReportStatus
from incubation.models import ProgressReport
from incubation.services import reports
from proposals.models import AuditEntry
from tests.factories import UserFactory
from tests.forms.samples import PDF, upload
from tests.incubation.lifecycle_support import LifecycleWorld, audit_rows, client_for, team_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

WORLD = LifecycleWorld
D = dt.date
# session, user, the user's groups, the user's and the groups' model permissions (the page shell),
# the reports with project, proposal and manager
REPORTS_LIST_QUERIES = 5  # session, user, roles, count, rows (the menu asks the named predicates, no query)


SIGNED = D(2026, 2, 10)
FIRST_QUARTER_ENDED = D(2026, 4, 1)


def requested_report(world):
    """A report for 10 Feb – 31 Mar 2026, due on 15 Apr 2026 (long past: submitting it now is late)."""
    project = world.signed_project(signed_on=SIGNED)
    reports.request_due_reports(today=FIRST_QUARTER_ENDED)
    return ProgressReport.objects.get(project=project)


@pytest.fixture
def report(world):
    return requested_report(world)


def written(**overrides):
    data = {"report-summary": "样机完成第一轮测试", "report-problems": "供应链延迟", "report-next_steps": "中试放大",
            "report-spent": "35000.00"}
    data.update(overrides)
    return data


def post_report(client, report, data, *, submit=True, files=None):
    data = {**data, ("submit" if submit else "save"): "1", **(files or {})}
    return client.post(reverse("incubation:report_save", args=[report.pk]), data)


# the team's side

def test_team_saves_a_draft_without_submitting(world, report):
    client = client_for(team_of(report.project))

    response = post_report(client, report, written(**{"report-problems": "", "report-spent": ""}), submit=False)

    report.refresh_from_db()
    assert response.status_code == 302
    assert (report.status, report.summary, report.problems, report.spent) == (
        ReportStatus.REQUESTED, "样机完成第一轮测试", "", None)
    assert audit_rows(report.project, "report.draft") == [("report.draft_saved", "requested", "requested")]


def test_team_submits_late_with_an_attachment_and_the_report_shows_late(world, report):
    team = team_of(report.project)
    client = client_for(team)

    response = post_report(client, report, written(), files={"report-attachment": upload("进展.pdf", PDF)})

    report.refresh_from_db()
    assert response.status_code == 302
    assert (report.status, report.submitted_by, report.spent, report.attachment_name) == (
        ReportStatus.SUBMITTED, team, Decimal("35000.00"), "进展.pdf")
    assert report.attachment.read() == PDF
    page = client.get(reverse("incubation:report", args=[report.pk]))
    assert page.context["report"].late is True
    assert '<span class="status">Late</span>' in page.content.decode()
    download = client.get(reverse("incubation:report_attachment", args=[report.pk]))
    assert (download.status_code, b"".join(download.streaming_content)) == (200, PDF)
    [entry] = AuditEntry.objects.filter(proposal=report.project.proposal, action="report.submitted")
    assert (entry.actor, entry.data["late"], entry.data["spent"]) == (team, True, "35000.00")


def test_submitting_without_the_plan_is_refused_and_keeps_what_was_typed(world, report):
    client = client_for(team_of(report.project))

    response = post_report(client, report, written(**{"report-next_steps": ""}))

    report.refresh_from_db()
    assert response.status_code == 400
    assert [str(m) for m in response.context["messages"]] == ["Describe the plan for the next period."]
    assert response.context["form"]["summary"].value() == "样机完成第一轮测试"
    assert (report.status, report.summary) == (ReportStatus.REQUESTED, "")


def test_a_refused_upload_keeps_the_typed_text_and_changes_nothing(world, report):
    client = client_for(team_of(report.project))

    response = post_report(client, report, written(), files={"report-attachment": upload("run.pdf", b"MZ\x90\x00binary")})

    report.refresh_from_db()
    assert response.status_code == 400
    assert [str(m) for m in response.context["messages"]] == ["Programs and executable files are not accepted."]
    assert "样机完成第一轮测试" in response.content.decode()
    assert (report.status, report.summary, bool(report.attachment)) == (ReportStatus.REQUESTED, "", False)


def test_negative_spending_is_refused(world, report):
    with pytest.raises(InvalidInput):
        reports.save_report(report=report, actor=team_of(report.project), summary="a", problems="b", next_steps="c",
                            spent=Decimal("-1"), submit=True)
    report.refresh_from_db()
    assert (report.status, report.summary) == (ReportStatus.REQUESTED, "")


# the manager's side

def submit(report):
    return reports.save_report(report=report, actor=team_of(report.project), summary="样机完成", problems="无",
                               next_steps="中试", spent=Decimal("1000"), submit=True)


def test_manager_returns_with_a_note_the_team_revises_and_the_manager_accepts(
        world, report, django_capture_on_commit_callbacks):
    team = team_of(report.project)
    team.language = "en"
    team.save(update_fields=["language"])
    submit(report)
    manager = client_for(world.incubator)

    with django_capture_on_commit_callbacks(execute=True):
        returned = manager.post(reverse("incubation:report_review", args=[report.pk]),
                                {"review-decision": "return", "review-note": "请补充经费明细"})
    report.refresh_from_db()
    assert (returned.status_code, report.status, report.review_note) == (302, ReportStatus.RETURNED, "请补充经费明细")
    assert [m.to for m in mail.outbox] == [[team.email]]
    assert "请补充经费明细" in mail.outbox[0].body

    resubmitted = post_report(client_for(team), report, written())
    accepted = manager.post(reverse("incubation:report_review", args=[report.pk]), {"review-decision": "accept"})

    report.refresh_from_db()
    assert (resubmitted.status_code, accepted.status_code, report.status, report.reviewed_by) == (
        302, 302, ReportStatus.ACCEPTED, world.incubator)
    assert audit_rows(report.project, "report.") == [
        ("report.requested", "", "requested"),
        ("report.submitted", "requested", "submitted"),
        ("report.returned", "submitted", "returned"),
        ("report.submitted", "returned", "submitted"),
        ("report.accepted", "submitted", "accepted"),
    ]


def test_returning_without_a_note_is_refused(world, report):
    submit(report)
    response = client_for(world.incubator).post(reverse("incubation:report_review", args=[report.pk]),
                                                {"review-decision": "return", "review-note": ""})

    report.refresh_from_db()
    assert response.status_code == 400
    assert [str(m) for m in response.context["messages"]] == ["Say what the team must revise."]
    assert report.status == ReportStatus.SUBMITTED


def test_a_report_cannot_be_accepted_before_it_is_submitted(world, report):
    response = client_for(world.incubator).post(reverse("incubation:report_review", args=[report.pk]),
                                                {"review-decision": "accept"})
    report.refresh_from_db()
    assert (response.status_code, report.status) == (409, ReportStatus.REQUESTED)


def test_team_cannot_accept_its_own_report(world, report):
    submit(report)
    team = team_of(report.project)

    with pytest.raises(NotPermitted):
        reports.review_report(report=report, actor=team, accept=True)
    response = client_for(team).post(reverse("incubation:report_review", args=[report.pk]),
                                     {"review-decision": "accept"})

    report.refresh_from_db()
    assert (response.status_code, report.status) == (403, ReportStatus.SUBMITTED)


def test_an_incubation_manager_who_is_the_applicant_cannot_review_the_report(world, report):
    submit(report)
    team = team_of(report.project)
    grant_role(team, Role.INCUBATION_MANAGER)
    team = type(team).objects.get(pk=team.pk)

    with pytest.raises(NotPermitted) as refused:
        reports.review_report(report=report, actor=team, accept=True)
    assert str(refused.value) == "You cannot review your own project's report."


@pytest.mark.parametrize("role", [Role.EXPERT, Role.RESEARCHER, Role.FUND_MANAGER, Role.INCUBATION_MANAGER])
def test_only_the_team_may_write_the_report(world, report, role):
    response = post_report(client_for(UserFactory(role=role)), report, written())

    report.refresh_from_db()
    assert (response.status_code, report.status, report.summary) == (403, ReportStatus.REQUESTED, "")


@pytest.mark.parametrize("role", [Role.EXPERT, Role.RESEARCHER, Role.FUND_MANAGER])
def test_others_may_not_review_reports(world, report, role):
    submit(report)
    response = client_for(UserFactory(role=role)).post(reverse("incubation:report_review", args=[report.pk]),
                                                       {"review-decision": "accept"})
    report.refresh_from_db()
    assert (response.status_code, report.status) == (403, ReportStatus.SUBMITTED)


@pytest.mark.parametrize("role", [Role.EXPERT, Role.RESEARCHER])
def test_outsiders_cannot_open_a_report_or_its_attachment(world, report, role):
    client = client_for(UserFactory(role=role))
    assert client.get(reverse("incubation:report", args=[report.pk])).status_code == 403
    assert client.get(reverse("incubation:report_attachment", args=[report.pk])).status_code == 403


# the project page and the managers' list

def test_team_sees_what_to_do_on_the_project_page(world, report):
    response = client_for(team_of(report.project)).get(reverse("incubation:project", args=[report.project.pk]))

    html = response.content.decode()
    lifecycle = response.context["lifecycle"]
    assert (response.status_code, lifecycle["next_report"], lifecycle["overdue_count"]) == (200, report, 1)
    assert f'<a class="button" href="{reverse("incubation:report", args=[report.pk])}">Write the report</a>' in html
    assert reverse("incubation:change_new", args=[report.project.pk]) in html
    assert reverse("incubation:midterm", args=[report.project.pk]) not in html


def test_reports_list_filters_by_status_and_overdue(world, report):
    other = requested_report(world)
    submit(other)
    client = client_for(world.incubator)

    everything = client.get(reverse("incubation:reports"))
    overdue = client.get(reverse("incubation:reports"), {"overdue": "1"})
    submitted = client.get(reverse("incubation:reports"), {"status": "submitted"})

    assert [r.pk for r in everything.context["reports"]] == [report.pk, other.pk]
    assert [r.pk for r in overdue.context["reports"]] == [report.pk]
    assert [r.pk for r in submitted.context["reports"]] == [other.pk]
    assert "Overdue" in overdue.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_reports_list_query_count_does_not_grow_with_reports(world, count, django_assert_num_queries):
    project = world.signed_project(signed_on=D(2025, 1, 10))
    reports.request_due_reports(today=D(2025, 1, 1) + dt.timedelta(days=92 * count))
    assert ProgressReport.objects.filter(project=project).count() == count
    client = client_for(world.incubator)

    with django_assert_num_queries(REPORTS_LIST_QUERIES):
        response = client.get(reverse("incubation:reports"))

    assert len(response.context["reports"]) == count


@pytest.mark.parametrize("role", [Role.EXPERT, Role.RESEARCHER, Role.FUND_MANAGER])
def test_reports_list_is_for_incubation_managers(world, role):
    assert client_for(UserFactory(role=role)).get(reverse("incubation:reports")).status_code == 403


@pytest.mark.parametrize("who", ["team", "manager"])
def test_project_page_queries_do_not_grow_with_reports(world, who):

    project = world.signed_project(signed_on=D(2025, 1, 10))
    reports.request_due_reports(today=D(2025, 4, 2))
    client = client_for(team_of(project) if who == "team" else world.incubator)
    url = reverse("incubation:project", args=[project.pk])
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    reports.request_due_reports(today=D(2025, 10, 2))
    assert ProgressReport.objects.filter(project=project).count() == 3

    with CaptureQueriesContext(connection) as three:
        response = client.get(url)

    assert response.status_code == 200
    assert len(three) == len(one)


def test_manager_opens_a_submitted_report_with_the_review_form_and_the_team_reads_it(world, report):
    submit(report)

    manager_page = client_for(world.incubator).get(reverse("incubation:report", args=[report.pk]))
    team_page = client_for(team_of(report.project)).get(reverse("incubation:report", args=[report.pk]))

    assert (manager_page.status_code, team_page.status_code) == (200, 200)
    assert (manager_page.context["can_review"], manager_page.context["can_edit"]) == (True, False)
    assert (team_page.context["can_review"], team_page.context["can_edit"]) == (False, False)
    assert reverse("incubation:report_review", args=[report.pk]) in manager_page.content.decode()
    assert "样机完成" in team_page.content.decode()
