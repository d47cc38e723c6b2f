"""Mail the applicant when their proposal moves (queued after commit)."""

from django.dispatch import receiver
from django.urls import reverse

from accounts.mail import queue_user_mail
from proposals.enums import ProposalStatus as S
from proposals.signals import proposal_transitioned

APPLICANT_MAILS = {
    S.SUBMITTED: "proposals/mail/submitted",
    S.RETURNED: "proposals/mail/returned",
    S.INELIGIBLE: "proposals/mail/decision",
    S.REJECTED: "proposals/mail/decision",
    S.RESUBMIT_INVITED: "proposals/mail/decision",
    S.APPROVED: "proposals/mail/decision",
    S.FUNDED: "proposals/mail/funded",
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
