from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from workflows.models import ProposalProcess
from workflows.redirect import task_url_for


def _shape(qs):
    return qs.select_related("process", "owner").order_by("created", "pk")


def _with_proposals(tasks):
    """Attach proposal and call to each task with one query (Task.process is the base Process)."""
    tasks = list(tasks)
    processes = ProposalProcess.objects.filter(pk__in={t.process_id for t in tasks}).select_related("proposal", "proposal__call")
    by_pk = {p.pk: p for p in processes}
    for t in tasks:
        process = by_pk.get(t.process_id)
        t.proposal = process.proposal if process else None
        t.url = task_url_for(t, process)
    return [t for t in tasks if t.proposal is not None]


def inbox(*, user):
    """Tasks assigned to the user."""
    return _with_proposals(_shape(Task.objects.filter(owner=user, status__in=[STATUS.ASSIGNED, STATUS.STARTED])))


def queue(*, user):
    """Unclaimed tasks the user may claim (by the permissions of their role)."""
    perms = [p for p in {"proposals.screen_proposal", "proposals.decide_proposal", "proposals.approve_funding",
                         "proposals.start_incubation"} if user.has_perm(p)]
    if not perms:
        return []
    return _with_proposals(_shape(Task.objects.filter(status=STATUS.NEW, owner_permission__in=perms)))
