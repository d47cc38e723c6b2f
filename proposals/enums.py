from django.db import models
from django.utils.translation import gettext_lazy as _


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    SCREENING = "screening", _("In formal screening")
    RETURNED = "returned", _("Returned for revision")
    INELIGIBLE = "ineligible", _("Ineligible")
    IN_REVIEW = "in_review", _("In expert review")
    PANEL = "panel", _("Awaiting panel decision")
    REJECTED = "rejected", _("Rejected")
    RESUBMIT_INVITED = "resubmit_invited", _("Invited to resubmit next round")
    APPROVED = "approved", _("Approved")
    FUNDING = "funding", _("Awaiting funding decision")
    FUNDED = "funded", _("Funded")
    FUNDING_DECLINED = "funding_declined", _("Funding declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = ProposalStatus

TERMINAL_STATES = frozenset({S.INELIGIBLE, S.REJECTED, S.RESUBMIT_INVITED, S.FUNDED, S.FUNDING_DECLINED, S.WITHDRAWN})
WITHDRAWABLE_STATES = [s for s in S if s not in TERMINAL_STATES]
EDITABLE_STATES = frozenset({S.DRAFT, S.RETURNED})
# States in which expert review has happened or is happening (for "reviewed" counts)
DECIDED_STATES = frozenset({S.REJECTED, S.RESUBMIT_INVITED, S.APPROVED, S.FUNDING, S.FUNDED, S.FUNDING_DECLINED})


class Transition(models.TextChoices):
    """Stable names of the proposal transitions (method names on Proposal)."""

    SUBMIT = "submit", _("Submit")
    RESUBMIT = "resubmit", _("Resubmit after revision")
    START_SCREENING = "start_screening", _("Start formal screening")
    PASS_SCREENING = "pass_screening", _("Pass formal screening")
    RETURN_FOR_REVISION = "return_for_revision", _("Return for revision")
    DECLARE_INELIGIBLE = "declare_ineligible", _("Declare ineligible")
    CLOSE_REVIEW = "close_review", _("Close expert review")
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    INVITE_RESUBMISSION = "invite_resubmission", _("Invite resubmission")
    REOPEN_PANEL = "reopen_panel", _("Reopen for the panel after an upheld objection")
    OPEN_FUNDING = "open_funding", _("Open funding decision")
    FUND = "fund", _("Approve funding")
    DECLINE_FUNDING = "decline_funding", _("Decline funding")
    WITHDRAW = "withdraw", _("Withdraw")


class ScreeningOutcome(models.TextChoices):
    PASS = "pass", _("Pass")
    RETURN = "return", _("Return for revision")
    INELIGIBLE = "ineligible", _("Ineligible")


class TRL(models.IntegerChoices):
    TRL1 = 1, _("TRL 1 – basic principles observed")
    TRL2 = 2, _("TRL 2 – technology concept formulated")
    TRL3 = 3, _("TRL 3 – experimental proof of concept")
    TRL4 = 4, _("TRL 4 – validated in the lab")
    TRL5 = 5, _("TRL 5 – validated in a relevant environment")
    TRL6 = 6, _("TRL 6 – demonstrated in a relevant environment")
    TRL7 = 7, _("TRL 7 – prototype in an operational environment")
    TRL8 = 8, _("TRL 8 – system complete and qualified")
    TRL9 = 9, _("TRL 9 – proven in operation")


class IPStatus(models.TextChoices):
    NONE = "none", _("No IP yet")
    FILED = "filed", _("Patent application filed")
    GRANTED = "granted", _("Patent granted")
    SOFTWARE = "software", _("Software copyright")
    KNOW_HOW = "know_how", _("Know-how / trade secret")


class Field(models.TextChoices):
    BIOMED = "biomed", _("Biomedicine and health")
    IT = "it", _("Information technology and AI")
    MATERIALS = "materials", _("Advanced materials")
    ENERGY = "energy", _("Energy and environment")
    MANUFACTURING = "manufacturing", _("Advanced manufacturing")
    AGRI = "agri", _("Agriculture and food")
    OTHER = "other", _("Other")


class PeerScores(models.TextChoices):
    """When an expert may see the other experts' scores on the same proposal."""

    AFTER_OWN = "after_own", _("After submitting their own review")
    NEVER = "never", _("Never")


class RankingBasis(models.TextChoices):
    MEAN = "mean", _("Weighted mean")
    TRIMMED_MEAN = "trimmed_mean", _("Trimmed mean")
    MEDIAN = "median", _("Median")
    CALIBRATED = "calibrated", _("Calibrated score")
