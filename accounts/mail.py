"""Mail to a user in the user's own language, queued after commit (inline or by Celery)."""

from django.conf import settings
from django.db import transaction

from accounts.tasks import send_user_mail


def absolute_url(path):
    return f"{settings.SITE_URL}{path}"


def queue_user_mail(*, user, template, context):
    """Queue a mail after the current transaction commits. `context` must be JSON-serialisable."""
    if user is None:
        return
    user_id = user.pk
    transaction.on_commit(lambda: send_user_mail.delay(user_id, template, context))
