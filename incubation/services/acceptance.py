"""Final acceptance (验收), recorded by the incubation manager in numbered rounds (1, 2, …).

Each outcome and its consequence on the retained (ACCEPTANCE-gated) tranche, whose gate
`money.gate_status` reads from the latest round:
- PASS: the gate is met and the project graduates; the fund manager can then release the tranche.
- RECTIFY (整改后通过): a rectification deadline in the future is required; the project goes to
  RECTIFICATION and the tranche is held. The next round must be PASS ("rectification completed":
  graduates) or FAIL. When the deadline passes first, the sweep mails the manager once.
- REREVIEW (需要复议): the project stays active, the tranche is held, another round is expected.
- FAIL: the project is terminated; the retained tranche and every other planned tranche are
  cancelled and the unpaid money returns to the fund (`money.return_unpaid`).
`acceptance_recorded` is sent for every round, inside the transaction (receivers use on_commit).
"""

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from accounts.mail import queue_user_mail
from core.errors import ConcurrentChange, IllegalTransition, InvalidInput, NotPermitted
from incubation.enums import AcceptanceOutcome, AgreementStatus, ProjectStatus
from incubation.models import Acceptance, Project
from incubation.services.money import return_unpaid
from incubation.services.transitions import transition_project
from incubation.signals import acceptance_recorded
from proposals.models import AuditEntry
from proposals.services.audit import record_audit

OVERDUE_ACTION = "acceptance.rectification_overdue"


def acceptance_problem(*, project) -> str:
    """Why acceptance cannot be recorded now ("" when it can)."""
    if not project.is_open:
        return _("The project is closed.")
    agreement = getattr(project, "agreement", None)
    if agreement is None or agreement.status != AgreementStatus.SIGNED:
        return _("Acceptance comes after the agreement (任务书) is signed.")
    return ""


def allowed_outcomes(project) -> list[str]:
    """During rectification the next round either confirms the rectification (pass) or fails."""
    if project.status == ProjectStatus.RECTIFICATION:
        return [AcceptanceOutcome.PASS, AcceptanceOutcome.FAIL]
    return list(AcceptanceOutcome.values)


def record_acceptance(*, project, actor, outcome: str, findings: str, rectification_deadline=None,
                      today=None) -> Acceptance:
    findings = (findings or "").strip()
    today = today or timezone.localdate()
    if not actor.has_perm("incubation.manage_project", project):
        raise NotPermitted()
    if outcome not in AcceptanceOutcome.values:
        raise InvalidInput(_("Choose the outcome of the acceptance."))
    if not findings:
        raise InvalidInput(_("Write the findings of the acceptance."))
    if outcome == AcceptanceOutcome.RECTIFY:
        if rectification_deadline is None:
            raise InvalidInput(_("Set the deadline for the rectification."))
        if rectification_deadline <= today:
            raise InvalidInput(_("The rectification deadline must be in the future."))
    try:
        with transaction.atomic():
            project = (Project.objects.select_for_update(of=("self",)).select_related("proposal", "agreement")
                       .get(pk=project.pk))
            problem = acceptance_problem(project=project)
            if problem:
                raise IllegalTransition(problem)
            if outcome not in allowed_outcomes(project):
                raise IllegalTransition(_("The project is under rectification: the next round either confirms the "
                                          "rectification (pass) or fails."))
            number = (project.acceptances.aggregate(last=Max("round"))["last"] or 0) + 1
            acceptance = Acceptance.objects.create(
                project=project, round=number, outcome=outcome, findings=findings,
                rectification_deadline=rectification_deadline if outcome == AcceptanceOutcome.RECTIFY else None,
                decided_by=actor, decided_at=timezone.now())
            proposal = project.proposal
            old = project.status
            action = f"acceptance.{outcome}"
            data = {"acceptance": acceptance.pk, "round": number, "outcome": outcome,
                    "rectification_deadline": (rectification_deadline.isoformat()
                                               if acceptance.rectification_deadline else None),
                    "after_rectification": old == ProjectStatus.RECTIFICATION}
            if outcome in (AcceptanceOutcome.PASS, AcceptanceOutcome.FAIL):
                project.closing_note = findings
                transition_project(project=project, actor=actor, action=action, note=findings, data=data,
                                   transition="graduate" if outcome == AcceptanceOutcome.PASS else "terminate")
            elif outcome == AcceptanceOutcome.RECTIFY:
                transition_project(project=project, transition="require_rectification", actor=actor, action=action,
                                   note=findings, data=data, transition_kwargs={"due": rectification_deadline})
            else:  # re-review: the project stays as it is; the round is recorded
                record_audit(action=action, proposal=proposal, actor=actor, from_state=old, to_state=project.status,
                             note=findings, data=data)
            if outcome == AcceptanceOutcome.FAIL:
                return_unpaid(project=project, actor=actor, reason=findings)
            acceptance_recorded.send(sender=Acceptance, acceptance=acceptance, actor=actor)
            queue_user_mail(user=proposal.applicant, template="incubation/mail/acceptance_result", context={
                "reference": proposal.reference or "", "proposal_title": proposal.title, "outcome": outcome,
                "round": number, "findings": findings,
                "deadline": rectification_deadline.isoformat() if acceptance.rectification_deadline else "",
                "link": reverse("incubation:project", args=[project.pk])})
    except (ConcurrentChange, ConcurrentTransition) as exc:
        raise ConcurrentChange(_("Someone else changed this project at the same time. Reload the page.")) from exc
    return acceptance


def flag_overdue_rectifications(today=None) -> int:
    """Mail the manager of every project whose rectification deadline has passed, once per deadline.
    Returns how many managers were told."""
    if today is None:
        today = timezone.localdate()
    elif isinstance(today, dt.datetime):
        today = timezone.localdate(today)
    due = Project.objects.filter(status=ProjectStatus.RECTIFICATION, rectification_due__lt=today).order_by("pk")
    flagged = 0
    for candidate in due.values_list("pk", flat=True):
        with transaction.atomic():
            project = (Project.objects.select_for_update(of=("self",)).select_related("proposal", "manager")
                       .get(pk=candidate))
            deadline = project.rectification_due
            if project.status != ProjectStatus.RECTIFICATION or deadline is None or deadline >= today:
                continue
            if AuditEntry.objects.filter(proposal=project.proposal, action=OVERDUE_ACTION,
                                         data__deadline=deadline.isoformat()).exists():
                continue
            latest = project.acceptances.select_related("decided_by").order_by("-round").first()
            recipient = project.manager or (latest.decided_by if latest else None)
            record_audit(action=OVERDUE_ACTION, proposal=project.proposal, actor=None,
                         data={"deadline": deadline.isoformat(), "notified": recipient.pk if recipient else None})
            queue_user_mail(user=recipient, template="incubation/mail/rectification_overdue",
                            context={"reference": project.proposal.reference or "",
                                     "proposal_title": project.proposal.title, "deadline": deadline.isoformat(),
                                     "link": reverse("incubation:acceptance", args=[project.pk])})
        flagged += 1
    return flagged
