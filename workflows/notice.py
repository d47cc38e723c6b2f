"""Orchestration of the public notice (公示): an approval waits in the `await_notice` Handle.

`reviews.services.notice` sends `notice_entry_final` when the period ended without an open
objection, and `objection_upheld` when staff uphold one; the receivers (workflows.receivers) call
these, inside the sender's transaction, so the notice change and the flow commit together.
"""

import logging

from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from core.errors import IllegalTransition
from workflows import services
from workflows.flows import ProposalFlow

logger = logging.getLogger(__name__)


def notice_task(*, proposal):
    """The proposal's parked `await_notice` task, if any."""
    process = services._process(proposal)
    if process is None:
        return None
    waiting = Task.objects.filter(process_id=process.pk, flow_task=ProposalFlow.await_notice, status=STATUS.NEW)
    return waiting.order_by("pk").first()


def release_after_notice(*, proposal):
    """The approval is final: continue the flow to the funding decision. Returns the handle task or None."""
    task = notice_task(proposal=proposal)
    if task is None:
        logger.warning("Proposal %s became final on a notice but has no waiting notice task", proposal.pk)
        return None
    ProposalFlow.await_notice.run(task)
    return task


def reopen_panel_after_objection(*, proposal, actor, note):
    """An objection was upheld: take REOPEN_PANEL through the one door and open a new panel task."""
    task = notice_task(proposal=proposal)
    if task is None:
        raise IllegalTransition(_("This proposal is not waiting for the end of a public notice."))
    ProposalFlow.await_notice.run(task, reopen=True, actor=actor, note=note)
    return task
