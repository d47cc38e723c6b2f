from django.urls import reverse

from accounts.enums import Role
from accounts.mail import queue_user_mail
from accounts.models import User
from reviews.services.deadlines import format_deadline
from workflows.redirect import task_url


def notify_task_created(task):
    """A task landed in someone's inbox: tell them, in their language, with the link."""
    owner = task.owner
    if owner is None:
        return
    proposal = task.process.coerced.proposal
    queue_user_mail(
        user=owner,
        template="workflows/mail/new_task",
        context={
            "task_title": str(task.flow_task.task_title),
            "proposal_title": proposal.title,
            "reference": proposal.reference or "",
            "link": task_url(task),
        },
    )


def notify_replacement_needed(review):
    """An expert declined: ask the officer who assigned (or every officer) for a replacement."""
    recipients = [review.assigned_by] if review.assigned_by else list(User.objects.filter(groups__name=Role.PROGRAM_OFFICER))
    for user in recipients:
        queue_user_mail(
            user=user,
            template="workflows/mail/replacement_needed",
            context={
                "proposal_title": review.proposal.title,
                "reference": review.proposal.reference or "",
                "link": reverse("workflows:assign_experts", args=[review.proposal_id]),
            },
        )


def notify_review_overdue(review):
    """Tell the officer who assigned the review (or every program officer) that it is overdue."""
    recipients = [review.assigned_by] if review.assigned_by_id else list(User.objects.filter(groups__name=Role.PROGRAM_OFFICER))
    proposal = review.proposal
    for user in recipients:
        queue_user_mail(
            user=user,
            template="reviews/mail/review_overdue",
            context={
                "reference": proposal.reference or "",
                "proposal_title": proposal.title,
                "expert_name": review.expert.display_name,
                "deadline": format_deadline(review.deadline, proposal.call, user.language) if review.deadline else "",
                "link": reverse("workflows:escalate", args=[review.pk]),
            },
        )
