from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Roles are Django groups named by these stable keys."""

    RESEARCHER = "researcher", _("Researcher")
    PROGRAM_OFFICER = "program_officer", _("Program officer")
    EXPERT = "expert", _("Expert")
    PANEL_CHAIR = "panel_chair", _("Panel chair")
    FUND_MANAGER = "fund_manager", _("Fund manager")
    INCUBATION_MANAGER = "incubation_manager", _("Incubation manager")
    TECHNOLOGY_MANAGER = "technology_manager", _("Technology manager (技术经理人)")
    ADMINISTRATOR = "administrator", _("Administrator")


STAFF_ROLES = frozenset(
    {Role.PROGRAM_OFFICER, Role.PANEL_CHAIR, Role.FUND_MANAGER, Role.INCUBATION_MANAGER, Role.ADMINISTRATOR}
)


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"
