from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RECTIFICATION = "rectification", _("Rectification (整改)")
    GRADUATED = "graduated", _("Graduated")
    TERMINATED = "terminated", _("Terminated")


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    ACCEPTED = "accepted", _("Accepted")
    MISSED = "missed", _("Missed")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued for signature")
    SIGNED = "signed", _("Signed")


class BudgetCategory(models.TextChoices):
    EQUIPMENT = "equipment", _("Equipment (设备费)")
    MATERIALS = "materials", _("Materials (材料费)")
    TESTING = "testing", _("Testing and processing (测试化验加工费)")
    PERSONNEL = "personnel", _("Personnel (劳务费)")
    TRAVEL = "travel", _("Travel and meetings (差旅会议费)")
    IP = "ip", _("IP and publications (知识产权事务费)")
    OUTSOURCING = "outsourcing", _("Outsourced development (委托开发费)")
    OTHER = "other", _("Other (其他)")


class TrancheGate(models.TextChoices):
    SIGNATURE = "signature", _("Agreement signed")
    MILESTONE = "milestone", _("Milestone accepted")
    MIDTERM = "midterm", _("Mid-term check passed")
    ACCEPTANCE = "acceptance", _("Final acceptance passed")


class TrancheStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RELEASED = "released", _("Released")
    CANCELLED = "cancelled", _("Cancelled (returned to the fund)")


class MidtermOutcome(models.TextChoices):
    CONTINUE = "continue", _("Continue")
    ADJUST = "adjust", _("Continue with adjustments")
    STOP = "stop", _("Stop")


class ReportStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("report status", "Requested")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned for revision")


class ChangeKind(models.TextChoices):
    BUDGET_SHIFT = "budget_shift", _("Budget shift between categories")
    EXTENSION = "extension", _("Extension of the end date")


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", pgettext_lazy("change request status", "Approved")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AcceptanceOutcome(models.TextChoices):
    PASS = "pass", _("Pass (通过)")
    RECTIFY = "rectify", _("Pass after rectification (整改后通过)")
    REREVIEW = "rereview", _("Needs re-review (需要复议)")
    FAIL = "fail", _("Fail (不通过)")


class ContractKind(models.TextChoices):
    LICENCE = "licence", _("Licence (许可)")
    TRANSFER = "transfer", _("Assignment / transfer (转让)")
    DEVELOPMENT = "development", _("Technology development (技术开发)")
    CONSULTING = "consulting", _("Technology consulting (技术咨询)")
    SERVICE = "service", _("Technology service (技术服务)")


class PatentKind(models.TextChoices):
    INVENTION = "invention", _("Invention patent (发明)")
    UTILITY = "utility", _("Utility model (实用新型)")
    DESIGN = "design", _("Design (外观设计)")
    PCT = "pct", _("PCT application")
    SOFTWARE = "software", _("Software copyright (软件著作权)")


class PatentStatus(models.TextChoices):
    FILED = "filed", _("Filed")
    GRANTED = "granted", _("Granted")


class SettlementKind(models.TextChoices):
    """How invest-first (先投后股) money ends: converted to equity, written off or bought back."""

    CONVERTED = "converted", _("Converted to equity")
    WRITTEN_OFF = "written_off", _("Written off")
    BOUGHT_BACK = "bought_back", _("Bought back")


# Named groups of states.
# Agreements the fund may still edit (before signature).
EDITABLE_STATES = (AgreementStatus.DRAFT, AgreementStatus.ISSUED)
# Reports the team still has to write (and may edit).
TO_WRITE = (ReportStatus.REQUESTED, ReportStatus.RETURNED)
