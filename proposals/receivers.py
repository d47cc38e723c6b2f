"""Mail the applicant when their proposal moves (owed with the change, sent after commit), and log every
audit row as a domain event (a transition, a decision, a payment) with its ids."""

import logging

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse

from accounts.mail import queue_user_mail
from proposals.enums import ProposalStatus as S
from proposals.models import AuditEntry
from proposals.signals import proposal_transitioned

APPLICANT_MAILS = {
    S.SUBMITTED: "proposals/mail/submitted",
    S.RETURNED: "proposals/mail/returned",
    S.INELIGIBLE: "proposals/mail/decision",
    S.REJECTED: "proposals/mail/decision",
    S.RESUBMIT_INVITED: "proposals/mail/decision",
    S.APPROVED: "proposals/mail/decision",
    S.FUNDED: "proposals/mail/funded",
    S.FUNDING_DECLINED: "proposals/mail/decision",  # with the fund manager's reasons
}


@receiver(proposal_transitioned, dispatch_uid="proposals-applicant-mail")
def mail_applicant(sender, proposal, to_state, note, **kwargs):
    template = APPLICANT_MAILS.get(to_state)
    if template is None:
        return
    queue_user_mail(
        user=proposal.applicant,
        template=template,
        context={
            "proposal_title": proposal.title,
            "reference": proposal.reference or "",
            "status": to_state,
            "note": note,
            "link": reverse("proposals:detail", args=[proposal.pk]),
        },
    )


audit_logger = logging.getLogger("pocflow.audit")


@receiver(post_save, sender=AuditEntry, dispatch_uid="proposals-audit-log")
def log_domain_event(sender, instance, created, **kwargs):
    """One log record per audit row: the event and its ids (the note's free text stays in the database)."""
    if not created:
        return
    audit_logger.info("%s", instance.action, extra={
        "event": instance.action, "audit_id": instance.pk, "proposal_id": instance.proposal_id,
        "actor_id": instance.actor_id, "from_state": instance.from_state, "to_state": instance.to_state,
        "data": instance.data,
    })
