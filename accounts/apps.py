from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _create_role_groups(sender, **kwargs):
    # reason: accounts.roles imports django.contrib.auth's models, which cannot load while apps.py is imported
    from accounts.roles import ensure_role_groups

    ensure_role_groups()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # after the last app's migrate, so every permission exists
        post_migrate.connect(_create_role_groups, dispatch_uid="pocflow-role-groups")
        # reason: the mail module imports the user model, ready only now
        from accounts.mail import MAIL_KIND, deliver_user_mail
        from core import outbox

        outbox.register(MAIL_KIND, deliver_user_mail, label=_("Mail"))
