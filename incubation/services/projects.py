from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed

from core.errors import ConcurrentChange, IllegalTransition, InvalidInput, NotPermitted
from funding.enums import FundingOutcome
from funding.models import FundingDecision
from incubation.enums import MilestoneStatus, ProjectStatus, TrancheGate
from incubation.models import Agreement, Milestone, ProgressNote, Project, Tranche
from incubation.services.money import return_unpaid
from incubation.services.transitions import transition_milestone, transition_project
from proposals.enums import ProposalStatus
from proposals.rules import is_incubation_manager
from proposals.services.audit import record_audit

# The usual schedule (DOMAIN.md): 60 % on signing, 30 % after the mid-term check, 10 % retained
# until acceptance. The draft agreement starts from it; the manager edits it before issuing.
DEFAULT_TRANCHES = [(Decimal("60"), TrancheGate.SIGNATURE), (Decimal("30"), TrancheGate.MIDTERM),
                    (Decimal("10"), TrancheGate.ACCEPTANCE)]
CENT = Decimal("0.01")


def split_amount(amount: Decimal, percents: list[Decimal]) -> list[Decimal]:
    """Amounts for tranche percentages that sum to 100: each rounded to the cent, the last takes the
    rounding remainder so the tranches always add up to the amount exactly."""
    amounts = [(amount * pct / 100).quantize(CENT, rounding=ROUND_HALF_UP) for pct in percents[:-1]]
    return amounts + [amount - sum(amounts, Decimal("0"))]


def _draft_agreement(*, project, proposal, milestones):
    decision = (FundingDecision.objects.filter(proposal=proposal, outcome=FundingOutcome.APPROVED, amount__isnull=False)
                .select_related("fund").order_by("-decided_at", "-pk").first())
    if decision is None:
        raise IllegalTransition(_("This proposal has no approved funding decision."))
    starts = timezone.localdate()
    last_due = max((m.due_date for m in milestones), default=None)
    ends = max(last_due, starts) if last_due else starts + timedelta(days=365)
    agreement = Agreement.objects.create(project=project, instrument=decision.instrument, amount=decision.amount,
                                         currency=decision.fund.currency, starts_on=starts, ends_on=ends)
    percents = [pct for pct, _gate in DEFAULT_TRANCHES]
    Tranche.objects.bulk_create([
        Tranche(agreement=agreement, order=i, percent=pct, amount=amt, gate=gate)
        for i, ((pct, gate), amt) in enumerate(zip(DEFAULT_TRANCHES, split_amount(decision.amount, percents)), start=1)
    ])
    project.ends_on = ends
    project.save(update_fields=["ends_on"])
    return agreement


def start_project(*, proposal, manager, milestones: list[dict]) -> Project:
    """Create the incubation project of a funded proposal with its milestones (title, due_date)."""
    if not is_incubation_manager(manager):
        raise NotPermitted()
    if proposal.status != ProposalStatus.FUNDED:
        raise IllegalTransition(_("Only a funded proposal can start incubation."))
    if Project.objects.filter(proposal=proposal).exists():
        raise IllegalTransition(_("This proposal is already under incubation."))
    if not milestones:
        raise InvalidInput(_("Plan at least one milestone."))
    with transaction.atomic():
        project = Project.objects.create(proposal=proposal, manager=manager)
        planned = Milestone.objects.bulk_create(
            [Milestone(project=project, title=m["title"], due_date=m["due_date"]) for m in milestones]
        )
        _draft_agreement(project=project, proposal=proposal, milestones=planned)
        record_audit(action="project.started", proposal=proposal, actor=manager, to_state=project.status,
                     data={"milestones": len(milestones)})
    return project


def record_progress(*, project, author, note: str, milestone=None, milestone_status: str | None = None) -> ProgressNote:
    if not is_incubation_manager(author):
        raise NotPermitted()
    if not project.is_open:
        raise IllegalTransition(_("The project is closed."))
    if not note.strip():
        raise InvalidInput(_("Describe the progress."))
    if milestone is not None and milestone_status:
        # acceptance meets the milestone's tranche gate: it goes through accept_milestone (recorded, audited)
        if milestone_status == MilestoneStatus.ACCEPTED:
            raise InvalidInput(_("Accept a milestone on the agreement page, where its acceptance is recorded."))
        if milestone.status == MilestoneStatus.ACCEPTED:
            raise IllegalTransition(_("This milestone was already accepted."))
    with transaction.atomic():
        entry = ProgressNote.objects.create(project=project, milestone=milestone, author=author, note=note)
        data = {"note": entry.pk}
        if milestone is not None and milestone_status:
            # the milestone's door writes the one `project.progress` row, with the milestone's move
            status = MilestoneStatus(milestone_status)
            data.update(milestone=milestone.pk, milestone_from=milestone.status, milestone_to=status)
            transition_milestone(milestone=milestone, transition="record_progress", actor=author,
                                 action="project.progress", note=note, data=data,
                                 illegal=_("This milestone was already accepted."),
                                 transition_kwargs={"status": status})
        else:
            record_audit(action="project.progress", proposal=project.proposal, actor=author, note=note, data=data)
    return entry


def close_project(*, project, actor, outcome: str, note: str) -> Project:
    """Close as graduated or terminated, audited. Terminating cancels the planned tranches and
    returns the unpaid commitment to the fund."""
    if not is_incubation_manager(actor):
        raise NotPermitted()
    if outcome not in (ProjectStatus.GRADUATED, ProjectStatus.TERMINATED):
        raise InvalidInput(_("Choose graduated or terminated."))
    method = project.graduate if outcome == ProjectStatus.GRADUATED else project.terminate
    if not can_proceed(method):
        raise IllegalTransition(_("The project is already closed."))
    if not note.strip():
        raise InvalidInput(_("Write a closing note."))
    try:
        with transaction.atomic():
            project.closing_note = note
            transition_project(project=project, transition=method.__name__, actor=actor, action=f"project.{outcome}",
                               note=note, illegal=_("The project is already closed."))
            if project.status == ProjectStatus.TERMINATED:
                return_unpaid(project=project, actor=actor, reason=note)
    except (ConcurrentChange, ConcurrentTransition) as exc:  # someone closed it since this copy was loaded
        project.refresh_from_db()
        raise ConcurrentChange(_("Someone else closed this project at the same time. Reload the page.")) from exc
    return project
