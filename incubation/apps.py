from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncubationConfig(AppConfig):
    name = "incubation"
    verbose_name = _("Incubation")

    def ready(self):
        from incubation import enums  # noqa: PLC0415 — reason: the registry is filled once the apps are ready
        from proposals.models import register_state_choices  # noqa: PLC0415

        # what the incubation machines record on a proposal's history ("project.progress" moves a milestone)
        register_state_choices("project", enums.ProjectStatus, enums.MilestoneStatus)
        register_state_choices("milestone", enums.MilestoneStatus)
        register_state_choices("agreement", enums.AgreementStatus)
        register_state_choices("tranche", enums.TrancheStatus)
        register_state_choices("report", enums.ReportStatus)
        register_state_choices("change", enums.ChangeStatus)
        register_state_choices("outcome", enums.PatentStatus)
        register_state_choices("midterm", enums.MidtermOutcome)
        register_state_choices("settlement", enums.SettlementKind)
