"""Quarterly reports are requested by the sweep for every ended quarter since signature, and reminded."""

import datetime as dt

import pytest
from django.core import mail

from incubation.enums import ReportStatus
from incubation.models import ProgressReport
from incubation.services import reports
from proposals.models import AuditEntry
from tests.concurrency import POSTGRES_ONLY, race
from tests.incubation.lifecycle_support import LifecycleWorld, team_of

pytestmark = pytest.mark.django_db

WORLD = LifecycleWorld
D = dt.date
SIGNED = D(2026, 2, 10)  # mid-quarter


@pytest.fixture
def project(world):
    project = world.signed_project(signed_on=SIGNED)
    team = team_of(project)
    team.language = "en"
    team.save(update_fields=["language"])
    return project


def periods(project):
    return list(ProgressReport.objects.filter(project=project).order_by("period_start")
                .values_list("period_start", "period_end", "due_on", "status"))


def test_first_report_covers_the_part_of_the_quarter_after_signing_and_is_due_15_days_after_it(
        project, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = reports.request_due_reports(today=D(2026, 4, 1))

    assert created == 1
    assert periods(project) == [(SIGNED, D(2026, 3, 31), D(2026, 4, 15), ReportStatus.REQUESTED)]
    assert [m.to for m in mail.outbox] == [[team_of(project).email]]
    assert mail.outbox[0].subject == (f"[pocflow] Quarterly progress report for {project.proposal.reference} "
                                      "due on 2026-04-15")
    assert "2026-02-10 to 2026-03-31" in mail.outbox[0].body
    assert AuditEntry.objects.filter(proposal=project.proposal, action="report.requested").count() == 1


def test_no_report_is_requested_on_the_last_day_of_the_quarter(project):
    assert reports.request_due_reports(today=D(2026, 3, 31)) == 0
    assert periods(project) == []


def test_requesting_twice_creates_the_same_rows_and_mails_once(project, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = reports.request_due_reports(today=D(2026, 7, 2))
        second = reports.request_due_reports(today=D(2026, 7, 2))

    assert (first, second) == (2, 0)
    assert periods(project) == [
        (SIGNED, D(2026, 3, 31), D(2026, 4, 15), ReportStatus.REQUESTED),
        (D(2026, 4, 1), D(2026, 6, 30), D(2026, 7, 15), ReportStatus.REQUESTED),
    ]
    assert len(mail.outbox) == 2


def test_a_later_sweep_adds_only_the_quarter_that_ended_since(project):
    reports.request_due_reports(today=D(2026, 4, 1))

    assert reports.request_due_reports(today=D(2026, 7, 1)) == 1
    assert [p[0] for p in periods(project)] == [SIGNED, D(2026, 4, 1)]


@pytest.mark.parametrize(("signed_on", "today", "expected"), [
    (D(2026, 4, 1), D(2026, 7, 1), [(D(2026, 4, 1), D(2026, 6, 30), D(2026, 7, 15))]),
    (D(2026, 3, 31), D(2026, 4, 1), [(D(2026, 3, 31), D(2026, 3, 31), D(2026, 4, 15))]),
    (D(2025, 11, 20), D(2026, 1, 1), [(D(2025, 11, 20), D(2025, 12, 31), D(2026, 1, 15))]),
    (D(2026, 2, 10), D(2026, 2, 28), []),
])
def test_quarter_boundaries(signed_on, today, expected):
    assert reports.due_periods(signed_on=signed_on, today=today) == expected


def test_quarters_starting_after_the_planned_end_are_not_requested():
    assert reports.due_periods(signed_on=D(2026, 2, 10), today=D(2027, 1, 5), ends_on=D(2026, 5, 31)) == [
        (D(2026, 2, 10), D(2026, 3, 31), D(2026, 4, 15)),
        (D(2026, 4, 1), D(2026, 6, 30), D(2026, 7, 15)),
    ]


def test_projects_without_a_signed_agreement_or_closed_get_no_report(world):
    unsigned = world.incubating()

    assert reports.request_due_reports(today=unsigned.started_at.date() + dt.timedelta(days=200)) == 0
    assert ProgressReport.objects.count() == 0


# reminders

def remind(day, capture):
    with capture(execute=True):
        return reports.send_report_reminders(today=day)


def test_reminders_go_out_7_days_before_on_the_due_date_and_weekly_while_overdue(
        project, django_capture_on_commit_callbacks):
    reports.request_due_reports(today=D(2026, 4, 1))
    capture = django_capture_on_commit_callbacks

    sent = [(day, remind(day, capture)) for day in [
        D(2026, 4, 7), D(2026, 4, 8), D(2026, 4, 8), D(2026, 4, 10), D(2026, 4, 15), D(2026, 4, 16),
        D(2026, 4, 21), D(2026, 4, 22), D(2026, 4, 29)]]
    # a sweep that did not run on 6 May catches up once on 8 May, not twice
    late = [remind(D(2026, 5, 8), capture), remind(D(2026, 5, 9), capture)]

    assert [day for day, n in sent if n] == [D(2026, 4, 8), D(2026, 4, 15), D(2026, 4, 22), D(2026, 4, 29)]
    assert late == [1, 0]
    report = ProgressReport.objects.get(project=project)
    assert (report.reminders_sent, report.last_reminded_on) == (5, D(2026, 5, 8))
    subjects = [m.subject for m in mail.outbox]
    ref = project.proposal.reference
    assert subjects[0] == f"[pocflow] Reminder: quarterly progress report for {ref} due on 2026-04-15"
    assert subjects[2] == f"[pocflow] Overdue: quarterly progress report for {ref} (due 2026-04-15)"
    assert "in 7 days" in mail.outbox[0].body
    assert "It is due today (2026-04-15)." in mail.outbox[1].body
    assert all(m.to == [team_of(project).email] for m in mail.outbox)


def test_a_submitted_report_is_not_reminded(project, django_capture_on_commit_callbacks):
    reports.request_due_reports(today=D(2026, 4, 1))
    report = ProgressReport.objects.get(project=project)
    reports.save_report(report=report, actor=team_of(project), summary="样机完成", problems="无",
                        next_steps="中试", spent=0, submit=True)

    assert remind(D(2026, 4, 15), django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_a_report_requested_after_its_first_reminder_day_gets_no_second_mail_that_day(
        project, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reports.request_due_reports(today=D(2026, 4, 20))

    assert remind(D(2026, 4, 20), django_capture_on_commit_callbacks) == 0
    assert remind(D(2026, 4, 22), django_capture_on_commit_callbacks) == 1
    ref = project.proposal.reference
    assert [m.subject for m in mail.outbox] == [
        f"[pocflow] Quarterly progress report for {ref} due on 2026-04-15",
        f"[pocflow] Overdue: quarterly progress report for {ref} (due 2026-04-15)",
    ]


def test_reminders_are_written_in_the_team_members_language(project, django_capture_on_commit_callbacks):
    team = team_of(project)
    team.language = "zh-hans"
    team.save(update_fields=["language"])
    reports.request_due_reports(today=D(2026, 4, 1))

    remind(D(2026, 4, 15), django_capture_on_commit_callbacks)

    assert mail.outbox[0].body.startswith(f"{team.display_name}：")


def test_sweep_returns_every_count(project, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = reports.sweep(today=D(2026, 4, 1))
        second = reports.sweep(today=D(2026, 4, 8))

    assert first == {"reports_requested": 1, "report_reminders": 0, "rectifications_overdue": 0}
    assert second == {"reports_requested": 0, "report_reminders": 1, "rectifications_overdue": 0}
    assert len(mail.outbox) == 2


# PostgreSQL: two sweeps at once

class TestConcurrentSweeps:
    pytestmark = POSTGRES_ONLY

    def test_two_concurrent_sweeps_request_each_report_once_and_mail_once(self):
        world = LifecycleWorld()
        project = world.signed_project(signed_on=SIGNED)
        mail.outbox = []

        results = race([lambda: reports.request_due_reports(today=D(2026, 7, 2))] * 2)

        # each sweep may win some of the two quarters; together they create each once
        assert [kind for kind, _value in results] == ["ok", "ok"]
        assert sum(value for _kind, value in results) == 2
        assert ProgressReport.objects.filter(project=project).count() == 2
        assert len(mail.outbox) == 2
        assert AuditEntry.objects.filter(proposal=project.proposal, action="report.requested").count() == 2

    def test_two_concurrent_reminder_sweeps_send_one_mail(self):
        world = LifecycleWorld()
        project = world.signed_project(signed_on=SIGNED)
        reports.request_due_reports(today=D(2026, 4, 1))
        mail.outbox = []

        results = race([lambda: reports.send_report_reminders(today=D(2026, 4, 15))] * 2)

        assert sorted(value for _kind, value in results) == [0, 1]
        assert len(mail.outbox) == 1
        assert ProgressReport.objects.get(project=project).reminders_sent == 1
