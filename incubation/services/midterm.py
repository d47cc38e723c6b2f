"""The mid-term check (中期检查), recorded by the incubation manager.

- continue / adjust: the MIDTERM tranche gate is met (`money.gate_status` reads the latest check);
- stop: in the same transaction the project is terminated (closing note = the findings), its planned
  tranches are cancelled and the unpaid remainder returns to the fund (`money.return_unpaid`).

One effective check per project: `MidtermCheck` rows are append-only and the latest one counts. A
further check is allowed only after an "adjust" outcome — the follow-up check on whether the required
adjustments were made, which may again say continue, adjust or stop. After "continue" the check is
done; after "stop" the project is closed.
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from accounts.mail import queue_user_mail
from core.errors import ConcurrentChange, IllegalTransition, InvalidInput, NotPermitted
from incubation.enums import AgreementStatus, MidtermOutcome
from incubation.models import MidtermCheck, Project
from incubation.selectors.lifecycle import latest_check
from incubation.services.money import return_unpaid
from incubation.services.transitions import transition_project
from proposals.services.audit import record_audit


def midterm_problem(*, project, latest) -> str:
    """Why a mid-term check cannot be recorded now ("" when it can). `latest` is latest_check()."""
    if not project.is_open:
        return _("The project is closed.")
    agreement = getattr(project, "agreement", None)
    if agreement is None or agreement.status != AgreementStatus.SIGNED:
        return _("The mid-term check comes after the agreement (任务书) is signed.")
    if latest is not None and latest.outcome != MidtermOutcome.ADJUST:
        return _("The mid-term check has already been recorded (%(outcome)s). A further check is only held after "
                 "an outcome that required adjustments.") % {"outcome": latest.get_outcome_display()}
    return ""


def record_midterm_check(*, project, actor, outcome: str, findings: str, adjustments: str = "") -> MidtermCheck:
    findings, adjustments = (findings or "").strip(), (adjustments or "").strip()
    if not actor.has_perm("incubation.manage_project", project):
        raise NotPermitted()
    if outcome not in MidtermOutcome.values:
        raise InvalidInput(_("Choose the outcome of the mid-term check."))
    if not findings:
        raise InvalidInput(_("Write the findings of the mid-term check."))
    if outcome == MidtermOutcome.ADJUST and not adjustments:
        raise InvalidInput(_("List the adjustments the team must make."))
    try:
        with transaction.atomic():
            project = (Project.objects.select_for_update(of=("self",)).select_related("proposal", "agreement")
                       .get(pk=project.pk))
            problem = midterm_problem(project=project, latest=latest_check(project=project))
            if problem:
                raise IllegalTransition(problem)
            check = MidtermCheck.objects.create(project=project, outcome=outcome, findings=findings,
                                                adjustments=adjustments if outcome == MidtermOutcome.ADJUST else "",
                                                decided_by=actor, decided_at=timezone.now())
            proposal = project.proposal
            record_audit(action="midterm.recorded", proposal=proposal, actor=actor, to_state=outcome, note=findings,
                         data={"check": check.pk, "outcome": outcome, "adjustments": check.adjustments})
            if outcome == MidtermOutcome.STOP:
                project.closing_note = findings
                transition_project(project=project, transition="terminate", actor=actor, action="project.terminated",
                                   note=findings, data={"midterm_check": check.pk})
                return_unpaid(project=project, actor=actor, reason=findings)
            queue_user_mail(user=proposal.applicant, template="incubation/mail/midterm_result", context={
                "reference": proposal.reference or "", "proposal_title": proposal.title, "outcome": outcome,
                "findings": findings,
                "adjustments": check.adjustments, "link": reverse("incubation:project", args=[project.pk])})
    except (ConcurrentChange, ConcurrentTransition) as exc:
        raise ConcurrentChange(_("Someone else changed this project at the same time. Reload the page.")) from exc
    return check
