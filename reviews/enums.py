from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from proposals.enums import PeerScores, RankingBasis  # noqa: F401  (call settings, re-exported)


class ReviewStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    DRAFT = "draft", _("Draft saved")
    SUBMITTED = "submitted", _("Submitted")
    DECLINED = "declined", _("Declined (conflict of interest)")
    CANCELED = "canceled", _("Canceled")


ACTIVE_REVIEW_STATES = (ReviewStatus.ASSIGNED, ReviewStatus.DRAFT, ReviewStatus.SUBMITTED)
OPEN_REVIEW_STATES = (ReviewStatus.ASSIGNED, ReviewStatus.DRAFT)


class ReviewTransition(StrEnum):
    """Stable names of the review transitions (method names on Review)."""

    SAVE_DRAFT = "save_draft"
    SUBMIT = "submit"
    DECLINE = "decline"
    CANCEL = "cancel"


class ExpertType(models.TextChoices):
    ACADEMIC = "academic", _("Academic")
    INVESTOR = "investor", _("Investor")
    ENTREPRENEUR = "entrepreneur", _("Entrepreneur")
    INDUSTRY = "industry", _("Industry")
    FINANCE = "finance", _("Finance")


class RelationKind(models.TextChoices):
    """A person an expert must not judge (回避)."""

    COAUTHOR = "coauthor", _("Co-author")
    STUDENT = "student", _("Former student")
    ADVISOR = "advisor", _("Advisor")
    RELATIVE = "relative", _("Close relative")
    COLLABORATOR = "collaborator", _("Collaborator")


class ConflictSource(models.TextChoices):
    DECLARED = "declared", _("Declared by the expert")
    MANUAL = "manual", _("Recorded by staff")
    INSTITUTION = "institution", _("Same institution as a team member")
    RELATION = "relation", _("Co-author, student, advisor or relative of a team member")
    APPLICANT = "applicant", _("Named by the applicant as an expert to avoid")


AUTOMATIC_CONFLICT_SOURCES = (ConflictSource.INSTITUTION, ConflictSource.RELATION, ConflictSource.APPLICANT)


class Recommendation(models.TextChoices):
    """An expert's overall recommendation on a proposal."""

    STRONGLY_SUPPORT = "strongly_support", _("Strongly support")
    SUPPORT = "support", _("Support")
    SUPPORT_WITH_CONDITIONS = "conditional", _("Support with conditions")
    DO_NOT_SUPPORT = "do_not_support", _("Do not support")


class Confidence(models.TextChoices):
    HIGH = "high", _("High — this is my field")
    MEDIUM = "medium", _("Medium — a neighbouring field")
    LOW = "low", _("Low — outside my field")


class Band(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"


class PanelOutcome(models.TextChoices):
    APPROVE = "approve", _("Approve")
    APPROVE_WITH_CONDITIONS = "approve_with_conditions", _("Approve with conditions")
    REJECT = "reject", _("Reject")
    INVITE_RESUBMISSION = "invite_resubmission", _("Invite resubmission next round")


class AssignmentRunStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed — awaiting review")
    APPLIED = "applied", _("Applied")
    DISCARDED = "discarded", _("Discarded")
    INFEASIBLE = "infeasible", _("Infeasible")


DISCARDABLE_RUN_STATES = (AssignmentRunStatus.PROPOSED, AssignmentRunStatus.INFEASIBLE)


class AssignmentRunTransition(StrEnum):
    """Stable names of the assignment-run transitions (method names on AssignmentRun)."""

    APPLY = "apply"
    DISCARD = "discard"


class CandidateRole(models.TextChoices):
    ASSIGNED = "assigned", _("Proposed assignment")
    KEPT = "kept", _("Existing assignment (kept)")
    ALTERNATE = "alternate", _("Alternate")


class JudgeKind(models.TextChoices):
    JUDGE = "judge", _("Judge")
    INVESTOR = "investor", _("Invited investor")


class NoticeStatus(models.TextChoices):
    OPEN = "open", _("Open for objections")
    CLOSED = "closed", _("Closed")


class NoticeTransition(StrEnum):
    """Stable names of the public-notice transitions (method names on PublicNotice)."""

    CLOSE = "close"


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting e-mail confirmation")
    OPEN = "open", pgettext_lazy("objection status", "Open")
    UPHELD = "upheld", _("Upheld — approval reopened")
    DISMISSED = "dismissed", _("Dismissed")
    EXPIRED = "expired", _("Expired unconfirmed")


class ObjectionTransition(StrEnum):
    """Stable names of the objection transitions (method names on Objection)."""

    CONFIRM = "confirm"
    EXPIRE = "expire"
    UPHOLD = "uphold"
    DISMISS = "dismiss"


# What each aggregation step (reviews.services.aggregation.METHODS, keyed the same) does, in words for the
# panel page; the versioned method codes stay available beside them for audits.
METHOD_LABELS = {
    "weighted_total": _("each review's weighted total of the criteria, 0–100, N/A left out"),
    "mean": _("mean of the reviews"),
    "trimmed_mean": _("trimmed mean (from five reviews up, the highest and the lowest left out)"),
    "median": _("median of the reviews"),
    "criterion_pass": _("a criterion passes when most experts reach its pass mark"),
    "disagreement": _("flagged when the reviews, or investors and academics, are far apart"),
    "calibration": _("calibrated for each expert's leniency across the call"),
    "roadshow": _("roadshow score from the judges' sheets"),
    "final_score": _("final score: the ranking basis, combined with the roadshow score at its weight"),
    "ranking": _("ranked by final score, then vetoes, criteria passed, median and spread"),
    "rounding": _("figures rounded half up to two decimals"),
}


def described_methods(methods) -> list[tuple]:
    """(what it does, versioned code) for each aggregation method, in the order given."""
    return [(METHOD_LABELS.get(key, key), code) for key, code in methods.items()]
