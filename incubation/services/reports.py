"""Quarterly progress reports (季度进展报告): requested by the sweep, reminded, submitted by the team,
accepted or returned by the incubation manager.

Requesting: for every open project whose agreement is signed, each calendar quarter that has ended
since the signature gets one report, covering the part of the quarter after the signing date and due
`REPORT_DUE_DAYS` after the quarter's end. Quarters that start after the project's (possibly extended)
planned end are not requested: the final acceptance covers the rest. The unique (project, period_start)
constraint makes a second or concurrent sweep create nothing twice; the team is mailed once per new row.

Reminding: a report still to be written (requested or returned) is reminded `REMINDER_LEAD_DAYS` before
its due date, on the due date, and every `OVERDUE_REMINDER_EVERY_DAYS` days while overdue. A sweep that
missed a reminder day catches up once (a report requested late counts its request mail as the
reminder of that day); `last_reminded_on` is claimed by a conditional UPDATE so two
concurrent sweeps send one mail.
"""

import datetime as dt
import hashlib
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.mail import queue_user_mail
from core.errors import IllegalTransition, InvalidInput, NotPermitted
from forms.enums import FileType
from forms.uploads import MB, validate_upload
from incubation.enums import TO_WRITE, AgreementStatus, ProjectStatus, ReportStatus
from incubation.models import ProgressReport, Project
from incubation.selectors.lifecycle import local_date as _today
from incubation.services.acceptance import flag_overdue_rectifications
from incubation.services.transitions import transition_report
from proposals.services.audit import record_audit

# A quarter's report is due this many days after the quarter ends.
REPORT_DUE_DAYS = 15
# The first reminder goes out this many days before the due date.
REMINDER_LEAD_DAYS = 7
# While a report is overdue, the team is reminded this often (days), starting on the due date.
OVERDUE_REMINDER_EVERY_DAYS = 7
ATTACHMENT_TYPES = [FileType.PDF, FileType.DOCX, FileType.XLSX]
ATTACHMENT_MAX_BYTES = 20 * MB

OPEN_PROJECT_STATES = (ProjectStatus.ACTIVE, ProjectStatus.RECTIFICATION)


# quarters

def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(day: dt.date) -> dt.date:
    start = quarter_start(day)
    following = dt.date(start.year + 1, 1, 1) if start.month == 10 else dt.date(start.year, start.month + 3, 1)
    return following - dt.timedelta(days=1)


def due_periods(*, signed_on: dt.date, today: dt.date, ends_on: dt.date | None = None) -> list[tuple]:
    """(period_start, period_end, due_on) of every quarter that has ended (its last day is before
    `today`) since the signature, the first one starting on the signing date."""
    periods = []
    start = quarter_start(signed_on)
    while True:
        end = quarter_end(start)
        if end >= today or (ends_on is not None and start > ends_on):
            return periods
        periods.append((max(start, signed_on), end, end + dt.timedelta(days=REPORT_DUE_DAYS)))
        start = end + dt.timedelta(days=1)


def _report_link(report) -> str:
    return reverse("incubation:report", args=[report.pk])


def _mail_context(report, project) -> dict:
    proposal = project.proposal
    return {
        "reference": proposal.reference or "",
        "proposal_title": proposal.title,
        "period_start": report.period_start.isoformat(),
        "period_end": report.period_end.isoformat(),
        "due_on": report.due_on.isoformat(),
        "link": _report_link(report),
    }


# requesting

def request_due_reports(today=None) -> int:
    """Create the reports of every quarter that has ended since signature; mail the team once per new
    report. Returns how many reports were created."""
    today = _today(today)
    existing = ProgressReport.objects.only("pk", "project_id", "period_start", "status")
    projects = (
        Project.objects.filter(status__in=OPEN_PROJECT_STATES, agreement__status=AgreementStatus.SIGNED,
                               agreement__signed_on__isnull=False, agreement__signed_on__lt=today)
        .select_related("agreement", "proposal", "proposal__applicant")
        .prefetch_related(Prefetch("reports", queryset=existing, to_attr="known_reports"))
        .order_by("pk")
    )
    created_count = 0
    for project in projects:
        known = {r.period_start for r in project.known_reports}
        for start, end, due in due_periods(signed_on=project.agreement.signed_on, today=today,
                                           ends_on=project.ends_on or project.agreement.ends_on):
            if start in known:
                continue
            with transaction.atomic():
                # A report requested late (its first reminder day has passed) counts the request mail as
                # that day's reminder, so the team does not get two mails at once.
                report, created = ProgressReport.objects.get_or_create(
                    project=project, period_start=start,
                    defaults={"period_end": end, "due_on": due,
                              "last_reminded_on": today if reminder_slot(due_on=due, today=today) else None})
                if not created:  # another sweep got there first
                    continue
                record_audit(action="report.requested", proposal=project.proposal, actor=None,
                             to_state=report.status,
                             data={"report": report.pk, "period_start": start.isoformat(),
                                   "period_end": end.isoformat(), "due_on": due.isoformat()})
                queue_user_mail(user=project.proposal.applicant, template="incubation/mail/report_requested",
                                context=_mail_context(report, project))
            created_count += 1
    return created_count


# reminding

def reminder_slot(*, due_on: dt.date, today: dt.date) -> dt.date | None:
    """The latest reminder day on or before `today` for a report due on `due_on`, or None if none yet."""
    first = due_on - dt.timedelta(days=REMINDER_LEAD_DAYS)
    if today < first:
        return None
    if today < due_on:
        return first
    late = (today - due_on).days
    return due_on + dt.timedelta(days=late - late % OVERDUE_REMINDER_EVERY_DAYS)


