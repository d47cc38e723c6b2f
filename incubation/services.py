from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed

from incubation.enums import MilestoneStatus, ProjectStatus
from incubation.models import Milestone, ProgressNote, Project
from proposals.enums import ProposalStatus
from proposals.exceptions import ConcurrentChange, IllegalTransition, InvalidInput, NotPermitted
from proposals.rules import is_incubation_manager
from proposals.services.audit import record_audit


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
        Milestone.objects.bulk_create(
            [Milestone(project=project, title=m["title"], due_date=m["due_date"]) for m in milestones]
        )
        record_audit(action="project.started", proposal=proposal, actor=manager, to_state=project.status,
                     data={"milestones": len(milestones)})
    return project


def record_progress(*, project, author, note: str, milestone=None, milestone_status: str | None = None) -> ProgressNote:
    if not is_incubation_manager(author):
        raise NotPermitted()
    if project.status != ProjectStatus.ACTIVE:
        raise IllegalTransition(_("The project is closed."))
    if not note.strip():
        raise InvalidInput(_("Describe the progress."))
    with transaction.atomic():
        entry = ProgressNote.objects.create(project=project, milestone=milestone, author=author, note=note)
        data = {"note": entry.pk}
        if milestone is not None and milestone_status:
            old = milestone.status
            milestone.status = MilestoneStatus(milestone_status)
            milestone.completed_at = timezone.now() if milestone.status == MilestoneStatus.DONE else None
            milestone.save(update_fields=["status", "completed_at"])
            data.update(milestone=milestone.pk, milestone_from=old, milestone_to=milestone.status)
        record_audit(action="project.progress", proposal=project.proposal, actor=author, note=note, data=data)
    return entry


def close_project(*, project, actor, outcome: str, note: str) -> Project:
    """Close as graduated or terminated, audited."""
    if not is_incubation_manager(actor):
        raise NotPermitted()
    if outcome not in (ProjectStatus.GRADUATED, ProjectStatus.TERMINATED):
        raise InvalidInput(_("Choose graduated or terminated."))
    method = project.graduate if outcome == ProjectStatus.GRADUATED else project.terminate
    if not can_proceed(method):
        raise IllegalTransition(_("The project is already closed."))
    if not note.strip():
        raise InvalidInput(_("Write a closing note."))
    old = project.status
    try:
        with transaction.atomic():
            method()
            project.closing_note = note
            project.save()
            record_audit(action=f"project.{outcome}", proposal=project.proposal, actor=actor,
                         from_state=old, to_state=project.status, note=note)
    except ConcurrentTransition as exc:  # someone closed it since this copy was loaded
        project.refresh_from_db()
        raise ConcurrentChange(_("Someone else closed this project at the same time. Reload the page.")) from exc
    return project
