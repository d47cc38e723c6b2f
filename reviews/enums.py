from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    DRAFT = "draft", _("Draft saved")
    SUBMITTED = "submitted", _("Submitted")
    DECLINED = "declined", _("Declined (conflict of interest)")
    CANCELED = "canceled", _("Canceled")


ACTIVE_REVIEW_STATES = (ReviewStatus.ASSIGNED, ReviewStatus.DRAFT, ReviewStatus.SUBMITTED)
OPEN_REVIEW_STATES = (ReviewStatus.ASSIGNED, ReviewStatus.DRAFT)


class ConflictSource(models.TextChoices):
    DECLARED = "declared", _("Declared by the expert")
    MANUAL = "manual", _("Recorded by staff")


class PanelOutcome(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    INVITE_RESUBMISSION = "invite_resubmission", _("Invite resubmission next round")