def send_report_reminders(today=None) -> int:
    """Remind the teams whose reports are due soon or overdue; returns how many mails were queued."""
    today = _today(today)
    reports = (
        ProgressReport.objects.filter(status__in=TO_WRITE, project__status__in=OPEN_PROJECT_STATES,
                                      due_on__lte=today + dt.timedelta(days=REMINDER_LEAD_DAYS))
        .select_related("project", "project__proposal", "project__proposal__applicant")
        .order_by("due_on", "pk")
    )
    sent = 0
    for report in reports:
        slot = reminder_slot(due_on=report.due_on, today=today)
        if slot is None:
            continue
        if report.last_reminded_on is not None and report.last_reminded_on >= slot:
            continue
        with transaction.atomic():
            claimed = (
                ProgressReport.objects.filter(pk=report.pk, status__in=TO_WRITE)
                .filter(Q(last_reminded_on__isnull=True) | Q(last_reminded_on__lt=slot))
                .update(last_reminded_on=today, reminders_sent=F("reminders_sent") + 1)
            )
            if not claimed:  # another sweep sent it
                continue
            project = report.project
            queue_user_mail(user=project.proposal.applicant, template="incubation/mail/report_reminder",
                            context={**_mail_context(report, project), "days_left": (report.due_on - today).days,
                                     "returned": report.status == ReportStatus.RETURNED})
        sent += 1
    return sent


def sweep(today=None) -> dict:
    """The lifecycle's part of the periodic sweep: request reports, remind teams, and tell managers
    about rectification deadlines that have passed."""
    today = _today(today)
    return {
        "reports_requested": request_due_reports(today),
        "report_reminders": send_report_reminders(today),
        "rectifications_overdue": flag_overdue_rectifications(today),
    }


# the team writes

def _clean_text(value) -> str:
    return (value or "").strip()


def save_report(*, report, actor, summary: str, problems: str, next_steps: str, spent, attachment=None,
                submit: bool = False) -> ProgressReport:
    """Save the team's draft, or submit it (`submit=True`: every part is required). A late submission
    is accepted and recorded as late."""
    summary, problems, next_steps = _clean_text(summary), _clean_text(problems), _clean_text(next_steps)
    with transaction.atomic():
        report = (ProgressReport.objects.select_for_update(of=("self",)).select_related("project__proposal")
                  .get(pk=report.pk))
        project = report.project
        if not actor.has_perm("incubation.submit_report", project):
            raise NotPermitted()
        if report.status not in TO_WRITE:
            raise IllegalTransition(_("This report has already been submitted."))
        if not project.is_open:
            raise IllegalTransition(_("The project is closed."))
        if spent is not None and spent < 0:
            raise InvalidInput(_("The amount spent cannot be negative."))
        if submit:
            if not summary:
                raise InvalidInput(_("Describe the progress in the period."))
            if not problems:
                raise InvalidInput(_("Describe the problems and risks (write “none” if there were none)."))
            if not next_steps:
                raise InvalidInput(_("Describe the plan for the next period."))
            if spent is None:
                raise InvalidInput(_("Enter the amount spent in the period (0 if nothing was spent)."))
        if attachment:
            try:
                kind = validate_upload(attachment, allowed_types=ATTACHMENT_TYPES, max_bytes=ATTACHMENT_MAX_BYTES)
            except ValidationError as exc:
                raise InvalidInput(" ".join(exc.messages)) from exc
            digest = hashlib.sha256(attachment.read()).hexdigest()
            attachment.seek(0)
            report.attachment.save(f"report-{report.pk}-{digest[:12]}.{kind}", attachment, save=False)
            report.attachment_name = PurePath(attachment.name or "").name[:255]
        report.summary, report.problems, report.next_steps, report.spent = summary, problems, next_steps, spent

        def data(late):
            return {"report": report.pk, "period_start": report.period_start.isoformat(),
                    "spent": str(spent) if spent is not None else None, "late": late,
                    "attachment": bool(report.attachment)}

        if submit:
            late = timezone.localdate() > report.due_on
            transition_report(report=report, transition="submit", actor=actor, action="report.submitted",
                              data=data(late), transition_kwargs={"by": actor},
                              illegal=_("This report has already been submitted."))
        else:
            report.save()
            record_audit(action="report.draft_saved", proposal=project.proposal, actor=actor,
                         from_state=report.status, to_state=report.status, data=data(False))
    return report


# the incubation manager reviews

def review_report(*, report, actor, accept: bool, note: str = "") -> ProgressReport:
    """Accept a submitted report, or return it to the team with a note saying what to revise."""
    note = _clean_text(note)
    with transaction.atomic():
        report = (ProgressReport.objects.select_for_update(of=("self",))
                  .select_related("project__proposal__applicant").get(pk=report.pk))
        project = report.project
        if not actor.has_perm("incubation.manage_project", project):
            raise NotPermitted()
        if actor.pk in (report.submitted_by_id, project.proposal.applicant_id):
            raise NotPermitted(_("You cannot review your own project's report."))
        if report.status != ReportStatus.SUBMITTED:
            raise IllegalTransition(_("Only a submitted report can be accepted or returned."))
        if not accept and not note:
            raise InvalidInput(_("Say what the team must revise."))
        transition_report(report=report, transition="accept" if accept else "return_for_revision", actor=actor,
                          action="report.accepted" if accept else "report.returned", note=note,
                          transition_kwargs={"by": actor, "note": note},
                          illegal=_("Only a submitted report can be accepted or returned."),
                          update_fields=["reviewed_by", "reviewed_at", "review_note"],
                          data={"report": report.pk, "period_start": report.period_start.isoformat()})
        if not accept:
            queue_user_mail(user=project.proposal.applicant, template="incubation/mail/report_returned",
                            context={**_mail_context(report, project), "note": note})
    return report
